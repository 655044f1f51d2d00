"""Workflows as data (DESIGN §6): the transitions table answers both the services and the buttons."""

import pytest

from dangjian.core.errors import DomainError
from dangjian.core.transitions import Transition, Workflow

REVIEW = Workflow(
    [
        Transition("submit", "draft", "submitted", "提交", "publicity.submit"),
        Transition("approve", "submitted", "approved", "通过", "publicity.review"),
        Transition("reject", "submitted", "draft", "退回", "publicity.review"),
        Transition("publish", "approved", "published", "发布", "publicity.publish"),
    ]
)


def test_available_lists_the_transitions_out_of_a_status_in_table_order():
    assert [t.name for t in REVIEW.available("submitted")] == ["approve", "reject"]
    assert [t.name for t in REVIEW.available("draft")] == ["submit"]


def test_a_final_status_has_no_transitions():
    assert REVIEW.available("published") == []
    assert REVIEW.available("no_such_status") == []


def test_get_returns_the_transition_that_leaves_the_status():
    t = REVIEW.get("approve", "submitted")
    assert (t.source, t.target, t.action) == ("submitted", "approved", "publicity.review")


def test_get_refuses_a_transition_that_does_not_leave_the_status():
    with pytest.raises(DomainError) as exc:
        REVIEW.get("publish", "draft")
    assert exc.value.code == "bad_transition"
    assert exc.value.params == {"status": "draft"}
    assert "publish" in exc.value.message


def test_get_refuses_an_unknown_transition():
    with pytest.raises(DomainError) as exc:
        REVIEW.get("teleport", "draft")
    assert exc.value.code == "bad_transition"


def test_domain_error_as_dict_carries_code_message_and_params():
    err = DomainError("bad_transition", "不能", status="draft")
    assert err.as_dict() == {"code": "bad_transition", "message": "不能", "params": {"status": "draft"}}
    assert DomainError("x").as_dict() == {"code": "x", "message": "x"}
