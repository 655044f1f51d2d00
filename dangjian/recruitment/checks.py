"""The rule checks of 发展党员 (issue 4, RULES.md §3): pure functions over a case's dated facts.

The same `check_case(facts, params)` serves every save (services refuse what it finds) and the audit of
legacy files (legacy.py). `CaseFacts` is built from the database (selectors.case_facts) or from a legacy
file; `Params` holds the registry's values (one query) and the day that counts as today.

Every violation names its stable code, the step it concerns, the registry rule, the rule's source and the
dates involved, in a sentence that goes through gettext (Chinese by default, English when translated).

Codes (stable, issue 4): too_young, talk_late, order_inverted, missing_step, review_gap,
cultivation_too_short, mentor_count, mentor_not_full_member, sponsor_count, sponsor_not_full_member,
training_too_short, public_notice_short, vote_quorum, vote_majority, approval_late, probation_short,
extension_out_of_range, conversion_approval_late, future_date — plus vote_counts_inconsistent for vote counts
that cannot be right (core.votes: more present than entitled, more votes than present, …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from dangjian.core import rules as registry
from dangjian.core.calendar import working_days_between
from dangjian.core.periods import add_months
from dangjian.core.votes import evaluate_vote
from dangjian.people.validation import age_on

from . import steps

CODES = (
    "too_young", "talk_late", "order_inverted", "missing_step", "review_gap", "cultivation_too_short",
    "mentor_count", "mentor_not_full_member", "sponsor_count", "sponsor_not_full_member", "training_too_short",
    "public_notice_short", "vote_quorum", "vote_majority", "approval_late", "probation_short",
    "extension_out_of_range", "conversion_approval_late", "future_date", "vote_counts_inconsistent",
)

RULE_CODES = (
    "recruitment.min_age", "recruitment.interview_within_days", "recruitment.activist_review_every_months",
    "recruitment.activist_min_months_before_candidate", "recruitment.mentors_min", "recruitment.mentors_max",
    "recruitment.sponsors", "recruitment.training_min_days", "recruitment.training_min_hours",
    "recruitment.public_notice_working_days", "recruitment.approval_max_months",
    "recruitment.approval_max_months_special", "recruitment.probation_months",
    "recruitment.probation_extension_min_months", "recruitment.probation_extension_max_months",
    "recruitment.conversion_approval_max_months", "recruitment.application_min_months_before_activist",
)


@dataclass(frozen=True)
class Params:
    """The rule values in force and the day that counts as today."""

    values: dict[str, Any]
    today: date

    @classmethod
    def load(cls, today: date | None = None) -> Params:
        from dangjian.core.scoping import today as _today

        return cls(registry.values(*RULE_CODES), today or _today())

    def __getitem__(self, name: str) -> Any:
        return self.values[f"recruitment.{name}"]


@dataclass
class Member:
    """A mentor or sponsor as the check sees them: a full member on the step's date or not, and any
    restriction of their rights (留党察看 not yet lifted, a suspended or lost-contact standing)."""

    name: str
    full_member: bool
    restriction: str = ""  # e.g. "受留党察看处分、尚未恢复党员权利"; empty when none


@dataclass
class Vote:
    eligible: int
    present: int
    in_favour: int
    against: int = 0
    abstaining: int = 0
    written_in_favour: int = 0


@dataclass
class CaseFacts:
    """What the checks look at. Absent facts are not checked (a step with no date is not taken)."""

    birth_date: date | None = None
    dates: dict[str, date] = field(default_factory=dict)  # step → date (S11: first day of training)
    reviews: dict[str, list[date]] = field(default_factory=dict)  # "S06"/"S21" → review dates
    mentors: list[Member] | None = None  # None: not recorded (not checked); [] : none named
    sponsors: list[Member] | None = None
    training_end: date | None = None
    training_hours: float | None = None
    notice_start: date | None = None
    notice_end: date | None = None
    votes: dict[str, Vote] = field(default_factory=dict)  # "S15"/"S23"
    special: dict[str, bool] = field(default_factory=dict)  # "S17"/"S24" special-case extension
    extension_months: int | None = None
    extension_decided_on: date | None = None

    def present(self) -> set[str]:
        """The steps taken: those with a date, and S06/S21 once they have a review."""
        return set(self.dates) | {code for code, days in self.reviews.items() if days}


@dataclass(frozen=True)
class Violation:
    code: str
    step: str
    rule: str
    source: str
    message: str
    dates: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """What an exception names: the code and the step (`cultivation_too_short@S07`)."""
        return f"{self.code}@{self.step}"

    def as_json(self) -> dict[str, str]:
        """The legacy audit's shape (issue 4): code, step, message, rule, source."""
        return {"code": self.code, "step": self.step, "message": self.message, "rule": self.rule,
                "source": self.source}

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "key": self.key}


