"""The year planner (issue 3 §5): a calendar per unit that meets every requirement with the fewest sittings,
and each person's meetings and hours per month.

`plan_unit` is pure: given a unit (with its party groups), the frequencies, which kinds one sitting may also
count for (the registry's `meetings.combinations.<kind>`) and a working-day test, it lays out the year.
Greedy, shortest period first: every monthly requirement gets its own sitting (主题党日, 支委会, 党委会 …);
a longer-period requirement (the quarter's 党员大会 and 党课, the year's 组织生活会 and 民主评议) is attached
to a sitting of its period whose kind may also count for it — the least loaded one, earliest first — and
only when there is none does it get a sitting of its own. A branch sitting that may count as 党小组会 covers
every group of the branch. Because no monthly requirement can absorb another of its own month unless the
registry allows it, the number of sittings is the minimum for the registry's combinations.

Dates: the 主题党日 falls on the registry's fixed day of the month (`meetings.theme_day.fixed_day`; 0 means
"not fixed": then the `week`-th `weekday` of the month); the 支委会 a week before it (it prepares the theme day,
RULES.md §1), 党小组会 a week after, other sittings two weeks after; 党委会 in the first week, 党政联席会议 in
the first and third. Each date moves to the next working day (core.calendar: holidays and 调休), backwards
if the month has none left, and never onto a day the unit already meets.

`year_plan` is the selector for the page; `meeting_load` reads the real load from attendance in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth

from dangjian.core import rules
from dangjian.core.periods import Period, period_of, periods_in_year
from dangjian.organizations.choices import OrgUnitKind
from dangjian.organizations.models import OrgUnit

from .choices import MeetingKind, MeetingStatus
from .compliance import Requirement, alive_in, frequencies, requirements_for, year_until
from .models import Attendance

K = MeetingKind
PERIOD_ORDER = {"month": 0, "quarter": 1, "half": 2, "year": 3}
DEFAULT_START = time(14, 30)
DEFAULT_MINUTES = 90  # a proposed sitting's length unless the page asks for another


@dataclass
class Need:
    """One requirement instance to cover: (unit, kind) in a period; `n` counts instances when count > 1."""

    unit: Any
    kind: str
    period: Period
    n: int = 0


@dataclass
class Sitting:
    """A proposed sitting: held by `unit` as `kind` on `on`, also counting as `counts_as` (at its own unit;
    党小组会 at a branch covers every group of the branch)."""

    unit: Any
    kind: str
    on: date
    starts: time = DEFAULT_START
    minutes: int = DEFAULT_MINUTES
    counts_as: list[str] = field(default_factory=list)
    covers: list[tuple[str, str, str]] = field(default_factory=list)  # (unit code, kind, period label)

    @property
    def credits(self) -> list[str]:
        return [self.kind, *self.counts_as]

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.on, self.starts)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    def as_dict(self) -> dict:
        return {
            "unit": self.unit.code, "kind": self.kind, "date": self.on.isoformat(),
            "starts": self.starts.strftime("%H:%M"), "minutes": self.minutes, "counts_as": list(self.counts_as),
            "covers": [list(c) for c in self.covers],
        }


# ---------------------------------------------------------------- dates


def nth_weekday(year: int, month: int, weekday: int, week: int) -> date:
    """The `week`-th `weekday` (Monday 0) of the month; week 5 or more gives the last one."""
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (max(week, 1) - 1))
    while day.month != month:
        day -= timedelta(days=7)
    return day


def anchor_day(year: int, month: int, *, fixed_day: int, weekday: int, week: int) -> date:
    """The theme day of the month: the fixed day of the month if set (clamped to the month), else the
    `week`-th `weekday`."""
    if fixed_day:
        from calendar import monthrange

        return date(year, month, min(fixed_day, monthrange(year, month)[1]))
    return nth_weekday(year, month, weekday, week)


def workday_on_or_after(day: date, is_workday: Callable[[date], bool], taken: set[date], not_before: date) -> date:
    """The first working day from `day` within its month that is free and not before `not_before`; else the
    last such day before it; else `day` itself (a month with no free working day at all)."""
    month = day.month
    d = max(day, not_before)
    while d.month == month:
        if is_workday(d) and d not in taken:
            return d
        d += timedelta(days=1)
    d = day - timedelta(days=1)
    while d.month == month and d >= not_before:
        if is_workday(d) and d not in taken:
            return d
        d -= timedelta(days=1)
    return max(day, not_before)


def _offset_in_month(anchor: date, days: int) -> date:
    """anchor + days, kept inside the anchor's month (to its first or last day)."""
    from calendar import monthrange

    d = anchor + timedelta(days=days)
    if d.month != anchor.month:
        last = monthrange(anchor.year, anchor.month)[1]
        d = date(anchor.year, anchor.month, 1 if days < 0 else last)
    return d


