"""What comes next in a case, and by when (issue 4 §3): each available step with its earliest and latest
dates and the rule that gives them ("确定发展对象: 最早 2026-03-20"). Pure, over the same CaseFacts as the
checks, so guidance and refusal never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dangjian.core.calendar import add_working_days
from dangjian.core.periods import add_months

from . import steps
from .checks import CaseFacts, Params, probation_ends_on

NEAR_DAYS = 14  # a deadline this close is "near" on the committee's page and in reminders


@dataclass(frozen=True)
class Due:
    """One thing to do next: a step (or the next activist review) with its window."""

    step: str
    kind: str  # "step" | "review"
    earliest: date | None
    latest: date | None
    responsible: str
    why: str  # the rule behind the dates
    today: date

    @property
    def name(self) -> str:
        return _("下一次培养考察") if self.kind == "review" else steps.get(self.step).name

    @property
    def text(self) -> str:
        parts = []
        if self.earliest:
            parts.append(_("最早 %(d)s") % {"d": self.earliest.isoformat()})
        if self.latest:
            parts.append(_("最迟 %(d)s") % {"d": self.latest.isoformat()})
        return f"{self.name}: {pgettext('list separator', '，').join(parts)}" if parts else self.name

    @property
    def overdue(self) -> bool:
        return self.latest is not None and self.latest < self.today

    @property
    def near(self) -> bool:
        return self.latest is not None and self.today <= self.latest <= self.today + timedelta(days=NEAR_DAYS)

    @property
    def not_yet(self) -> bool:
        return self.earliest is not None and self.earliest > self.today


def _latest_of(*days: date | None) -> date | None:
    found = [d for d in days if d]
    return max(found) if found else None


def next_due(facts: CaseFacts, params: Params) -> list[Due]:
    """The steps whose predecessors are all recorded, with their windows, plus the activist review due."""
    present = facts.present()
    d = facts.dates
    out: list[Due] = []
    for step in steps.STEPS:
        if step.code in present or step.has_reviews or not all(p in present for p in step.after):
            continue
        earliest = _latest_of(*(d.get(p) for p in step.after))
        latest = None
        why = ""
        code = step.code
        if code == "S02":
            latest = d["S01"] + timedelta(days=params["interview_within_days"])
            why = _("收到申请书后%(n)d天内派人谈话") % {"n": params["interview_within_days"]}
        elif code == "S03":
            earliest = _latest_of(earliest, add_months(d["S01"], params["application_min_months_before_activist"]))
            why = _("递交申请书满%(n)d个月（本院规定）") % {"n": params["application_min_months_before_activist"]}
        elif code == "S07":
            earliest = _latest_of(earliest, add_months(d["S03"], params["activist_min_months_before_candidate"]))
            why = _("培养教育满%(n)d个月") % {"n": params["activist_min_months_before_candidate"]}
        elif code == "S12":
            earliest = _latest_of(earliest, facts.training_end)
        elif code == "S13":
            why = _("公示不少于%(n)d个工作日") % {"n": params["public_notice_working_days"]}
        elif code == "S15":
            notice_done = facts.notice_end
            if facts.notice_start and not notice_done:
                notice_done = add_working_days(facts.notice_start, params["public_notice_working_days"])
            earliest = _latest_of(earliest, notice_done)
            why = _("公示期满后召开支部大会")
        elif code in ("S16", "S17") and d.get("S15"):
            latest = add_months(d["S15"], params["approval_max_months"])
            why = _("支部大会后%(n)d个月内审批（特殊情况%(m)d个月）") % {
                "n": params["approval_max_months"], "m": params["approval_max_months_special"]}
        elif code in ("S22", "S23") and d.get("S15"):
            ends = probation_ends_on(d["S15"], facts.extension_months, params)
            if code == "S23":
                earliest = _latest_of(earliest, ends)
            why = _("预备期至%(d)s期满") % {"d": ends.isoformat()}
        elif code == "S24":
            months = params["approval_max_months_special" if facts.special.get("S24") else
                           "conversion_approval_max_months"]
            latest = add_months(d["S23"], months)
            why = _("转正决议后%(n)d个月内审批") % {"n": months}
        out.append(Due(code, "step", earliest, latest, str(step.actor), why, params.today))
    if "S03" in d and "S07" not in d:
        reviews = [r for r in facts.reviews.get("S06", []) if r >= d["S03"]]
        last = max(reviews) if reviews else d["S03"]
        out.append(Due("S06", "review", None, add_months(last, params["activist_review_every_months"]),
                       str(steps.get("S06").actor),
                       _("每%(n)d个月考察一次") % {"n": params["activist_review_every_months"]}, params.today))
    return out