def _d(day: date | None) -> str:
    return day.isoformat() if day else "—"


def _step_name(code: str) -> str:
    return steps.get(code).label


class _Collector:
    def __init__(self) -> None:
        self.found: list[Violation] = []

    def add(self, code: str, step: str, rule: str, message: str, **dates: date | None) -> None:
        source = str(registry.RULES[rule].source)
        self.found.append(Violation(code, step, rule, source, message,
                                    {k: v.isoformat() for k, v in dates.items() if v}))


Check = Callable[[CaseFacts, Params, _Collector], None]


# ---------------------------------------------------------------- the checks, one per rule


def _too_young(f: CaseFacts, p: Params, out: _Collector) -> None:
    applied = f.dates.get("S01")
    if not (applied and f.birth_date):
        return
    n = p["min_age"]
    if age_on(f.birth_date, applied) < n:
        out.add("too_young", "S01", "recruitment.min_age",
                _("递交入党申请书（%(s01)s）时未满%(n)d周岁（出生日期 %(birth)s）。")
                % {"s01": _d(applied), "n": n, "birth": _d(f.birth_date)},
                applied_on=applied, birth_date=f.birth_date)


def _talk_late(f: CaseFacts, p: Params, out: _Collector) -> None:
    s01, s02 = f.dates.get("S01"), f.dates.get("S02")
    if not (s01 and s02):
        return
    days = p["interview_within_days"]
    if (s02 - s01).days > days:
        out.add("talk_late", "S02", "recruitment.interview_within_days",
                _("派人谈话（%(s02)s）距收到入党申请书（%(s01)s）%(gap)d天，超过%(n)d天。")
                % {"s02": _d(s02), "s01": _d(s01), "gap": (s02 - s01).days, "n": days},
                S01=s01, S02=s02)


def _inverted(out: _Collector, step: str, later: date, earlier: date, what: str, before: str) -> None:
    out.add("order_inverted", step, "recruitment.step_order",
            _("%(what)s（%(later)s）早于%(before)s（%(earlier)s）。")
            % {"what": what, "later": _d(later), "before": before, "earlier": _d(earlier)},
            later=later, earlier=earlier)


def _order(f: CaseFacts, p: Params, out: _Collector) -> None:
    for step in steps.STEPS:
        own = f.dates.get(step.code)
        if step.has_reviews:
            for parent in step.after:
                if parent in f.dates:
                    for day in sorted(f.reviews.get(step.code, [])):
                        if day < f.dates[parent]:
                            _inverted(out, step.code, day, f.dates[parent],
                                      _("%(step)s的考察") % {"step": step.label}, _step_name(parent))
            continue
        if own is None:
            continue
        for parent in step.after:
            if parent in f.dates and own < f.dates[parent]:
                _inverted(out, step.code, own, f.dates[parent], step.label, _step_name(parent))
    if f.training_end and f.dates.get("S11") and f.training_end < f.dates["S11"]:
        _inverted(out, "S11", f.training_end, f.dates["S11"], _("集中培训结束日期"), _("开始日期"))
    if f.notice_start and f.dates.get("S12") and f.notice_start < f.dates["S12"]:
        _inverted(out, "S13", f.notice_start, f.dates["S12"], _("公示开始日期"), _step_name("S12"))
    if f.notice_start and f.notice_end and f.notice_end < f.notice_start:
        _inverted(out, "S13", f.notice_end, f.notice_start, _("公示结束日期"), _("公示开始日期"))
    if f.notice_end and f.dates.get("S15") and f.dates["S15"] < f.notice_end:
        _inverted(out, "S15", f.dates["S15"], f.notice_end, _step_name("S15"), _("公示期满"))


