"""Demo recruitment records for the demo college (called from college.build_activity).

Every applicant, activist, development candidate and probationary member of the demo roster gets a case whose
steps fit the roster's own dates (S01 = 申请入党日期, S03 = 确定积极分子日期, S07 = 确定发展对象日期, S15 = 入党日期),
recorded through the recruitment services by the branch secretary (branch steps) and the organiser (committee
steps), so every rule is checked as it would be for real. Only steps dated up to today are recorded. Two
recent full members of 研究生党支部 get a complete file (S01–S25).

A few cases are left the way real ones go wrong, so the committee's page has something to show:
* an applicant whose interview is overdue (more than 30 days, no S02);
* an activist whose six-monthly review is overdue;
* a candidate whose branch meeting passed the admission more than 3 months ago, still without approval;
* an interview recorded late with the organiser's justified exception (shown as an exception, not hidden).

The legacy file with typical errors is dangjian/recruitment/fixtures/legacy_sample.json (the audit page and
`dangjian recruitment_audit` read it; the demo writes nothing for it).
"""

from __future__ import annotations

from datetime import date, timedelta

from dangjian.core.calendar import add_working_days
from dangjian.core.periods import add_months
from dangjian.organizations.models import RoleAssignment
from dangjian.people.choices import PoliticalStatus
from dangjian.people.models import Person

S = PoliticalStatus
SECRETARY_OF = {"JY-T1": "t1shuji", "JY-T2": "t2shuji", "JY-U1": "u1shuji", "JY-U2": "u2shuji",
                "JY-G1": "g1shuji"}
IN_PROGRESS = (S.APPLICANT, S.ACTIVIST, S.CANDIDATE, S.PROBATIONARY)
SAMPLE_FILE = "dangjian/recruitment/fixtures/legacy_sample.json"


class _Stop(Exception):
    """A step dated after today: the case goes no further."""


class _Case:
    """Records one demo person's steps in order, each by the right account, none after today."""

    def __init__(self, demo, person: Person):
        self.demo, self.person, self.today = demo, person, demo.today
        self.secretary = demo.users.get(SECRETARY_OF.get(person.unit.code, ""), demo.users["zuzhiyuan"])
        self.organiser = demo.users["zuzhiyuan"]
        self.case = None

    def open(self, applied_on: date) -> None:
        from dangjian.recruitment import services

        self.case = services.open_case(actor=self.secretary, person=self.person, applied_on=applied_on,
                                       responsible=self.secretary.display_name)

    def step(self, code: str, day: date, *, by_organiser: bool = False, **kw) -> None:
        from dangjian.recruitment import services, steps

        if day > self.today:
            raise _Stop
        actor = self.organiser if by_organiser or steps.get(code).committee else self.secretary
        kw.setdefault("responsible", actor.display_name)
        services.record_step(actor=actor, case=self.case, step=code, date=day, **kw)

    def reviews(self, code: str, start: date, until: date, every_days: int = 150) -> None:
        from dangjian.recruitment import services

        days, day = [], start + timedelta(days=every_days)
        while day <= min(until, self.today):
            days.append(day)
            day += timedelta(days=every_days)
        if days:
            services.record_step(actor=self.secretary, case=self.case, step=code, data={"reviews": [
                {"date": d.isoformat(), "opinion": "思想汇报按时提交，表现良好"} for d in days]})


def _full_members(demo, unit, on: date, exclude: int, n: int) -> list[Person]:
    """Up to n full members of the branch (else of the college) who were full members on `on`."""
    base = Person.objects.current().filter(political_status=S.FULL_MEMBER).exclude(pk=exclude).exclude(
        full_member_on__gt=on).order_by("id")
    found = list(base.filter(unit=unit)[:n])
    if len(found) < n:
        found += list(base.exclude(pk__in=[p.pk for p in found]).filter(
            unit__path__startswith=demo.units["JY"].path)[: n - len(found)])
    return found


def _interviewer(unit, on: date) -> Person | None:
    from dangjian.recruitment.services import INTERVIEW_ROLES

    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    ra = (RoleAssignment.objects.active(on).filter(unit_id__in=ids, role__in=INTERVIEW_ROLES)
          .select_related("person").order_by("role", "id").first())
    return ra.person if ra else None