# Days after the month's theme-day anchor at which a kind's own sitting is proposed (instance 0, 1, …).
OFFSETS: dict[str, tuple[int, ...]] = {
    K.THEME_DAY: (0,),
    K.BRANCH_COMMITTEE: (-7,),
    K.GROUP: (7,),
    K.COMMITTEE: (-100,),  # first week (clamped to the 1st, then the first working day)
    K.JOINT: (-100, 0),
}
OTHER_OFFSET = (14,)


# ---------------------------------------------------------------- the plan


def needs_for(unit, groups: list, year: int, freq: dict[str, dict], start: date) -> list[Need]:
    """Requirement instances of the unit (and of its groups) whose period ends on or after `start`."""
    out: list[Need] = []
    reqs: list[tuple[Any, Requirement]] = [(unit, r) for r in requirements_for(unit.kind) if r.condition != "groups"]
    reqs += [(g, r) for g in groups for r in requirements_for(g.kind)]
    for u, req in reqs:
        if req.condition == "has_committee" and not u.has_committee:
            continue
        f = freq[req.rule]
        for period in periods_in_year(year, f["period"]):
            if period.end < start or not alive_in(u, period):
                continue
            out.extend(Need(u, req.kind, period, n) for n in range(f["count"]))
    return out


def _covers(s: Sitting, need: Need) -> bool:
    if need.kind not in s.credits or not need.period.contains(s.on):
        return False
    if s.unit.pk == need.unit.pk:
        return True
    # A branch sitting counted as 党小组会 covers each of the branch's groups.
    return need.kind == K.GROUP and need.unit.kind == OrgUnitKind.GROUP and s.unit.pk == need.unit.parent_id


def plan_unit(
    *, unit, year: int, groups: Iterable = (), freq: dict[str, dict] | None = None,
    combinations: dict[str, set[str]], is_workday: Callable[[date], bool], start: date | None = None,
    fixed_day: int = 0, weekday: int = 2, week: int = 2, starts: time = DEFAULT_START,
    minutes: int = DEFAULT_MINUTES, preferred_quarter: dict[str, int] | None = None, weekdays_only: bool = True,
) -> list[Sitting]:
    """The year's sittings for `unit` (and its party `groups`), sorted by date. Pure apart from `freq`
    (read from the registry when None) — pass every argument and it touches no database.

    `weekdays_only` also keeps sittings off the weekend days that the official calendar makes working days
    (调休), so only Monday–Friday working days are proposed."""
    groups = list(groups)
    if weekdays_only:
        workday = is_workday

        def is_workday(day: date) -> bool:
            return day.weekday() < 5 and workday(day)

    freq = freq if freq is not None else frequencies()
    start = start or date(year, 1, 1)
    preferred_quarter = preferred_quarter or {}
    needs = needs_for(unit, groups, year, freq, start)
    rank = {r.kind: i for i, r in enumerate(requirements_for(unit.kind) + requirements_for(OrgUnitKind.GROUP))}
    period_kind = {n.kind: n.period.kind for n in needs}
    needs.sort(key=lambda n: (PERIOD_ORDER[period_kind[n.kind]], -len(combinations.get(n.kind, ())),
                              rank.get(n.kind, 99), n.period.start, n.unit.pk, n.n))
    sittings: list[Sitting] = []
    taken: dict[int, set[date]] = defaultdict(set)

    def covered(need: Need) -> int:
        return sum(1 for s in sittings if _covers(s, need))

    for need in needs:
        if covered(need) > need.n:
            continue
        host = need.unit
        if need.kind == K.GROUP and need.unit.kind == OrgUnitKind.GROUP:
            hosts = {need.unit.pk, need.unit.parent_id}
        else:
            hosts = {host.pk}
        candidates = [
            s for s in sittings
            if s.unit.pk in hosts and need.period.contains(s.on) and need.kind in combinations.get(s.kind, ())
            and need.kind not in s.credits
        ]
        if candidates:
            pq = preferred_quarter.get(need.kind)
            candidates.sort(key=lambda s: (
                pq is not None and period_of(s.on, "quarter").start.month != 3 * pq - 2,
                len(s.counts_as), s.on,
            ))
            chosen = candidates[0]
            chosen.counts_as.append(need.kind)
            if need.kind == K.GROUP and chosen.unit.pk != need.unit.pk:
                # The whole branch sits: every group of the branch alive in the period holds its meeting.
                chosen.covers += [(g.code, K.GROUP, need.period.label) for g in groups if alive_in(g, need.period)]
            else:
                chosen.covers.append((need.unit.code, need.kind, need.period.label))
            continue
        on = _place(need, sittings, taken[need.unit.pk], is_workday, start, preferred_quarter,
                    fixed_day=fixed_day, weekday=weekday, week=week)
        taken[need.unit.pk].add(on)
        sittings.append(Sitting(need.unit, need.kind, on, starts, minutes, [],
                                [(need.unit.code, need.kind, need.period.label)]))
    sittings.sort(key=lambda s: (s.on, s.unit.path, s.kind))
    return sittings