def _missing(f: CaseFacts, p: Params, out: _Collector) -> None:
    present = f.present()
    for step in steps.STEPS:
        if not step.required or step.code in present:
            continue
        later = [code for code in present if step.code in steps.ancestors(code)]
        if not later:
            continue
        first = min(later, key=lambda c: steps.ORDER[c])
        out.add("missing_step", step.code, "recruitment.step_order",
                _("缺少%(missing)s，但已记录其后的%(later)s（%(date)s）。")
                % {"missing": step.label, "later": _step_name(first), "date": _d(f.dates.get(first))},
                later=f.dates.get(first))


def _review_gap(f: CaseFacts, p: Params, out: _Collector) -> None:
    start, end = f.dates.get("S03"), f.dates.get("S07")
    if start is None:
        return
    months = p["activist_review_every_months"]
    reviews = sorted(d for d in f.reviews.get("S06", []) if d >= start and (end is None or d <= end))
    prev, prev_label = start, _step_name("S03")
    for day in reviews:
        if day > add_months(prev, months):
            out.add("review_gap", "S06", "recruitment.activist_review_every_months",
                    _("培养考察（%(day)s）距上一次（%(prev_label)s，%(prev)s）超过%(n)d个月，应不晚于%(due)s。")
                    % {"day": _d(day), "prev_label": prev_label, "prev": _d(prev), "n": months,
                       "due": _d(add_months(prev, months))},
                    previous=prev, review=day)
        prev, prev_label = day, _("培养考察")
    if end is not None and end > add_months(prev, months):
        out.add("review_gap", "S06", "recruitment.activist_review_every_months",
                _("确定发展对象（%(end)s）前，自%(prev_label)s（%(prev)s）起超过%(n)d个月没有培养考察（应不晚于%(due)s）。")
                % {"end": _d(end), "prev_label": prev_label, "prev": _d(prev), "n": months,
                   "due": _d(add_months(prev, months))},
                previous=prev, S07=end)


def _cultivation(f: CaseFacts, p: Params, out: _Collector) -> None:
    s03, s07 = f.dates.get("S03"), f.dates.get("S07")
    if not (s03 and s07):
        return
    months = p["activist_min_months_before_candidate"]
    earliest = add_months(s03, months)
    if s07 < earliest:
        out.add("cultivation_too_short", "S07", "recruitment.activist_min_months_before_candidate",
                _("确定发展对象（%(s07)s）距确定为入党积极分子（%(s03)s）不满%(n)d个月，最早应为%(earliest)s。")
                % {"s07": _d(s07), "s03": _d(s03), "n": months, "earliest": _d(earliest)},
                S03=s03, S07=s07)


def _people(f: CaseFacts, p: Params, out: _Collector) -> None:
    day = f.dates.get("S05")
    if f.mentors is not None and (day or f.mentors):
        lo, hi = p["mentors_min"], p["mentors_max"]
        if not lo <= len(f.mentors) <= hi:
            out.add("mentor_count", "S05", "recruitment.mentors_min",
                    _("培养联系人为%(n)d名，应为%(lo)d至%(hi)d名正式党员（%(date)s）。")
                    % {"n": len(f.mentors), "lo": lo, "hi": hi, "date": _d(day)}, S05=day)
        for m in f.mentors:
            if not m.full_member:
                out.add("mentor_not_full_member", "S05", "recruitment.mentors_min",
                        _("培养联系人%(name)s在指定时（%(date)s）不是正式党员。") % {"name": m.name, "date": _d(day)},
                        S05=day)
    day = f.dates.get("S09")
    if f.sponsors is not None and (day or f.sponsors):
        n = p["sponsors"]
        if len(f.sponsors) != n:
            out.add("sponsor_count", "S09", "recruitment.sponsors",
                    _("入党介绍人为%(k)d名，应为%(n)d名正式党员（%(date)s）。")
                    % {"k": len(f.sponsors), "n": n, "date": _d(day)}, S09=day)
        for s in f.sponsors:
            if not s.full_member:
                out.add("sponsor_not_full_member", "S09", "recruitment.sponsors",
                        _("入党介绍人%(name)s在确定时（%(date)s）不是正式党员。") % {"name": s.name, "date": _d(day)},
                        S09=day)
            elif s.restriction:
                out.add("sponsor_not_full_member", "S09", "recruitment.sponsors",
                        _("入党介绍人%(name)s在确定时（%(date)s）%(restriction)s，不能担任入党介绍人。")
                        % {"name": s.name, "date": _d(day), "restriction": s.restriction}, S09=day)


