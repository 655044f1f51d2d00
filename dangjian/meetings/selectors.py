"""Reads of meetings, scoped to the viewer; who is expected at a sitting, computed from the unit on its date.

Which kinds a unit may hold, which kinds one sitting may also count for and which branches a lecture's
audience covers all come from the registry (meetings/rules.py), so a college can adjust them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import rules as registry
from dangjian.core.permissions import Action, Role
from dangjian.core.scoping import can
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit, RoleAssignment
from dangjian.people.choices import PartyStanding, PoliticalStatus
from dangjian.people.models import Person, Placement

from .choices import AttendanceStatus, AudienceSegment, MeetingKind, MeetingStatus
from .models import Attendance, Meeting, MeetingCredit, Vote
from .rules import STRICT, ratio

# Kinds attended by the unit's members; the others by the holders of posts (below).
MEMBER_KINDS = frozenset({
    MeetingKind.BRANCH_GENERAL, MeetingKind.THEME_DAY, MeetingKind.ORG_LIFE, MeetingKind.MEMBER_APPRAISAL,
    MeetingKind.GROUP, MeetingKind.LECTURE,
})
BRANCH_COMMITTEE_ROLES = (Role.BRANCH_SECRETARY, Role.BRANCH_DEPUTY, Role.BRANCH_COMMITTEE_MEMBER)
COMMITTEE_ROLES = (Role.COMMITTEE_SECRETARY, Role.COMMITTEE_DEPUTY, Role.COMMITTEE_MEMBER)
ADMINISTRATION_ROLES = (Role.DEAN, Role.VICE_DEAN)
POST_ROLES: dict[str, tuple[str, ...]] = {
    MeetingKind.BRANCH_COMMITTEE: BRANCH_COMMITTEE_ROLES,
    MeetingKind.COMMITTEE: COMMITTEE_ROLES,
    MeetingKind.LEADERSHIP_LIFE: COMMITTEE_ROLES,
    MeetingKind.JOINT: COMMITTEE_ROLES + ADMINISTRATION_ROLES,
    MeetingKind.PRE_JOINT: COMMITTEE_ROLES + ADMINISTRATION_ROLES,
}
# Attendance can still change (by hand or by QR) while the record is not yet reviewed.
OPEN_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.HELD, MeetingStatus.RETURNED)


# ---------------------------------------------------------------- scope


def meetings_visible_to(user, action: str = Action.MEETINGS_VIEW):
    """Meetings of the units where the user holds `action` (holding unit or a unit it counts for); for
    MEETINGS_VIEW also the meetings the user was expected at or attended (everyone sees their own)."""
    qs = Meeting.objects.visible_to(user, action)
    person_id = getattr(user, "person_id", None) if getattr(user, "is_authenticated", False) else None
    if action == Action.MEETINGS_VIEW and person_id and user.is_active:
        own = Attendance.objects.filter(person_id=person_id).values("meeting_id")
        qs = Meeting.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=own))
    return qs


def access_meeting(user, pk, action: str = Action.MEETINGS_VIEW) -> Meeting:
    """One meeting the user may see (or act on); 404 for missing and out of scope alike."""
    try:
        return meetings_visible_to(user, action).select_related("unit", "unit__parent", "host", "recorder",
                                                                "lecturer").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def meeting_list(
    user, *, unit: OrgUnit | None = None, kind: str = "", status: str = "", starts_from: date | None = None,
    starts_to: date | None = None, q: str = "",
):
    """The list of meetings as filtered, scoped, with what a list row shows (a fixed number of queries)."""
    qs = meetings_visible_to(user).select_related("unit").annotate(
        n_expected=Count("attendances", filter=Q(attendances__is_observer=False), distinct=True),
        n_present=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT,
                                                 attendances__is_observer=False), distinct=True),
    )
    if unit is not None:
        qs = qs.filter(Q(unit__path__startswith=unit.path)
                       | Q(pk__in=MeetingCredit.objects.filter(unit__path__startswith=unit.path).values("meeting_id")))
    if kind:
        qs = qs.filter(Q(kind=kind) | Q(pk__in=MeetingCredit.objects.filter(kind=kind).values("meeting_id")))
    if status:
        qs = qs.filter(status=status)
    if starts_from:
        qs = qs.filter(starts_at__date__gte=starts_from)
    if starts_to:
        qs = qs.filter(starts_at__date__lte=starts_to)
    if q:
        qs = qs.filter(Q(topic__contains=q) | Q(place__contains=q))
    # The annotation makes this a GROUP BY query, where Django drops Meta.ordering: order explicitly.
    return qs.order_by("-starts_at", "-id").prefetch_related(
        Prefetch("credits", queryset=MeetingCredit.objects.select_related("unit"))
    )


# ---------------------------------------------------------------- what a unit holds


def _rule_list(code: str) -> list[str]:
    return list(registry.value(code)) if code in registry.RULES else []


def allowed_kinds(unit: OrgUnit) -> list[str]:
    """The kinds of meeting `unit` may hold (registry `meetings.kinds.<unit kind>`); 支委会 only where the
    branch has a committee (支部工作条例 第20条)."""
    kinds = _rule_list(f"meetings.kinds.{unit.kind}")
    if unit.kind == OrgUnitKind.BRANCH and not unit.has_committee:
        kinds = [k for k in kinds if k != MeetingKind.BRANCH_COMMITTEE]
    return [k for k in MeetingKind.values if k in kinds]


def allowed_combinations(kind: str) -> set[str]:
    """The other kinds one sitting of `kind` may also count for (registry `meetings.combinations.<kind>`)."""
    return set(_rule_list(f"meetings.combinations.{kind}")) - {kind}


def active_groups(unit: OrgUnit, on: date | None = None) -> list[OrgUnit]:
    if unit.kind != OrgUnitKind.BRANCH:
        return []
    return list(OrgUnit.objects.active(on).filter(parent=unit, kind=OrgUnitKind.GROUP).order_by("sort_order", "code"))


def audience_branches(unit: OrgUnit, audience: str, audience_units: Iterable[OrgUnit] = (),
                      on: date | None = None) -> list[OrgUnit]:
    """The branches a lecture counts for: its own unit (a branch), a segment of the branches below a
    committee (registry `meetings.lecture.segments`), or the chosen units' branches."""
    below = OrgUnit.objects.active(on).filter(path__startswith=unit.path, kind=OrgUnitKind.BRANCH)
    if audience == AudienceSegment.UNIT:
        return [unit] if unit.kind == OrgUnitKind.BRANCH else list(below.order_by("path"))
    if audience == AudienceSegment.CHOSEN:
        chosen = list(audience_units)
        branches = {u.pk: u for u in chosen if u.kind == OrgUnitKind.BRANCH}
        for u in chosen:
            if u.kind != OrgUnitKind.BRANCH:
                branches.update({b.pk: b for b in below.filter(path__startswith=u.path)})
        return sorted(branches.values(), key=lambda b: b.path)
    categories = registry.value("meetings.lecture.segments").get(audience, [])
    return list(below.filter(category__in=categories).order_by("path"))


