"""`dangjian remind` for talks: this year's plans are refreshed, each 谈话人 gets one reminder a month listing
every missing talk, and running it again sends nothing twice."""

from __future__ import annotations

from datetime import date

from dangjian.core.models import AuditEvent
from dangjian.core.testing import make_user
from dangjian.notifications.jobs import run_reminders
from dangjian.notifications.models import Notification
from dangjian.talks import jobs
from dangjian.talks.models import TalkPlan

from .conftest import YEAR, talk

TODAY = date(YEAR, 6, 15)


def test_reminders_refresh_the_plans_and_list_each_persons_missing_talks(tc):
    talk(tc, tc.secretary_p, tc.member_p)
    found = {r.person_id: r for r in jobs.reminders(TODAY)}
    assert TalkPlan.objects.filter(year=YEAR).count() == 4
    assert set(found) == {tc.shuji_p.pk, tc.weiyuan_p.pk, tc.secretary_p.pk, tc.other_secretary_p.pk}
    shuji = found[tc.shuji_p.pk]
    assert shuji.key == f"talks:todo:{tc.shuji_p.pk}:{YEAR}-06"
    assert shuji.title == f"{YEAR}年您还有 8 次谈心谈话待完成"
    assert "院党委书记与每位教师谈话：" in shuji.body and "院党委委员与每名入党积极分子谈话：钱学生" in shuji.body
    secretary = found[tc.secretary_p.pk]
    assert secretary.body == "支部委员与本支部每名党员谈话：陈书记"
    assert secretary.url == "/talks/mine/" and secretary.due_on == date(YEAR, 12, 31)


def test_remind_sends_once_a_month_and_nothing_twice(tc):
    def talk_notices() -> int:
        return Notification.objects.filter(kind="talks.todo").count()

    run_reminders(TODAY)
    assert talk_notices() == 4  # 陈书记, 刘委员, 张书记, 李书记
    run_reminders(TODAY)
    assert talk_notices() == 4
    plan_events = AuditEvent.objects.filter(action="talks.plan.generated").count()
    run_reminders(date(YEAR, 6, 20))
    assert talk_notices() == 4
    assert AuditEvent.objects.filter(action="talks.plan.generated").count() == plan_events  # nothing changed
    run_reminders(date(YEAR, 7, 1))
    assert talk_notices() == 8
    assert set(Notification.objects.filter(kind="talks.todo").values_list("key", flat=True)) == {
        f"talks:todo:{p.pk}:{YEAR}-{m:02d}"
        for p in (tc.shuji_p, tc.weiyuan_p, tc.secretary_p, tc.other_secretary_p) for m in (6, 7)
    }


def test_a_person_without_missing_talks_gets_no_reminder(tc):
    for person in (tc.member_p, tc.shuji_p):
        talk(tc, tc.secretary_p, person)
    assert tc.secretary_p.pk not in {r.person_id for r in jobs.reminders(TODAY)}


def test_a_past_date_reads_that_years_plans_without_changing_them(tc):
    assert list(jobs.reminders(date(YEAR - 1, 11, 1))) == []
    assert not TalkPlan.objects.exists()


def test_people_without_an_account_are_counted_not_notified(tc):
    make_user("weiyuan2")  # an account with no person changes nothing
    tc.weiyuan.is_active = False
    tc.weiyuan.save()
    result = run_reminders(TODAY)
    assert result["no_account"] >= 1
    assert not Notification.objects.filter(user=tc.weiyuan).exists()