def _walk(demo, person: Person, *, stop_interview=False, late_interview=False, stop_reviews_after=None,
          stop_after_s15=False, completed=False) -> None:
    c = _Case(demo, person)
    s01, s03, s07, s15 = person.applied_on, person.activist_on, person.candidate_on, person.joined_on
    c.open(s01)
    secretary_person = c.secretary.person
    try:
        if stop_interview:
            return
        if late_interview:
            c.step("S02", s01 + timedelta(days=40), interviewer=secretary_person, by_organiser=True,
                   exception_reason="申请人寒假离校，开学后第一周即谈话，已报院党委同意", opinion="谈话记录已归档")
        else:
            c.step("S02", min(s01 + timedelta(days=10), demo.today), interviewer=secretary_person)
        if not s03:
            return
        c.step("S03", s03, data={"mode": "league" if person.category == "student" else "members"})
        c.step("S04", s03 + timedelta(days=3))
        c.step("S05", s03 + timedelta(days=5), mentors=_full_members(demo, person.unit, s03, person.pk, 2))
        until = s07 or demo.today
        if stop_reviews_after:
            until = min(until, s03 + timedelta(days=stop_reviews_after))
        c.reviews("S06", s03, until - timedelta(days=1))
        if not s07:
            return
        c.step("S07", s07)
        c.step("S08", s07 + timedelta(days=1))
        c.step("S09", s07 + timedelta(days=2), sponsors=_full_members(demo, person.unit, s07, person.pk, 2))
        c.step("S10", s07 + timedelta(days=3), data={"conclusion": "qualified"})
        c.step("S11", s07 + timedelta(days=4), data={"end": (s07 + timedelta(days=6)).isoformat(), "hours": 24})
        if not s15 and s07 + timedelta(days=60) > demo.today:
            return  # a recent candidate: the branch committee has not reviewed the file yet
        c.step("S12", s07 + timedelta(days=7))
        notice_start = s07 + timedelta(days=8)
        notice_end = add_working_days(notice_start, 5)
        if notice_end > demo.today:
            raise _Stop
        c.step("S13", notice_start, data={"notice_start": notice_start.isoformat(), "notice_end": notice_end.isoformat()})
        c.step("S14", s07 + timedelta(days=9))
        if not s15 and not stop_after_s15:
            return  # a candidate whose branch meeting has not met yet
        admitted = s15 or max(notice_end, s07 + timedelta(days=40))
        c.step("S15", admitted, data={"eligible": 15, "present": 13, "in_favour": 13, "written_in_favour": 1})
        if stop_after_s15 or not s15:
            return
        c.step("S16", min(s15 + timedelta(days=5), demo.today), interviewer=_interviewer(person.unit, s15))
        s17 = min(s15 + timedelta(days=10), demo.today)
        c.step("S17", s17)
        for code, extra in (("S18", 3), ("S19", 2), ("S20", 2)):
            c.step(code, min(s17 + timedelta(days=extra), demo.today))
        ends = add_months(s15, 12)
        c.reviews("S21", s17, min(demo.today, ends - timedelta(days=30)), every_days=170)
        if not completed:
            return
        c.step("S22", ends - timedelta(days=20))
        c.step("S23", ends + timedelta(days=3), data={"eligible": 15, "present": 12, "in_favour": 12})
        c.step("S24", ends + timedelta(days=15))
        c.step("S25", ends + timedelta(days=20))
    except _Stop:
        return


def build(demo) -> None:
    """Create the demo's recruitment records through the recruitment services."""
    people = list(
        Person.objects.current().filter(political_status__in=IN_PROGRESS, unit__path__startswith=demo.units["JY"].path,
                                        applied_on__isnull=False)
        .select_related("unit").order_by("unit__path", "name_pinyin", "id")
    )
    today = demo.today
    chosen: dict[str, int] = {}

    def pick(kind: str, candidates: list[Person]) -> None:
        if candidates and kind not in chosen:
            chosen[kind] = candidates[0].pk

    pick("overdue_interview", [p for p in people if p.political_status == S.APPLICANT
                               and p.applied_on <= today - timedelta(days=45)])
    pick("late_interview", [p for p in people if p.political_status == S.APPLICANT and p.pk not in chosen.values()
                            and p.applied_on <= today - timedelta(days=60)])
    pick("overdue_review", [p for p in people if p.political_status == S.ACTIVIST
                            and p.activist_on <= today - timedelta(days=200)])
    pick("approval_overdue", [p for p in people if p.political_status == S.CANDIDATE
                              and p.candidate_on <= today - timedelta(days=140)])
    role_of = {pk: kind for kind, pk in chosen.items()}
    for person in people:
        kind = role_of.get(person.pk)
        _walk(demo, person, stop_interview=kind == "overdue_interview", late_interview=kind == "late_interview",
              stop_reviews_after=1 if kind == "overdue_review" else None,
              stop_after_s15=kind == "approval_overdue")
    recent = (Person.objects.current().filter(political_status=S.FULL_MEMBER, unit=demo.units["JY-G1"],
                                              joined_on__isnull=False, candidate_on__isnull=False,
                                              full_member_on__gte=today - timedelta(days=400))
              .select_related("unit").order_by("joined_on", "id")[:2])
    for person in recent:
        _walk(demo, person, completed=True)
