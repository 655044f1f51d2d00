"""双重组织生活 (dual organisational life): leaders who hold a committee-level post also take part, as ordinary
members, in the life of their own branch and party group (党员教育管理工作条例 第16条; 准则 2016).

For every party member holding one of LEADER_ROLES on a committee unit during the year: per quarter, how
often they were expected at, present at, excused from or absent from held (or reviewed) meetings of their
own branch or party group. One aggregation over Attendance joined to Meeting, grouped by person and quarter.
"Own branch / group" is the person's current placement (Person.unit / Person.group).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractQuarter
from django.utils.translation import gettext_lazy

from dangjian.core.periods import Period, periods_in_year
from dangjian.core.permissions import Action, Role
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import RoleAssignment
from dangjian.people.choices import MEMBER_STATUSES

from .choices import COUNTING_STATUSES, AttendanceStatus
from .compliance import year_until
from .models import Attendance

# The committee's leadership (班子) and the college administration: 党员领导干部. The organiser and party-affairs
# staff work for the committee but are not leading cadres; inspectors and readers hold rights, not posts.
LEADER_ROLES = (Role.COMMITTEE_SECRETARY, Role.COMMITTEE_DEPUTY, Role.COMMITTEE_MEMBER, Role.DEAN, Role.VICE_DEAN)


class QuarterStatus:
    ATTENDED = "attended"  # present at least once
    MISSED = "missed"  # expected, never present
    NO_MEETINGS = "no_meetings"  # not expected at any held meeting of their branch or group
    UPCOMING = "upcoming"  # the quarter has not started (as of)

    LABELS = {
        ATTENDED: gettext_lazy("已参加"),
        MISSED: gettext_lazy("未参加"),
        NO_MEETINGS: gettext_lazy("无应参加会议"),
        UPCOMING: gettext_lazy("未到期"),
    }


@dataclass
class QuarterRow:
    period: Period
    expected: int = 0
    present: int = 0
    excused: int = 0
    absent: int = 0
    status: str = QuarterStatus.NO_MEETINGS

    @property
    def label(self) -> str:
        return self.period.label

    def as_dict(self) -> dict:
        return {"quarter": self.label, "expected": self.expected, "present": self.present,
                "excused": self.excused, "absent": self.absent, "status": self.status}


@dataclass
class LeaderRow:
    person: object
    posts: list[str] = field(default_factory=list)
    branch: object = None
    group: object = None
    quarters: list[QuarterRow] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "name": self.person.name,
            "posts": self.posts,
            "branch": getattr(self.branch, "code", None),
            "group": getattr(self.group, "code", None),
            "quarters": [q.as_dict() for q in self.quarters],
        }


def quarter_status(row: QuarterRow, as_of: date) -> str:
    if row.period.start > as_of:
        return QuarterStatus.UPCOMING
    if row.present:
        return QuarterStatus.ATTENDED
    return QuarterStatus.MISSED if row.expected else QuarterStatus.NO_MEETINGS


def leader_posts(year: int, posts_qs=None):
    """Posts in LEADER_ROLES on committee units held at some time in `year` by a current party member."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    qs = posts_qs if posts_qs is not None else RoleAssignment.objects.all()
    return (
        qs.filter(role__in=LEADER_ROLES, unit__kind=OrgUnitKind.COMMITTEE, starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .filter(person__deleted_at__isnull=True, person__left_on__isnull=True,
                person__political_status__in=MEMBER_STATUSES)
        .select_related("person", "person__unit", "person__group", "unit")
        .order_by("unit__path", "role", "starts_on", "id")
    )


def dual_life(*, year: int, as_of: date, posts_qs=None) -> list[LeaderRow]:
    """Every leader (see LEADER_ROLES) with four quarter rows. Two queries whatever the size."""
    posts = list(leader_posts(year, posts_qs))
    leaders: dict[int, LeaderRow] = {}
    for post in posts:
        p = post.person
        row = leaders.get(p.pk)
        if row is None:
            own_branch = p.unit if p.unit.kind == OrgUnitKind.BRANCH else None
            row = leaders[p.pk] = LeaderRow(p, [], own_branch, p.group)
        label = f"{post.unit.display_name} {post.get_role_display()}"
        if label not in row.posts:
            row.posts.append(label)
    if not leaders:
        return []
    start, end = year_until(year, as_of)
    agg = (
        Attendance.objects.filter(
            person_id__in=list(leaders), is_observer=False,
            meeting__status__in=COUNTING_STATUSES, meeting__starts_at__gte=start, meeting__starts_at__lt=end,
            meeting__unit__kind__in=(OrgUnitKind.BRANCH, OrgUnitKind.GROUP),
        )
        .filter(Q(meeting__unit_id=F("person__unit_id")) | Q(meeting__unit_id=F("person__group_id")))
        .annotate(quarter=ExtractQuarter("meeting__starts_at"))
        .values("person_id", "quarter")
        .annotate(
            expected=Count("id"),
            present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
            excused=Count("id", filter=Q(status=AttendanceStatus.EXCUSED)),
            absent=Count("id", filter=Q(status=AttendanceStatus.ABSENT)),
        )
        .order_by()
    )
    found = {(r["person_id"], r["quarter"]): r for r in agg}
    for pk, row in leaders.items():
        for n, period in enumerate(periods_in_year(year, "quarter"), start=1):
            q = QuarterRow(period)
            r = found.get((pk, n))
            if r:
                q.expected, q.present, q.excused, q.absent = r["expected"], r["present"], r["excused"], r["absent"]
            q.status = quarter_status(q, as_of)
            row.quarters.append(q)
    return list(leaders.values())


def dual_life_for(user, year: int, as_of: date) -> list[LeaderRow]:
    """The leaders whose committee-level posts lie in the viewer's MEETINGS_VIEW scope."""
    return dual_life(year=year, as_of=as_of, posts_qs=RoleAssignment.objects.visible_to(user, Action.MEETINGS_VIEW))
