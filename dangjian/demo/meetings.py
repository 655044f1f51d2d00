"""Demo meetings for the demo college (called from college.build_activity).

Twelve months of organisational life up to today, laid out by the year planner (meetings.planner: a
主题党日 that is also the quarter's 党员大会 and 党课 and, in the teacher branches, the groups' 党小组会). The
college started using the platform three months ago: the nine months before were entered from the branches'
paper ledgers (services.record_past_meeting, as `import_meetings` does, with the absent members by name);
since then each branch secretary's account plans and records every sitting with attendance (a few excused
with reasons, a few absent), and the 组织员 reviews the records after about three weeks. The gaps the
compliance heat map shows:

* JY-T2 skipped two monthly 支委会 (two and four months ago);
* JY-T2's 第二党小组 did not meet in the two months (one and five months ago) when JY-T2 held its groups
  separately;
* JY-U2, busy with its coming 换届, skipped two 主题党日 (one and three months ago) — and with the second
  went that quarter's 党课;
* JY-G1 had no 党课 last quarter;
* JY-U1's 主题党日 of last month was returned by the 组织员 (no sign-in sheet) and does not count;
* the most recent records are held but not yet reviewed, and the current month and quarter are still due.

Besides: one college-wide 党课 by the 院党委书记 in the quarter before last, then separate 党课 for the teacher
and the student branches (the seed's practice); JY-T1's 支部党员大会 on the day its newest probationary member
was admitted, with the vote (接收预备党员; when nobody was admitted within the year, a vote on the branch's
work plan instead); and the next two weeks' sittings already planned, so members see upcoming meetings and
`dangjian remind` has something to announce. Meetings after the real clock (when a test freezes today in the
future) stay planned: the services refuse to record a meeting that has not happened.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from dangjian.core.periods import add_months, period_of
from dangjian.meetings import planner, services
from dangjian.meetings.choices import AttendanceStatus, AudienceSegment, MeetingKind, VoteSubject
from dangjian.meetings.compliance import frequencies
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.selectors import allowed_combinations, expected_attendees
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit
from dangjian.people.choices import PoliticalStatus
from dangjian.people.models import Person

SEED = 20230601 + 3
K = MeetingKind
REVIEW_AFTER_DAYS = 21
PLAN_AHEAD_DAYS = 14
LIVE_MONTHS = 3  # recorded in the platform; the months before come from the paper ledgers

SECRETARY_ACCOUNTS = {"JY-T1": "t1shuji", "JY-T2": "t2shuji", "JY-U1": "u1shuji", "JY-U2": "u2shuji",
                      "JY-G1": "g1shuji", "JY": "zuzhiyuan"}
GROUP_LEADERS = {"JY-T1-G1": "t1g1_leader", "JY-T1-G2": "t1_publicity", "JY-T2-G1": "t2g1_leader",
                 "JY-T2-G2": "t2g2_leader"}
RECORDERS = {"JY-T1": "t1_organising", "JY-T2": "t2_organising", "JY": "zuzhiyuan"}
HOSTS = {"JY-T1": "t1shuji", "JY-T2": "t2shuji", "JY-U1": "u1shuji", "JY-U2": "u2shuji", "JY-G1": "g1shuji",
         "JY": "shuji"}

THEMES = (
    "学习党的二十届三中全会精神", "深入学习贯彻习近平新时代中国特色社会主义思想", "学习《中国共产党纪律处分条例》",
    "弘扬教育家精神，争做“四有”好老师", "重温入党誓词，坚定理想信念", "学习新修订的《中国共产党支部工作条例》",
    "走进社区开展健康义诊志愿服务", "学习“七一”重要讲话精神", "参观红色教育基地", "学习贯彻全国教育大会精神",
    "开展实验室安全专题学习", "深化全面从严治党，推进清廉学院建设",
)
LECTURES = (
    "坚持以党的政治建设为统领，推进学院高质量发展", "在医学检验事业中践行初心使命", "以科学家精神涵养师德师风",
    "青年学生如何坚定理想信念",
)
COMMITTEE_TOPICS = (
    "研究本月主题党日方案", "讨论入党积极分子培养考察情况", "研究支部党员教育培训计划", "研究党费收缴情况",
    "讨论发展对象确定事宜", "研究支部年度工作总结", "研究组织生活会准备工作",
)
EXCUSES = {"faculty": ("出差", "外出学术交流", "病假", "承担临床带教任务", "参加外校评审"),
           "student": ("医院实习", "课程考试", "病假", "参加学科竞赛"), "retired": ("身体原因", "外地探亲")}
RETURN_REASON = "未上传签到表和现场照片，请补充后重新提交。"


@dataclass
class _Sitting:
    unit: OrgUnit
    kind: str
    on: date
    counts_as: list[str]
    starts: time = time(14, 30)
    minutes: int = 90
    topic: str = ""
    audience: str = AudienceSegment.UNIT
    lecturer: str = ""  # a key of demo.people
    audience_units: tuple = ()


def build(demo) -> None:
    """Create the year's meetings through the meetings services."""
    _Builder(demo).run()


