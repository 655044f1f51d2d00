"""The recruitment rules of RULES.md §3 (the `recruitment:` yaml), registered into core.rules at start-up.

`recruitment.min_age` and `recruitment.probation_months` are already in the foundation's list (the roster
import uses them) and are read from there. Article numbers the catalogue marks UNCONFIRMED say so.
The vote rules are not numbers a college may change: core.votes counts "more than half" of those entitled,
and they are here so that a vote violation can cite its rule like every other one.
"""

from django.utils.translation import gettext_lazy as _

from dangjian.core.rules import Rule, Tag

XIZE = "发展党员工作细则"

RULES: list[Rule] = [
    Rule("recruitment.interview_within_days", 30, "天", _("收到入党申请书后派人谈话的期限"),
         f"{XIZE} 第7条（条款号待核；“一个月内”）", Tag.SECONDARY, "max"),
    Rule("recruitment.application_min_months_before_activist", 6, "个月", _("递交申请书至确定为入党积极分子的最短时间"),
         "本院规定（地方做法）", Tag.LOCAL, "min"),
    Rule("recruitment.mentors_min", 1, "人", _("培养联系人最少人数"),
         f"{XIZE} 第9条（条款号待核；“一至两名正式党员”）", Tag.SECONDARY, "min"),
    Rule("recruitment.mentors_max", 2, "人", _("培养联系人最多人数"),
         f"{XIZE} 第9条（条款号待核；“一至两名正式党员”）", Tag.SECONDARY, "max"),
    Rule("recruitment.activist_review_every_months", 6, "个月", _("入党积极分子培养考察间隔"),
         f"{XIZE} 第11条（每半年考察一次）", Tag.SECONDARY, "max"),
    Rule("recruitment.activist_min_months_before_candidate", 12, "个月", _("入党积极分子培养教育最短时间"),
         f"{XIZE} 第13条（经过一年以上培养教育和考察）", Tag.CONFIRMED, "min"),
    Rule("recruitment.sponsors", 2, "人", _("入党介绍人人数"),
         f"{XIZE} 第14条（一般由两名正式党员担任）", Tag.CONFIRMED, None),
    Rule("recruitment.training_min_days", 3, "天", _("发展对象集中培训最少天数"),
         f"{XIZE} 第18条（不少于3天或24个学时）", Tag.SECONDARY, "min"),
    Rule("recruitment.training_min_hours", 24, "学时", _("发展对象集中培训最少学时"),
         f"{XIZE} 第18条（不少于3天或24个学时）", Tag.SECONDARY, "min"),
    Rule("recruitment.public_notice_working_days", 5, "个工作日", _("发展公示最少工作日"),
         "本院规定（发展党员公示制度，地方做法）", Tag.LOCAL, "min"),
    Rule("recruitment.leaving_unit_block_months", 3, "个月", _("预审时即将离开单位的期限（一般不予接收）"),
         f"{XIZE} 第19条", Tag.CONFIRMED, "min"),
    Rule("recruitment.vote_quorum", "more_than_half", "", _("支部大会表决：到会有表决权党员超过应到会的半数"),
         f"{XIZE} 第20条；支部工作条例 第11条", Tag.CONFIRMED, None),
    Rule("recruitment.vote_pass", "more_than_half", "", _("支部大会表决：赞成票（含书面意见）超过应到会有表决权党员的半数"),
         f"{XIZE} 第21条、第33条；支部工作条例 第11条", Tag.CONFIRMED, None),
    Rule("recruitment.approval_max_months", 3, "个月", _("支部大会决议后上级党委审批的期限"),
         f"{XIZE} 第24条（条款号待核）", Tag.SECONDARY, "max"),
    Rule("recruitment.approval_max_months_special", 6, "个月", _("特殊情况下审批期限"),
         f"{XIZE} 第24条（条款号待核；特殊情况可延长至6个月）", Tag.SECONDARY, "max"),
    Rule("recruitment.probation_extension_min_months", 6, "个月", _("延长预备期最短时间"),
         f"党章 第7条；{XIZE} 第33条（延长时间不能少于半年）", Tag.CONFIRMED, None),
    Rule("recruitment.probation_extension_max_months", 12, "个月", _("延长预备期最长时间"),
         f"党章 第7条（延长预备期，但不能超过一年）；{XIZE} 第33条", Tag.CONFIRMED, None),
    Rule("recruitment.conversion_approval_max_months", 3, "个月", _("转正决议后上级党委审批的期限"),
         f"{XIZE} 第34条（条款号待核）", Tag.SECONDARY, "max"),
    Rule("recruitment.step_order", "S01-S25", "", _("发展党员各步骤的先后顺序"),
         f"{XIZE} 第二章至第六章（25个步骤）", Tag.SECONDARY, None),
    Rule("recruitment.no_future_dates", "today", "", _("记录的日期不得晚于当天"),
         "本院规定（材料据实记录，不得预填）", Tag.LOCAL, None),
]
