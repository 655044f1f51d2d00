"""`dangjian talk_coverage`: the JSON contract, the text report, --unit and its exit status."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.talks import services

from .conftest import YEAR, talk


def run(*args: str) -> str:
    out = StringIO()
    call_command("talk_coverage", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def planned(tc):
    services.sync_talk_plans(actor=None, year=YEAR)
    talk(tc, tc.secretary_p, tc.member_p)
    talk(tc, tc.weiyuan_p, tc.u1_student, kind="admission")
    return tc


def test_json_is_the_contract_shape_for_every_rule_and_unit(planned):
    data = json.loads(run("--year", str(YEAR), "--format", "json"))
    assert data["year"] == YEAR
    assert [(r["rule"], r["unit"], r["required"], r["done"]) for r in data["rules"]] == [
        ("talks.secretary_teachers", "JY", 7, 0),
        ("talks.committee_activists", "JY", 2, 1),
        ("talks.branch_members", "JY-T1", 2, 1),
        ("talks.branch_members", "JY-T2", 2, 0),
    ]
    assert data["rules"][1]["missing"] == [{"from": "陈书记", "to": "钱学生"}]
    assert set(data["rules"][0]) == {"rule", "unit", "required", "done", "missing"}
    assert len(data["rules"][0]["missing"]) == 7


def test_unit_narrows_to_that_unit_and_below(planned):
    data = json.loads(run("--year", str(YEAR), "--unit", "JY-T1", "--format", "json"))
    assert data == {"year": YEAR, "rules": [
        {"rule": "talks.branch_members", "unit": "JY-T1", "required": 2, "done": 1,
         "missing": [{"from": "张书记", "to": "陈书记"}]},
    ]}


def test_the_year_defaults_to_this_year(planned):
    assert json.loads(run("--format", "json"))["year"] == YEAR


def test_text_lists_each_rule_and_each_persons_todo(planned):
    out = run("--year", str(YEAR))
    assert "JY-T1 支部委员与本支部每名党员谈话（talks.branch_members）：应谈 2，已谈 1，未谈 1，完成 50%" in out
    assert "  张书记 → 陈书记" in out
    assert "  陈书记 → " in out


def test_a_year_without_plans_says_so(planned):
    assert json.loads(run("--year", str(YEAR - 3), "--format", "json")) == {"year": YEAR - 3, "rules": []}
    assert "没有谈话计划" in run("--year", str(YEAR - 3))


def test_an_unknown_unit_exits_with_status_1(planned):
    with pytest.raises(CommandError) as exc:
        run("--unit", "NOPE")
    assert exc.value.returncode == 1