def _training(f: CaseFacts, p: Params, out: _Collector) -> None:
    start = f.dates.get("S11")
    if start is None:
        return
    end = f.training_end or start
    days = max((end - start).days + 1, 0)
    hours = f.training_hours or 0
    min_days, min_hours = p["training_min_days"], p["training_min_hours"]
    if days < min_days and hours < min_hours:
        out.add("training_too_short", "S11", "recruitment.training_min_days",
                _("集中培训（%(start)s至%(end)s）共%(days)d天、%(hours)s学时，不足%(min_days)d天且不足%(min_hours)d学时。")
                % {"start": _d(start), "end": _d(end), "days": days, "hours": f"{hours:g}",
                   "min_days": min_days, "min_hours": min_hours},
                start=start, end=end)


def _notice(f: CaseFacts, p: Params, out: _Collector, *, workdays: Callable[[date, date], int]) -> None:
    need = p["public_notice_working_days"]
    if f.notice_start and f.notice_end:
        if f.notice_end < f.notice_start:
            return  # order_inverted says it
        n = workdays(f.notice_start, f.notice_end)
        if n < need:
            out.add("public_notice_short", "S13", "recruitment.public_notice_working_days",
                    _("公示期（%(start)s至%(end)s）只有%(n)d个工作日（按节假日安排计算），少于%(need)d个工作日。")
                    % {"start": _d(f.notice_start), "end": _d(f.notice_end), "n": n, "need": need},
                    start=f.notice_start, end=f.notice_end)
    elif f.dates.get("S15"):
        out.add("public_notice_short", "S13", "recruitment.public_notice_working_days",
                _("支部大会讨论接收（%(s15)s）前没有记录公示期，应公示不少于%(need)d个工作日。")
                % {"s15": _d(f.dates["S15"]), "need": need}, S15=f.dates["S15"])


def _votes(f: CaseFacts, p: Params, out: _Collector) -> None:
    for code, vote in sorted(f.votes.items()):
        outcome = evaluate_vote(
            eligible=vote.eligible, present=vote.present, in_favour=vote.in_favour, against=vote.against,
            abstaining=vote.abstaining, written_in_favour=vote.written_in_favour,
        )
        day = f.dates.get(code)
        inconsistent = [m for c, m in outcome.problems if c not in ("vote_quorum", "vote_majority")]
        if inconsistent:
            out.add("vote_counts_inconsistent", code, "recruitment.vote_pass",
                    _("%(step)s（%(date)s）的票数有误：%(problems)s")
                    % {"step": _step_name(code), "date": _d(day), "problems": "".join(inconsistent)}, **{code: day})
        for c, message in outcome.problems:
            if c == "vote_quorum":
                out.add("vote_quorum", code, "recruitment.vote_quorum",
                        _("%(step)s（%(date)s）：%(message)s") % {"step": _step_name(code), "date": _d(day),
                                                               "message": message}, **{code: day})
            elif c == "vote_majority":
                out.add("vote_majority", code, "recruitment.vote_pass",
                        _("%(step)s（%(date)s）：%(message)s") % {"step": _step_name(code), "date": _d(day),
                                                               "message": message}, **{code: day})