class _Builder:
    def __init__(self, demo) -> None:
        self.demo = demo
        self.today = demo.today
        self.now = timezone.now()
        self.r = random.Random(SEED)
        self.units = demo.units
        self.first = add_months(self.today.replace(day=1), -11)  # twelve months, the current one included
        self.people = demo.people
        self.organiser = demo.users["zuzhiyuan"]
        self.recorders: dict[str, Person | None] = {}

    # -------------------------------------------------------------- helpers

    def months_ago(self, n: int) -> date:
        return add_months(self.today.replace(day=1), -n)

    def in_month(self, s: _Sitting, n: int) -> bool:
        m = self.months_ago(n)
        return (s.on.year, s.on.month) == (m.year, m.month)

    def actor_for(self, unit: OrgUnit):
        code = unit.code if unit.kind != OrgUnitKind.GROUP else unit.parent.code
        return self.demo.users[SECRETARY_ACCOUNTS[code]]

    def recorder_for(self, unit: OrgUnit) -> Person | None:
        if unit.code in RECORDERS:
            return self.people[RECORDERS[unit.code]]
        if unit.code not in self.recorders:
            host = self.people.get(HOSTS.get(unit.code, ""))
            placed = Q(group=unit) if unit.kind == OrgUnitKind.GROUP else Q(unit=unit)
            candidates = list(Person.objects.current().filter(placed, political_status=PoliticalStatus.FULL_MEMBER)
                              .exclude(pk=host.pk if host else None).order_by("name_pinyin")[:5])
            self.recorders[unit.code] = self.r.choice(candidates) if candidates else host
        return self.recorders[unit.code]

    def host_for(self, unit: OrgUnit, kind: str) -> Person | None:
        if unit.kind == OrgUnitKind.GROUP:
            return self.people.get(GROUP_LEADERS.get(unit.code, ""))
        if kind == K.JOINT:
            return self.people.get("dean")
        return self.people.get(HOSTS.get(unit.code, ""))

    # -------------------------------------------------------------- the plan

    def plan(self) -> list[_Sitting]:
        """The planner's sittings of every unit from the window's first day to two weeks ahead."""
        horizon = self.today + timedelta(days=PLAN_AHEAD_DAYS)
        years = sorted({self.first.year, self.today.year, horizon.year})
        freq = frequencies()
        kinds = set(MeetingKind.values)
        combos = {k: allowed_combinations(k) for k in kinds}
        out: list[_Sitting] = []
        for code in ("JY", "JY-T1", "JY-T2", "JY-U1", "JY-U2", "JY-G1"):
            unit = self.units[code]
            groups = [g for g in self.units.values() if g.parent_id == unit.pk and g.kind == OrgUnitKind.GROUP]
            for year in years:
                sittings = planner.plan_unit(
                    unit=unit, year=year, groups=groups, freq=freq, combinations=combos,
                    is_workday=planner.workday_test(year), weekday=2 if unit.category != "student" else 3,
                    week=2, starts=time(14, 30) if unit.category != "student" else time(19, 0),
                    preferred_quarter={K.ORG_LIFE: 4, K.MEMBER_APPRAISAL: 4, K.LEADERSHIP_LIFE: 4},
                )
                for s in sittings:
                    if self.first <= s.on <= horizon:
                        out.append(_Sitting(s.unit, s.kind, s.on, list(s.counts_as), s.starts, s.minutes))
        return out

    def story(self, sittings: list[_Sitting]) -> list[_Sitting]:
        """The gaps and the special sittings of the module docstring."""
        kept = []
        last_quarter = period_of(add_months(self.today, -3), "quarter")
        for s in sittings:
            code = s.unit.code
            if code == "JY-T2" and s.kind == K.BRANCH_COMMITTEE and (self.in_month(s, 2) or self.in_month(s, 4)):
                continue
            if code == "JY-U2" and s.kind == K.THEME_DAY and (self.in_month(s, 1) or self.in_month(s, 3)):
                continue
            if code == "JY-G1" and last_quarter.contains(s.on):
                s.counts_as = [k for k in s.counts_as if k != K.LECTURE]
                if s.kind == K.LECTURE:
                    continue
            if code == "JY-T2" and s.kind == K.THEME_DAY and (self.in_month(s, 1) or self.in_month(s, 5)):
                # This month the groups met separately, and the second group not at all.
                s.counts_as = [k for k in s.counts_as if k != K.GROUP]
                kept.append(_Sitting(self.units["JY-T2-G1"], K.GROUP, s.on + timedelta(days=7), [],
                                     topic="小组学习研讨"))
            kept.append(s)
        # The college-wide lecture, then the segment lectures, in the quarter before last (JY-G1's gap is in
        # the last quarter); they stand for the 院党委书记's lecture of the year, so the planner's is left out.
        kept = [s for s in kept if not (s.unit.code == "JY" and s.kind == K.LECTURE)]
        quarter = add_months(last_quarter.start, -3)
        college_day = self._weekday_in(quarter, 3, 3)
        segment_day = self._weekday_in(add_months(quarter, 1), 3, 3)
        jy = self.units["JY"]
        kept.append(_Sitting(jy, K.LECTURE, college_day, [], time(15, 0), 120, LECTURES[0], AudienceSegment.COLLEGE,
                             "shuji"))
        kept.append(_Sitting(jy, K.LECTURE, segment_day, [], time(15, 0), 90, LECTURES[2], AudienceSegment.FACULTY,
                             "shuji"))
        kept.append(_Sitting(jy, K.LECTURE, segment_day + timedelta(days=1), [], time(19, 0), 90, LECTURES[3],
                             AudienceSegment.STUDENT, "deputy"))
        kept = [s for s in kept if s.on >= self.first]
        return sorted(kept, key=lambda s: (s.on, s.unit.path, s.kind))

    def _weekday_in(self, month: date, weekday: int, week: int) -> date:
        day = planner.nth_weekday(month.year, month.month, weekday, week)
        test = planner.workday_test(day.year)
        return planner.workday_on_or_after(day, lambda d: d.weekday() < 5 and test(d), set(), day)

    # -------------------------------------------------------------- writing

    def run(self) -> None:
        sittings = self.story(self.plan())
        vote_day = self.admission_day()
        returned_month = self.months_ago(1)
        live_from = self.months_ago(LIVE_MONTHS - 1)
        returned = False
        for s in sittings:
            if s.on < live_from and s.audience == AudienceSegment.UNIT and s.kind != K.LECTURE:
                self.from_ledger(s)
                continue
            meeting = self.schedule(s)
            if s.on >= self.today or meeting.starts_at > self.now:
                continue  # still to come (or after the real clock): planned
            self.hold(meeting, s)
            if s.unit.code == "JY-U1" and s.kind == K.THEME_DAY and not returned \
                    and (s.on.year, s.on.month) == (returned_month.year, returned_month.month):
                services.return_meeting(actor=self.organiser, meeting=meeting, reason=RETURN_REASON)
                returned = True
            elif (self.today - s.on).days > REVIEW_AFTER_DAYS:
                services.review_meeting(actor=self.organiser, meeting=meeting)
        if vote_day is not None:
            self.vote_meeting(*vote_day)
        else:
            self.vote_meeting(None, add_months(self.today, -2).replace(day=10))

    def from_ledger(self, s: _Sitting) -> None:
        """A sitting before the college used the platform, entered from the paper ledger with the absent by name."""
        start = timezone.make_aware(datetime.combine(s.on, s.starts))
        if start > self.now:
            return
        expected = [p for p, _vote in expected_attendees(unit=s.unit, kind=s.kind, on=s.on)]
        absent = [p for p in expected if self.r.random() < 0.08]
        topic = s.topic or self.topic(s)
        services.record_past_meeting(
            actor=self.actor_for(s.unit), unit=s.unit, kind=s.kind, starts_at=start, topic=topic,
            place=self.place(s.unit, s.kind), host=self.host_for(s.unit, s.kind), recorder=self.recorder_for(s.unit),
            also_counts_as=s.counts_as, expected_count=len(expected), present_count=len(expected) - len(absent),
            absent=absent, note="据纸质台账补录", minutes=self.minutes(s, topic),
        )

    def schedule(self, s: _Sitting) -> Meeting:
        unit, kind = s.unit, s.kind
        start = timezone.make_aware(datetime.combine(s.on, s.starts))
        topic = s.topic or self.topic(s)
        lecturer = self.people.get(s.lecturer) if s.lecturer else None
        if kind == K.LECTURE and lecturer is None:
            lecturer = self.host_for(unit, kind)
        agenda = self.agenda(s, topic)
        return services.schedule_meeting(
            actor=self.actor_for(unit), unit=unit, kind=kind, topic=topic, starts_at=start,
            ends_at=start + timedelta(minutes=s.minutes), place=self.place(unit, kind),
            host=self.host_for(unit, kind), recorder=self.recorder_for(unit), lecturer=lecturer,
            audience=s.audience, audience_units=list(s.audience_units), also_counts_as=s.counts_as, agenda=agenda,
        )

    def hold(self, meeting: Meeting, s: _Sitting) -> None:
        marks = {}
        rows = list(Attendance.objects.filter(meeting=meeting, is_observer=False)
                    .values_list("person_id", "person__category"))
        for pid, category in rows:
            x = self.r.random()
            if x < 0.08:
                marks[pid] = (AttendanceStatus.EXCUSED, self.r.choice(EXCUSES.get(category, EXCUSES["faculty"])))
            elif x < 0.12:
                marks[pid] = AttendanceStatus.ABSENT
            else:
                marks[pid] = AttendanceStatus.PRESENT
        services.record_meeting(actor=self.actor_for(s.unit), meeting=meeting, version=meeting.version,
                                minutes=self.minutes(s, meeting.topic), resolutions=self.resolutions(s),
                                attendance=marks)

    # -------------------------------------------------------------- JY-T1's admission vote

    def admission_day(self) -> tuple[Person, date] | None:
        """JY-T1's newest probationary member, if admitted (joined_on) within the window and before today."""
        person = (Person.objects.current().filter(unit=self.units["JY-T1"], political_status=PoliticalStatus.PROBATIONARY,
                                                  joined_on__gte=self.first, joined_on__lt=self.today)
                  .order_by("-joined_on").first())
        return (person, person.joined_on) if person else None

    def vote_meeting(self, person: Person | None, day: date) -> None:
        """JY-T1's 支部党员大会 with a vote: admitting `person`, or (nobody admitted this year) its work plan."""
        unit = self.units["JY-T1"]
        start = timezone.make_aware(datetime.combine(day, time(16, 30)))
        if start > self.now:
            return
        actor = self.actor_for(unit)
        if person is not None:
            topic = f"讨论接收{person.name}同志为中共预备党员"
            agenda = [f"{person.name}汇报对党的认识、入党动机和本人履历", "入党介绍人介绍培养考察情况",
                      "支部委员会报告审查情况", "与会党员讨论", "无记名投票表决"]
            minutes = (f"{person.name}同志汇报了对党的认识和入党动机；两名入党介绍人介绍了培养考察情况；"
                       "支部委员会报告了审查情况。与会党员逐一发表意见，一致认为该同志已具备党员条件。\n"
                       "经无记名投票表决，同意接收其为中共预备党员。")
            resolution = f"同意接收{person.name}同志为中共预备党员，报院党委审批。"
            subject, title = VoteSubject.ADMISSION, f"接收{person.name}同志为中共预备党员"
        else:
            topic = "审议支部年度工作计划"
            agenda = ["支部书记说明年度工作计划（草案）", "与会党员讨论", "举手表决"]
            minutes = "支部书记说明了年度工作计划（草案）；与会党员讨论并提出修改意见。\n经举手表决，通过年度工作计划。"
            resolution = "通过支部年度工作计划，由支委会组织实施。"
            subject, title = VoteSubject.OTHER, "通过支部年度工作计划"
        meeting = services.schedule_meeting(
            actor=actor, unit=unit, kind=K.BRANCH_GENERAL, topic=topic, starts_at=start,
            ends_at=start + timedelta(minutes=60), place="学院党员活动室", host=self.host_for(unit, K.BRANCH_GENERAL),
            recorder=self.recorder_for(unit), agenda=agenda,
        )
        host = self.host_for(unit, K.BRANCH_GENERAL)
        rows = list(Attendance.objects.filter(meeting=meeting).order_by("person__name_pinyin")
                    .values_list("person_id", "can_vote"))
        away = next((pid for pid, can_vote in rows if can_vote and (host is None or pid != host.pk)), None)
        marks = {pid: (AttendanceStatus.EXCUSED, "出差") if pid == away else AttendanceStatus.PRESENT
                 for pid, _v in rows}
        services.record_meeting(actor=actor, meeting=meeting, version=meeting.version, minutes=minutes,
                                resolutions=resolution, attendance=marks)
        present = sum(1 for pid, can_vote in rows if can_vote and pid != away)
        written = 1 if away is not None and subject == VoteSubject.ADMISSION else 0
        services.record_vote(actor=actor, meeting=meeting, subject=subject, title=title, subject_person=person,
                             in_favour=present, written_in_favour=written, written_total=written)
        if (self.today - day).days > REVIEW_AFTER_DAYS:
            services.review_meeting(actor=self.organiser, meeting=meeting)

    # -------------------------------------------------------------- texts

    def topic(self, s: _Sitting) -> str:
        theme = THEMES[(s.on.month - 1) % len(THEMES)]
        return {
            K.THEME_DAY: f"{s.on.month}月主题党日：{theme}",
            K.BRANCH_COMMITTEE: COMMITTEE_TOPICS[s.on.month % len(COMMITTEE_TOPICS)],
            K.GROUP: f"党小组学习：{theme}",
            K.BRANCH_GENERAL: "支部党员大会",
            K.LECTURE: LECTURES[s.on.month % 2],
            K.ORG_LIFE: f"{s.on.year}年度组织生活会暨民主评议党员",
            K.MEMBER_APPRAISAL: f"{s.on.year}年度民主评议党员",
            K.COMMITTEE: f"{s.on.month}月院党委会",
            K.JOINT: f"{s.on.month}月党政联席会议",
            K.LEADERSHIP_LIFE: f"{s.on.year}年度院党委领导班子民主生活会",
        }.get(s.kind, str(MeetingKind(s.kind).label))

    def agenda(self, s: _Sitting, topic: str) -> list[str]:
        items = {
            K.THEME_DAY: ["集体学习", "交流研讨", "党员志愿服务安排"],
            K.BRANCH_COMMITTEE: ["通报上月工作", topic, "部署下月工作"],
            K.ORG_LIFE: ["支部书记代表支委会作对照检查", "党员逐一对照检查、开展批评与自我批评", "民主评议党员"],
            K.COMMITTEE: ["传达学习上级文件精神", "研究干部和党员队伍建设事项"],
            K.JOINT: ["研究学院教学科研重要事项", "研究经费使用事项"],
        }.get(s.kind, [topic])
        if K.BRANCH_GENERAL in s.counts_as:
            items = [*items, "通报支部本季度工作"]
        if K.LECTURE in s.counts_as:
            items = [*items, "支部书记讲党课"]
        return items

    def minutes(self, s: _Sitting, topic: str) -> str:
        lines = [f"会议由主持人介绍本次会议议程。围绕“{topic}”开展学习。"]
        if K.LECTURE in s.counts_as or s.kind == K.LECTURE:
            lines.append("讲授党课，与会党员结合岗位实际交流了学习体会。")
        if K.BRANCH_GENERAL in s.counts_as:
            lines.append("支部书记通报了本季度支部工作情况和下一阶段安排。")
        if s.kind == K.BRANCH_COMMITTEE:
            lines.append("支委会成员逐项讨论，形成一致意见。")
        lines.append("会议最后对下一步工作作了部署。")
        return "\n".join(lines)

    def resolutions(self, s: _Sitting) -> str:
        if s.kind == K.BRANCH_COMMITTEE:
            return "按会议讨论意见落实，由组织委员负责跟进。"
        if s.kind in (K.COMMITTEE, K.JOINT):
            return "会议审议的事项原则通过，由分管领导负责落实。"
        return ""

    def place(self, unit: OrgUnit, kind: str) -> str:
        if unit.kind == OrgUnitKind.COMMITTEE:
            return "学院第一会议室" if kind != K.LECTURE else "学院报告厅"
        if unit.category == "student":
            return "学生党员活动室"
        return "学院党员活动室"