def _place(need: Need, sittings: list[Sitting], taken: set[date], is_workday, start: date,
           preferred_quarter: dict[str, int], *, fixed_day: int, weekday: int, week: int) -> date:
    """The day for a new sitting covering `need`."""
    period = need.period
    year = period.start.year
    months = [m for m in range(period.start.month, period.end.month + 1) if _month_end(year, m) >= start]
    months = months or [period.end.month]
    if len(months) > 1:
        load: dict[int, int] = defaultdict(int)
        for s in sittings:
            if s.unit.pk == need.unit.pk:
                load[s.on.month] += 1
        pq = preferred_quarter.get(need.kind)
        in_q = [m for m in months if (m - 1) // 3 + 1 == pq]
        if in_q:
            # The usual quarter (组织生活会 in Q4): its least busy month, the latest first (the year's end).
            months = sorted(in_q, key=lambda m: (load[m], -m))
        else:
            months.sort(key=lambda m: (load[m], m))
    month = months[0]
    anchor = anchor_day(year, month, fixed_day=fixed_day, weekday=weekday, week=week)
    offsets = OFFSETS.get(need.kind, OTHER_OFFSET)
    extra = max(0, need.n - len(offsets) + 1)  # more instances than offsets: two weeks further each
    offset = offsets[min(need.n, len(offsets) - 1)] + 14 * extra
    day = _offset_in_month(anchor, offset)
    return workday_on_or_after(day, is_workday, taken, start)


def _month_end(year: int, month: int) -> date:
    return period_of(date(year, month, 1), "month").end


def plan_summary(sittings: list[Sitting]) -> dict[str, int]:
    """How many requirement instances the sittings cover, and with how many sittings."""
    return {"sittings": len(sittings), "requirements": sum(len(s.covers) for s in sittings),
            "combined": sum(1 for s in sittings if s.counts_as)}


def plan_load(sittings: list[Sitting], attendees: Callable[[Any, str], Iterable[int]]) -> dict[int, list[list[int]]]:
    """person id → twelve [meetings, minutes] from the plan; `attendees(unit, kind)` gives who is expected."""
    out: dict[int, list[list[int]]] = {}
    for s in sittings:
        for pid in attendees(s.unit, s.kind):
            row = out.setdefault(pid, [[0, 0] for _ in range(12)])
            row[s.on.month - 1][0] += 1
            row[s.on.month - 1][1] += s.minutes
    return out


# ---------------------------------------------------------------- reading the registry and the calendar


DURATION_RULE = "meetings.default_duration_minutes"


def default_minutes() -> int:
    """How long a recorded meeting without an end time is taken to last (the registry's rule)."""
    return int(rules.value(DURATION_RULE)) if DURATION_RULE in rules.RULES else DEFAULT_MINUTES


def workday_test(year: int) -> Callable[[date], bool]:
    """is_workday for the year with one query (the Holiday table overrides the official calendar)."""
    from dangjian.core import calendar

    return calendar.workday_test(date(year, 1, 1), date(year, 12, 31))


def registry_combinations(kinds: Iterable[str]) -> dict[str, set[str]]:
    from .selectors import allowed_combinations

    return {k: allowed_combinations(k) for k in set(kinds)}


def year_plan(unit: OrgUnit, year: int, *, start: date | None = None, weekday: int = 2, week: int = 2,
              starts: time = DEFAULT_START, minutes: int | None = None, with_load: bool = True) -> dict:
    """The planner page for one unit the caller has already fetched with access_unit: the proposed sittings,
    the summary, and each expected person's meetings and hours per month."""
    from .selectors import expected_attendees

    groups = list(OrgUnit.objects.filter(parent=unit, kind=OrgUnitKind.GROUP).order_by("sort_order", "code")) \
        if unit.kind == OrgUnitKind.BRANCH else []
    freq = frequencies()
    kinds = {r.kind for r in requirements_for(unit.kind)} | ({K.GROUP} if groups else set())
    codes = [c for c in ("meetings.theme_day.fixed_day", "meetings.org_life.default_quarter") if c in rules.RULES]
    values = rules.values(*codes) if codes else {}
    quarter = int(values.get("meetings.org_life.default_quarter", 4))
    sittings = plan_unit(
        unit=unit, year=year, groups=groups, freq=freq, combinations=registry_combinations(kinds),
        is_workday=workday_test(year), start=start, fixed_day=int(values.get("meetings.theme_day.fixed_day", 0)),
        weekday=weekday, week=week, starts=starts, minutes=minutes or DEFAULT_MINUTES,
        preferred_quarter={K.ORG_LIFE: quarter, K.MEMBER_APPRAISAL: quarter, K.LEADERSHIP_LIFE: quarter},
    )
    result: dict[str, Any] = {"unit": unit, "year": year, "sittings": sittings, "summary": plan_summary(sittings)}
    if with_load:
        from dangjian.core.scoping import today

        on = min(max(start or today(), date(year, 1, 1)), date(year, 12, 31))
        cache: dict[tuple[int, str], list[int]] = {}
        people: dict[int, Any] = {}

        def attendees(u, kind):
            key = (u.pk, kind)
            if key not in cache:
                found = expected_attendees(unit=u, kind=kind, on=on)
                cache[key] = [p.pk for p, _vote in found]
                people.update((p.pk, p) for p, _vote in found)
            return cache[key]

        load = plan_load(sittings, attendees)
        result["load"] = sorted(
            ({"person": people[pid], "months": months, "meetings": sum(m[0] for m in months),
              "hours": round(sum(m[1] for m in months) / 60, 1)} for pid, months in load.items()),
            key=lambda r: (-r["meetings"], r["person"].name_pinyin),
        )
    return result


# ---------------------------------------------------------------- the real load, from attendance


def meeting_load(*, year: int, people_qs=None, unit: OrgUnit | None = None) -> dict[int, list[list]]:
    """person id → twelve [meetings, hours] they were expected at (held, reviewed, returned or planned, not
    as observers), from Attendance joined to Meeting in one SQL aggregation. A meeting without an end time
    counts the registry's default duration."""
    start, end = year_until(year, date(year, 12, 31))
    default = timedelta(minutes=default_minutes())
    qs = Attendance.objects.filter(
        is_observer=False, meeting__starts_at__gte=start, meeting__starts_at__lt=end,
    ).exclude(meeting__status=MeetingStatus.CANCELLED)
    if people_qs is not None:
        qs = qs.filter(person__in=people_qs)
    if unit is not None:
        qs = qs.filter(person__unit__path__startswith=unit.path)
    length = ExpressionWrapper(F("meeting__ends_at") - F("meeting__starts_at"), output_field=DurationField())
    rows = (
        qs.annotate(month=ExtractMonth("meeting__starts_at"))
        .values("person_id", "month")
        .annotate(n=Count("meeting_id", distinct=True),
                  time=Sum(Coalesce(length, Value(default, output_field=DurationField()))))
        .order_by()
    )
    out: dict[int, list[list]] = {}
    for r in rows:
        row = out.setdefault(r["person_id"], [[0, 0.0] for _ in range(12)])
        row[r["month"] - 1] = [r["n"], round(r["time"].total_seconds() / 3600, 2) if r["time"] else 0.0]
    return out