def _approvals(f: CaseFacts, p: Params, out: _Collector) -> None:
    for step, base, rule_normal, code in (
        ("S17", "S15", "approval_max_months", "approval_late"),
        ("S24", "S23", "conversion_approval_max_months", "conversion_approval_late"),
    ):
        done, resolved = f.dates.get(step), f.dates.get(base)
        if not (done and resolved):
            continue
        special = bool(f.special.get(step))
        months = p["approval_max_months_special"] if special else p[rule_normal]
        latest = add_months(resolved, months)
        if done > latest:
            rule = "recruitment.approval_max_months_special" if special else f"recruitment.{rule_normal}"
            out.add(code, step, rule,
                    _("%(step)s（%(done)s）距%(base)s（%(resolved)s）超过%(n)d个月%(special)s，应不晚于%(latest)s。")
                    % {"step": _step_name(step), "done": _d(done), "base": _step_name(base), "resolved": _d(resolved),
                       "n": months, "special": _("（特殊情况）") if special else "", "latest": _d(latest)},
                    **{base: resolved, step: done})


def probation_ends_on(s15: date, extension_months: int | None, params: Params) -> date:
    """The end of the probation: one year from the branch meeting's resolution, plus any extension."""
    return add_months(s15, params["probation_months"] + (extension_months or 0))


def _probation(f: CaseFacts, p: Params, out: _Collector) -> None:
    ext = f.extension_months
    if ext is not None:
        lo, hi = p["probation_extension_min_months"], p["probation_extension_max_months"]
        if not lo <= ext <= hi:
            out.add("extension_out_of_range", "S23", "recruitment.probation_extension_min_months",
                    _("延长预备期%(n)d个月，应为%(lo)d至%(hi)d个月。") % {"n": ext, "lo": lo, "hi": hi},
                    decided_on=f.extension_decided_on)
    s15, s23 = f.dates.get("S15"), f.dates.get("S23")
    if not (s15 and s23):
        return
    ends = probation_ends_on(s15, ext, p)
    if s23 < ends:
        extra = _("（含延长%(n)d个月）") % {"n": ext} if ext else ""
        out.add("probation_short", "S23", "recruitment.probation_months",
                _("支部大会讨论转正（%(s23)s）时预备期尚未期满：预备期自%(s15)s起%(extra)s至%(ends)s。")
                % {"s23": _d(s23), "s15": _d(s15), "extra": extra, "ends": _d(ends)},
                S15=s15, S23=s23, probation_ends_on=ends)


def _future(f: CaseFacts, p: Params, out: _Collector) -> None:
    found: list[tuple[str, date]] = [(c, d) for c, d in f.dates.items()]
    found += [(c, d) for c, days in f.reviews.items() for d in days]
    if f.training_end:
        found.append(("S11", f.training_end))
    found += [("S13", d) for d in (f.notice_start, f.notice_end) if d]
    if f.extension_decided_on:
        found.append(("S23", f.extension_decided_on))
    for code, day in sorted(found, key=lambda x: (steps.ORDER[x[0]], x[1])):
        if day > p.today:
            out.add("future_date", code, "recruitment.no_future_dates",
                    _("%(step)s的日期%(day)s晚于今天（%(today)s）。")
                    % {"step": _step_name(code), "day": _d(day), "today": _d(p.today)}, date=day)


def workdays_counter() -> Callable[[date, date], int]:
    """Working days of a 公示 window, counted with the holiday table read once (core.calendar)."""
    from dangjian.core.calendar import working_days_counter

    return working_days_counter()


def check_case(facts: CaseFacts, params: Params, *, workdays: Callable[[date, date], int] | None = None
               ) -> list[Violation]:
    """Every violation of the case's recorded facts, in step order. `workdays` counts working days (the
    holiday calendar by default; the legacy audit passes a memoised one)."""
    out = _Collector()
    for check in (_too_young, _talk_late, _order, _missing, _review_gap, _cultivation, _people, _training,
                  _votes, _approvals, _probation, _future):
        check(facts, params, out)
    _notice(facts, params, out, workdays=workdays or working_days_between)
    unique: dict[tuple[str, str, str], Violation] = {}
    for v in out.found:
        unique.setdefault((v.code, v.step, v.message), v)
    return sorted(unique.values(), key=lambda v: (steps.ORDER.get(v.step, 99), CODES.index(v.code)))