# ---------------------------------------------------------------- who is expected


def _members_on(on: date, placements: Q) -> list[tuple[Person, bool]]:
    """Members (预备 + 正式) placed where `placements` says on `on`, each with whether they may vote
    (full members only: 党章 第7条; 基层组织选举工作条例 第5条). Suspended or left standing: not expected."""
    rows = (
        Placement.objects.filter(placements, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .filter(person__deleted_at__isnull=True, person__political_status__in=[PoliticalStatus.PROBATIONARY,
                                                                                 PoliticalStatus.FULL_MEMBER])
        .exclude(person__party_standing__in=[PartyStanding.SUSPENDED, PartyStanding.LEFT])
        .exclude(person__joined_on__gt=on)
        .select_related("person")
        .order_by("starts_on", "id")
    )
    people = {p.person_id: p.person for p in rows}  # a same-day move leaves two rows: the later wins
    return [(p, _full_on(p, on)) for p in people.values()]


def _full_on(person: Person, on: date) -> bool:
    if person.political_status != PoliticalStatus.FULL_MEMBER:
        return False
    return person.full_member_on is None or person.full_member_on <= on


def _post_holders(unit: OrgUnit, roles: tuple[str, ...], on: date, *, deciding: bool = True
                  ) -> list[tuple[Person, bool]]:
    """Holders of `roles` on `unit` on `on`; members of a deciding body (支委会, 党委会 …) vote there."""
    rows = (
        RoleAssignment.objects.active(on).filter(unit=unit, role__in=roles, person__deleted_at__isnull=True)
        .select_related("person").order_by("starts_on", "id")
    )
    people = {r.person_id: r.person for r in rows}
    return [(p, True if deciding else _full_on(p, on)) for p in people.values()]


def expected_attendees(
    *, unit: OrgUnit, kind: str, on: date, audience: str = AudienceSegment.UNIT, audience_units: Iterable[OrgUnit] = (),
) -> list[tuple[Person, bool]]:
    """(person, can_vote) of everyone expected at a sitting of `kind` held by `unit` on `on`, by name.

    支部党员大会, 主题党日, 组织生活会, 民主评议: the branch's members on that date, only full members vote;
    党小组会: the group's members and its leader; 党课: the members of its audience's branches;
    支委会: the branch committee's posts; 党委会, 民主生活会: the committee's posts; 党政联席会议, 党政沟通会:
    the committee's posts and the dean and vice-deans. Post holders are the deciding body: they vote.
    """
    if kind in POST_ROLES:
        found = _post_holders(unit, POST_ROLES[kind], on)
    elif kind == MeetingKind.GROUP:
        found = _members_on(on, Q(group=unit)) + _post_holders(unit, (Role.GROUP_LEADER,), on, deciding=False)
    elif kind == MeetingKind.LECTURE:
        branches = audience_branches(unit, audience, audience_units, on)
        placements = Q(unit__in=branches)
        if audience in (AudienceSegment.UNIT, AudienceSegment.COLLEGE) and unit.kind != OrgUnitKind.BRANCH:
            placements |= Q(unit__path__startswith=unit.path)  # people kept at the committee itself
        found = _members_on(on, placements)
    elif unit.kind == OrgUnitKind.GROUP:
        found = _members_on(on, Q(group=unit))
    else:
        found = _members_on(on, Q(unit__path__startswith=unit.path))
    people: dict[int, tuple[Person, bool]] = {}
    for person, vote in found:
        prev = people.get(person.pk)
        people[person.pk] = (person, vote or (prev[1] if prev else False))
    return sorted(people.values(), key=lambda pv: (pv[0].name_pinyin, pv[0].pk))


# ---------------------------------------------------------------- one meeting


def credits_of(meeting: Meeting) -> list[MeetingCredit]:
    """The (unit, kind) requirements the meeting counts for, the holding unit's first."""
    rows = list(MeetingCredit.objects.filter(meeting=meeting).select_related("unit").order_by("unit__path", "kind"))
    return sorted(rows, key=lambda c: (c.unit_id != meeting.unit_id, c.kind != meeting.kind, c.unit.path, c.kind))


def also_counts_as(meeting: Meeting) -> list[str]:
    """The extra kinds a meeting was planned to count for, read back from its credits."""
    kinds = []
    for unit_id, kind in MeetingCredit.objects.filter(meeting=meeting).values_list("unit_id", "kind"):
        extra = kind != meeting.kind and (unit_id == meeting.unit_id or kind == MeetingKind.GROUP)
        if extra and kind not in kinds:
            kinds.append(kind)
    return [k for k in MeetingKind.values if k in kinds]


def counts_as(meeting: Meeting, kind: str) -> bool:
    """Whether the sitting counts as `kind` for its own unit (its kind, or a credit such as 主题党日 → 党员大会)."""
    return meeting.kind == kind or MeetingCredit.objects.filter(meeting=meeting, unit=meeting.unit, kind=kind).exists()


def attendance_of(meeting: Meeting):
    """Everyone expected (then observers), by name, with who marked them."""
    return (
        Attendance.objects.filter(meeting=meeting)
        .select_related("person", "marked_by")
        .order_by("is_observer", "person__name_pinyin", "person_id")
    )


def attendance_summary(meeting: Meeting) -> dict[str, int | None]:
    """应到/实到/请假/缺席/列席 from the per-person rows (one query); for imported records without rows,
    the counts typed from the ledger."""
    agg = Attendance.objects.filter(meeting=meeting).aggregate(
        rows=Count("id"),
        expected=Count("id", filter=Q(is_observer=False)),
        present=Count("id", filter=Q(is_observer=False, status=AttendanceStatus.PRESENT)),
        excused=Count("id", filter=Q(is_observer=False, status=AttendanceStatus.EXCUSED)),
        absent=Count("id", filter=Q(is_observer=False, status=AttendanceStatus.ABSENT)),
        unmarked=Count("id", filter=Q(is_observer=False, status=AttendanceStatus.EXPECTED)),
        observers=Count("id", filter=Q(is_observer=True)),
        voters=Count("id", filter=Q(is_observer=False, can_vote=True)),
    )
    if not agg["rows"] and meeting.expected_count is not None:
        present = meeting.present_count
        return {"expected": meeting.expected_count, "present": present, "excused": None,
                "absent": None if present is None else meeting.expected_count - present, "unmarked": 0,
                "observers": 0, "voters": None}
    agg.pop("rows")
    return agg


def upcoming_for(person: Person, days: int = 30) -> list[Meeting]:
    """Planned meetings the person is expected at (or invited to observe) from now for `days` days —
    the member's phone home page."""
    now = timezone.now()
    return list(
        Meeting.objects.filter(
            attendances__person=person, status=MeetingStatus.PLANNED, starts_at__gte=now - timedelta(hours=3),
            starts_at__lte=now + timedelta(days=days),
        )
        .select_related("unit")
        .order_by("starts_at", "id")
        .distinct()
    )


def available_transitions(user, meeting: Meeting) -> list:
    """The workflow transitions out of the meeting's status that `user` may take (the buttons to show)."""
    from .services import MEETING_WORKFLOW, transition_unit

    return [t for t in MEETING_WORKFLOW.available(meeting.status) if can(user, t.action, transition_unit(meeting, t))]


# ---------------------------------------------------------------- votes


@dataclass(frozen=True)
class RuleCheck:
    """One rule applied to a vote: which, with what value, on what counts, and whether it was met."""

    code: str
    title: str
    source: str
    value: Any
    part: int
    whole: int
    met: bool

    @property
    def text(self) -> str:
        word = _("超过") if STRICT.get(self.code, True) else _("不少于")
        r = ratio(self.value)
        share = _("半数") if r == ratio(0.5) else f"{r.numerator}/{r.denominator}"
        verdict = _("符合") if self.met else _("不符合")
        return _("%(part)d／%(whole)d，须%(word)s%(share)s：%(verdict)s（%(title)s，%(source)s）") % {
            "part": self.part, "whole": self.whole, "word": word, "share": share, "verdict": verdict,
            "title": self.title, "source": self.source,
        }

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "source": self.source, "value": self.value,
                "part": self.part, "whole": self.whole, "met": self.met, "text": self.text}


