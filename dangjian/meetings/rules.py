"""The meetings rules of RULES.md §1 (三会一课, 主题党日, 组织生活会, 民主评议, quorum and voting), registered into
the rules registry (core.rules) at start-up.

Shapes, so that every reader interprets a value the same way:

- `meetings.frequency.<kind>`: `{"period": "month" | "quarter" | "half" | "year", "count": n}` — at least n
  held sittings of that kind per period (core.periods). A kind without such a rule has no frequency
  requirement (党政沟通会); `FREQUENCY_CODES` lists the kinds that have one.
- thresholds (`…quorum`, `…majority`, caps): a ratio of the base; `STRICT[code]` says whether the part must be
  *more than* (超过, "半数以上" read strictly, RULES.md cross-cutting notes) or *at least* (不少于) that ratio.
  Use `threshold_met(part, whole, code, ratio)`; ratios are compared as fractions (0.6667 → 2/3).
- `meetings.kinds.<OrgUnitKind>`: the meeting kinds a unit of that kind may hold (支委会 additionally needs
  `has_committee`, 支部工作条例 第20条; see selectors.allowed_kinds).
- `meetings.combinations.<kind>`: the other kinds one sitting of `kind` may also count for
  (selectors.allowed_combinations).
- `meetings.lecture.segments`: the branch categories (OrgUnitCategory) of each lecture audience segment.
"""

from __future__ import annotations

from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from dangjian.core.rules import Rule, Tag

from .choices import MeetingKind as K

_CONFIRMED, _SECONDARY, _LOCAL, _UNCONFIRMED = Tag.CONFIRMED, Tag.SECONDARY, Tag.LOCAL, Tag.UNCONFIRMED

ZBTL = "支部工作条例（试行）"
JYGL = "党员教育管理工作条例"


def _freq(kind: str, period: str, count: int, title, source: str, tag: str) -> Rule:
    return Rule(f"meetings.frequency.{kind}", {"period": period, "count": count}, "次/周期", title, source, tag)


FREQUENCIES = [
    _freq(K.BRANCH_GENERAL, "quarter", 1, _("支部党员大会召开频次（每季度至少1次）"), f"{ZBTL} 第11条", _CONFIRMED),
    _freq(K.BRANCH_COMMITTEE, "month", 1, _("支委会召开频次（每月至少1次）"), f"{ZBTL} 第12条", _CONFIRMED),
    _freq(K.GROUP, "month", 1, _("党小组会召开频次（每月至少1次）"), f"{ZBTL} 第13条", _CONFIRMED),
    _freq(K.LECTURE, "quarter", 1, _("党支部党课频次（每季度至少1次）"),
          f"{ZBTL} 第五章（按期上党课）；每季度1次为本地规定", _LOCAL),
    _freq(K.THEME_DAY, "month", 1, _("主题党日频次（每月1次）"), f"{JYGL} 第16条", _CONFIRMED),
    _freq(K.ORG_LIFE, "year", 1, _("组织生活会频次（每年至少1次）"), f"{ZBTL} 第17条；{JYGL} 第17条", _CONFIRMED),
    _freq(K.MEMBER_APPRAISAL, "year", 1, _("民主评议党员频次（每年1次）"), f"{ZBTL} 第18条；{JYGL} 第18条", _CONFIRMED),
    _freq(K.LEADERSHIP_LIFE, "year", 1, _("民主生活会频次（每年至少1次）"), "党内工作手册（民主生活会每年至少召开1次）",
          _SECONDARY),
    _freq(K.COMMITTEE, "month", 1, _("院党委会频次（约每月1次）"), "院(部)党委会议议事规则", _LOCAL),
    _freq(K.JOINT, "month", 2, _("党政联席会议频次（每周或每两周1次）"), "党政联席会议议事规则", _LOCAL),
]

# kind → registry code of its frequency (the kinds not listed have no frequency requirement).
FREQUENCY_CODES: dict[str, str] = {r.code.rsplit(".", 1)[1]: r.code for r in FREQUENCIES}

