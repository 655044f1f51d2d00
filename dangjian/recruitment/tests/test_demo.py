"""The demo's recruitment records: cases at every stage, a few blocked by real rules, an exception, and the
shipped legacy file with typical errors."""

from __future__ import annotations

import pytest

from dangjian.recruitment import legacy, selectors
from dangjian.recruitment.models import Case, StepRecord


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from dangjian.demo import college, recruitment

    with django_db_blocker.unblock():
        built = college.build(structure_only=True)
        recruitment.build(built)
        yield built
        from django.core.management import call_command

        call_command("flush", "--noinput", verbosity=0)


@pytest.mark.django_db
def test_the_demo_has_cases_at_every_stage_and_some_completed(demo):
    stages = set(Case.objects.filter(status="open").values_list("stage", flat=True))
    assert stages == {1, 2, 3, 4, 5}
    assert Case.objects.filter(status="completed").count() == 2
    assert StepRecord.objects.filter(step="S25").count() == 2


@pytest.mark.django_db
def test_the_demo_has_blocked_cases_and_an_exception(demo):
    organiser = demo.users["zuzhiyuan"]
    attention = selectors.attention(organiser)
    overdue = {d.step for st in attention["blocked"] for d in st.due if d.overdue}
    assert {"S02", "S06", "S16"} <= overdue  # S16, the interview, is due by the approval's deadline
    assert StepRecord.objects.exclude(exception_codes=[]).filter(step="S02").count() == 1
    # No case breaks a rule without an exception: the services checked every step.
    for case in Case.objects.all():
        assert selectors.case_state(case).open_violations == [], case


@pytest.mark.django_db
def test_the_demo_roster_follows_the_cases(demo):
    for case in Case.objects.filter(status="open").select_related("person"):
        s01 = case.steps.get(step="S01")
        assert case.person.applied_on == s01.date


@pytest.mark.django_db
def test_the_shipped_legacy_file_has_typical_errors():
    from pathlib import Path

    from dangjian.demo.recruitment import SAMPLE_FILE

    path = Path(__file__).resolve().parents[3] / SAMPLE_FILE
    report = legacy.audit_file(path.read_bytes(), path.name)
    assert report["summary"]["with_violations"] >= 5
    assert {"cultivation_too_short", "order_inverted", "vote_quorum", "missing_step"} <= set(report["summary"]["by_code"])