def vote_rule_codes(subject: str) -> tuple[str, str]:
    """(quorum rule, majority rule) for a vote on `subject`: elections have their own (RULES.md §1.2)."""
    if subject == "election":
        return "meetings.election.quorum", "meetings.election.majority"
    return "meetings.vote.quorum", "meetings.vote.majority"


def vote_checks(*, subject: str, eligible: int, present: int, counted_in_favour: int,
                values: dict[str, Any] | None = None) -> tuple[RuleCheck, RuleCheck]:
    """Quorum and majority of a vote under the registry's rules, each with its code, value and source."""
    from .rules import threshold_met

    q_code, m_code = vote_rule_codes(subject)
    values = values or registry.values(q_code, m_code)
    checks = []
    for code, part in ((q_code, present), (m_code, counted_in_favour)):
        rule = registry.get_rule(code)
        checks.append(RuleCheck(code, str(rule.title), rule.source, values[code], part, eligible,
                                threshold_met(part, eligible, code, values[code])))
    return checks[0], checks[1]


def vote_result(vote: Vote) -> dict[str, Any]:
    """A recorded vote's outcome with the rules cited as they were applied when it was recorded."""
    if vote.rules_applied:
        quorum_rule, majority_rule = vote.rules_applied
        return {"quorum_met": vote.quorum_met, "passed": vote.passed, "quorum": quorum_rule,
                "majority": majority_rule}
    written = vote.written_in_favour if vote.subject in registry.value("meetings.vote.written_opinion_subjects") else 0
    quorum, majority = vote_checks(subject=vote.subject, eligible=vote.eligible, present=vote.present,
                                   counted_in_favour=vote.in_favour + written)
    return {"quorum_met": vote.quorum_met, "passed": vote.passed, "quorum": quorum.as_dict(),
            "majority": majority.as_dict()}


def votes_of(meeting: Meeting):
    return Vote.objects.filter(meeting=meeting).select_related("subject_person").prefetch_related(
        "exclusions__person").order_by("id")


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