RULES: list[Rule] = [
    *FREQUENCIES,
    Rule("meetings.lecture.secretary_per_year", 1, "次/年", _("党委（党支部）书记每年讲党课次数"),
         f"{ZBTL} 第五章（条号待核）", _CONFIRMED, "min"),
    Rule("meetings.org_life.default_quarter", 4, "季度", _("组织生活会一般召开的季度"), f"{ZBTL} 第17条", _CONFIRMED),
    Rule("meetings.theme_day.fixed_day", 0, "日", _("主题党日固定日期（0 表示不固定）"), f"{JYGL} 第16条（固定日期由支部确定）",
         _LOCAL),
    # ---- votes (支部党员大会) and quorums
    Rule("meetings.vote.kinds", [K.BRANCH_GENERAL.value], "会议类型", _("表决须在支部党员大会上进行"),
         f"{ZBTL} 第11条", _CONFIRMED),
    Rule("meetings.vote.quorum", 0.5, "比例（超过）", _("表决须有半数以上有表决权的党员到会"), f"{ZBTL} 第11条", _CONFIRMED,
         "min"),
    Rule("meetings.vote.majority", 0.5, "比例（超过）", _("赞成人数须超过应到会有表决权党员的半数"), f"{ZBTL} 第11条",
         _CONFIRMED, "min"),
    Rule("meetings.vote.written_opinion_subjects", ["admission", "conversion"], "表决事项",
         _("书面意见计入票数的表决事项（接收预备党员、预备党员转正）"), "发展党员工作细则 第21条、第33条", _CONFIRMED),
    Rule("meetings.election.quorum", 0.8, "比例（超过）", _("选举须有超过五分之四的有选举权的党员到会"),
         "基层组织选举工作条例（2020） 第5条；选举工作暂行条例（1990） 第22条", _SECONDARY, "min"),
    Rule("meetings.election.majority", 0.5, "比例（超过）", _("当选须获应到会有选举权党员的过半数赞成（从严以应到会为基数）"),
         "选举工作暂行条例（1990） 第22条（基数待核）", _UNCONFIRMED, "min"),
    Rule("meetings.branch_committee.quorum", 0.5, "比例（超过）", _("支委会须有半数以上委员到会"), f"{ZBTL} 第12条",
         _CONFIRMED, "min"),
    Rule("meetings.leadership_life.quorum", 0.6667, "比例（不少于）", _("民主生活会到会人数不少于应到会人数的三分之二"),
         "党内工作手册（民主生活会）", _SECONDARY, "min"),
    Rule("meetings.member_appraisal.excellent_cap", 0.3333, "比例（不超过）", _("民主评议“优秀”等次比例上限"),
         "本地民主评议办法", _LOCAL, "max"),
    # ---- QR check-in (a platform setting; check-in is never required, DESIGN §15)
    Rule("meetings.checkin.window_seconds", 60, "秒", _("签到二维码的刷新周期"), "本平台规定", _LOCAL, "max"),
    Rule("meetings.checkin.grace_windows", 1, "个周期", _("签到二维码过期后仍可使用的周期数"), "本平台规定", _LOCAL, "max"),
    Rule("meetings.checkin.opens_before_minutes", 30, "分钟", _("会议开始前多少分钟开放签到"), "本平台规定", _LOCAL, "max"),
    Rule("meetings.checkin.closes_after_minutes", 30, "分钟", _("会议结束后多少分钟关闭签到"), "本平台规定", _LOCAL, "max"),
    Rule("meetings.default_duration_minutes", 90, "分钟", _("未填结束时间时计入个人会议时长的时长"), "本平台规定",
         _LOCAL),
    Rule("meetings.checkin.default_duration_minutes", 180, "分钟", _("未填结束时间时按会议时长计算"), "本平台规定", _LOCAL),
    # ---- attachments (DESIGN §14: uploads checked by type and size)
    Rule("meetings.attachment.max_mb", 10, "MB", _("会议附件大小上限"), "本院规定（等保2.0 上传文件检查）", _LOCAL, "max"),
    Rule("meetings.attachment.types", ["pdf", "docx", "xlsx", "jpg", "png"], "文件类型", _("会议附件允许的文件类型"),
         "本院规定（等保2.0 上传文件检查）", _LOCAL),
    # ---- which unit holds which meetings
    Rule("meetings.kinds.committee",
         [K.COMMITTEE.value, K.JOINT.value, K.PRE_JOINT.value, K.LEADERSHIP_LIFE.value, K.LECTURE.value],
         "会议类型", _("学院党委召开的会议"), "高校基层组织工作条例（2021）院系党组织职责；" + JYGL + " 第16条", _SECONDARY),
    Rule("meetings.kinds.general_branch",
         [K.BRANCH_GENERAL.value, K.BRANCH_COMMITTEE.value, K.LECTURE.value, K.ORG_LIFE.value],
         "会议类型", _("党总支召开的会议"), f"{ZBTL} 第11–17条", _SECONDARY),
    Rule("meetings.kinds.branch",
         [K.BRANCH_GENERAL.value, K.BRANCH_COMMITTEE.value, K.LECTURE.value, K.THEME_DAY.value, K.ORG_LIFE.value,
          K.MEMBER_APPRAISAL.value],
         "会议类型", _("党支部召开的会议（支委会须设支部委员会）"), f"{ZBTL} 第11–18条、第20条", _CONFIRMED),
    Rule("meetings.kinds.group", [K.GROUP.value], "会议类型", _("党小组召开的会议"), f"{ZBTL} 第13条", _CONFIRMED),
    # ---- one sitting, several requirements
    Rule("meetings.combinations.theme_day", [K.BRANCH_GENERAL.value, K.LECTURE.value, K.GROUP.value], "会议类型",
         _("主题党日可同时计为支部党员大会、党课、党小组会"), f"{JYGL} 第16条（主题党日结合“三会一课”）", _LOCAL),
    Rule("meetings.combinations.branch_general",
         [K.THEME_DAY.value, K.LECTURE.value, K.ORG_LIFE.value, K.MEMBER_APPRAISAL.value], "会议类型",
         _("支部党员大会可同时计为主题党日、党课、组织生活会、民主评议党员"), f"{ZBTL} 第17条、第18条", _LOCAL),
    Rule("meetings.combinations.org_life", [K.MEMBER_APPRAISAL.value, K.BRANCH_GENERAL.value], "会议类型",
         _("组织生活会可结合民主评议党员，以支部党员大会形式召开"), f"{ZBTL} 第17条、第18条", _CONFIRMED),
    Rule("meetings.combinations.member_appraisal", [K.ORG_LIFE.value, K.BRANCH_GENERAL.value], "会议类型",
         _("民主评议党员可结合组织生活会，由支部党员大会评定"), f"{ZBTL} 第18条", _CONFIRMED),
    Rule("meetings.combinations.lecture", [K.THEME_DAY.value, K.BRANCH_GENERAL.value], "会议类型",
         _("党课可同时计为主题党日、支部党员大会"), f"{JYGL} 第16条", _LOCAL),
    # ---- lectures for segments (the seed: one college-wide lecture, then teachers and students separately)
    Rule("meetings.lecture.segments",
         {"college": ["faculty", "student", "retired", "mixed"], "faculty": ["faculty"], "student": ["student"]},
         "党支部类别", _("党课听课对象（全院、全体教工党支部、全体学生党支部）包含的党支部类别"), "本院做法", _LOCAL),
]

# Whether a threshold needs strictly more than the ratio (超过/半数以上) or at least it (不少于/不超过 for caps).
STRICT: dict[str, bool] = {
    "meetings.vote.quorum": True,
    "meetings.vote.majority": True,
    "meetings.election.quorum": True,
    "meetings.election.majority": True,
    "meetings.branch_committee.quorum": True,
    "meetings.leadership_life.quorum": False,
    "meetings.member_appraisal.excellent_cap": False,
}


def ratio(value: float) -> Fraction:
    """A registry ratio as an exact fraction (0.6667 → 2/3, 0.8 → 4/5)."""
    return Fraction(value).limit_denominator(20)


def threshold_met(part: int, whole: int, code: str, value: float) -> bool:
    """`part` out of `whole` against the ratio `value` of the rule `code` (strict or not per STRICT).

    Nothing out of nobody meets no threshold: 0 of 0 is never enough.
    """
    if whole <= 0:
        return False
    share = Fraction(part, whole)
    return share > ratio(value) if STRICT[code] else share >= ratio(value)
