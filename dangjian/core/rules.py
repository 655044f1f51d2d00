"""The rules registry (DESIGN §7): every number from a regulation, with its source and evidence tag.

National values are the defaults. A college may override a value (RuleOverride, edited by an
administrator and audited); for CONFIRMED rules only in the stricter direction.
Each domain app declares its own rules (`<app>/rules.py`) and registers them from its AppConfig.ready()
with `register()`, so apps never edit one shared list; codes are prefixed by the app (`meetings.…`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import DomainError


class Tag:
    CONFIRMED = "CONFIRMED"
    SECONDARY = "CONFIRMED-secondary"
    LOCAL = "LOCAL"
    UNCONFIRMED = "UNCONFIRMED"


@dataclass(frozen=True)
class Rule:
    code: str
    value: Any
    unit: str
    title: Any
    source: str
    tag: str
    # "min": a larger value is stricter; "max": a smaller value is stricter; None: no direction.
    stricter: str | None = None

    @property
    def locked_direction(self) -> bool:
        return self.tag in (Tag.CONFIRMED, Tag.SECONDARY) and self.stricter is not None


_RULES = [
    # RULES.md §2 — branch structure (组织设置)
    Rule("org.branch_min_full_members", 3, "人", _("成立党支部的最少正式党员数"),
         "党章 第30条；支部工作条例 第二章", Tag.SECONDARY, "min"),
    Rule("org.joint_branch_max_units", 5, "个单位", _("联合党支部覆盖单位数上限"),
         "支部工作条例 第二章", Tag.SECONDARY, "max"),
    Rule("org.branch_max_members", 50, "人", _("党支部党员人数上限"),
         "支部工作条例 第二章（一般不超过50人）", Tag.SECONDARY, "max"),
    Rule("org.committee_required_at_full_members", 7, "人", _("须设立支部委员会的正式党员数"),
         "支部工作条例 第六章（第20条）", Tag.SECONDARY, "max"),
    Rule("org.committee_size_min", 3, "人", _("支部委员会最少委员数"),
         "支部工作条例 第六章", Tag.SECONDARY, "min"),
    Rule("org.committee_size_max", 7, "人", _("支部委员会最多委员数"),
         "支部工作条例 第六章（一般3至5人，最多不超过7人）", Tag.SECONDARY, "max"),
    Rule("org.branch_term_years", 3, "年", _("支部委员会任期"),
         "关于党的基层组织任期的意见（2018）", Tag.CONFIRMED, None),
    Rule("org.term_shift_max_years", 1, "年", _("提前或延期换届的最长期限"),
         "关于党的基层组织任期的意见（2018）", Tag.CONFIRMED, "max"),
    Rule("org.term_warning_days", 90, "天", _("任期届满提醒提前天数"),
         "本院规定", Tag.LOCAL, "min"),
    Rule("org.secretary_min_party_years", 1, "年", _("支部书记最少党龄"),
         "支部工作条例 第23条（一般应当具有1年以上党龄）", Tag.SECONDARY, "min"),
    Rule("org.general_branch_threshold", 50, "人", _("设立党总支的党员数"),
         "党章 第30条；50/100 为地方惯例", Tag.LOCAL, None),
    Rule("org.party_committee_threshold", 100, "人", _("设立基层党委的党员数"),
         "党章 第30条；50/100 为地方惯例", Tag.LOCAL, None),
    # RULES.md §3 — used by the roster import's plausibility checks
    Rule("recruitment.min_age", 18, "岁", _("申请入党最低年龄"),
         "党章 第1条；发展党员工作细则 第5条", Tag.SECONDARY, "min"),
    Rule("recruitment.probation_months", 12, "个月", _("预备期"),
         "党章 第7条", Tag.CONFIRMED, None),
]

RULES: dict[str, Rule] = {r.code: r for r in _RULES}


def register(rules: list[Rule]) -> None:
    """Add an app's rules to the registry (called once, from AppConfig.ready)."""
    for rule in rules:
        if rule.code in RULES and RULES[rule.code] != rule:
            raise ValueError(f"rule {rule.code!r} registered twice with different values")
        RULES[rule.code] = rule


class RuleError(DomainError):
    pass


def get_rule(code: str) -> Rule:
    return RULES[code]


def value(code: str) -> Any:
    """The value in force: the college's override if any, else the national default."""
    from .models import RuleOverride

    override = RuleOverride.objects.filter(code=code).values_list("value", flat=True).first()
    return RULES[code].value if override is None else override


def values(*codes: str) -> dict[str, Any]:
    """Several values in one query."""
    from .models import RuleOverride

    found = dict(RuleOverride.objects.filter(code__in=codes).values_list("code", "value"))
    return {c: found.get(c, RULES[c].value) for c in codes}


PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def _is_frequency(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"period", "count"}


def frequency_per_year(value: dict[str, Any]) -> float:
    return value["count"] * 12 / PERIOD_MONTHS[value["period"]]


def check_override(code: str, new_value: Any) -> None:
    """Refuse a value that loosens a CONFIRMED rule (DESIGN §7).

    Numbers compare in the rule's stricter direction; a frequency `{"period", "count"}` is stricter when it asks
    for at least as many sittings a year; other structured values (lists, tables) of national rules are fixed.
    """
    rule = RULES.get(code)
    if rule is None:
        raise RuleError("unknown_rule", _("没有这条规则：%(code)s") % {"code": code})
    if type(new_value) is not type(rule.value):
        raise RuleError("bad_value", _("取值类型应与默认值相同"))
    national = rule.tag in (Tag.CONFIRMED, Tag.SECONDARY)
    if _is_frequency(rule.value):
        if not _is_frequency(new_value) or new_value["period"] not in PERIOD_MONTHS or not (
            isinstance(new_value["count"], int) and new_value["count"] >= 1
        ):
            raise RuleError("bad_value", _("频次应为周期（month/quarter/half/year）和不少于1的次数"))
        if national and frequency_per_year(new_value) < frequency_per_year(rule.value):
            raise RuleError(
                "looser_than_national",
                _("“%(title)s”为%(tag)s规则（%(source)s），频次只能比全国默认值更高")
                % {"title": rule.title, "tag": rule.tag, "source": rule.source},
            )
        return
    if not isinstance(rule.value, (int, float)):
        if national:
            raise RuleError("not_overridable", _("“%(title)s”为全国性规定（%(source)s），不能修改")
                            % {"title": rule.title, "source": rule.source})
        return
    if rule.locked_direction:
        looser = new_value < rule.value if rule.stricter == "min" else new_value > rule.value
        if looser:
            raise RuleError(
                "looser_than_national",
                _("“%(title)s”为%(tag)s规则（%(source)s），只能比全国默认值 %(default)s 更严格")
                % {"title": rule.title, "tag": rule.tag, "source": rule.source, "default": rule.value},
            )
