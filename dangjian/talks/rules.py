"""The talks rules of RULES.md §4, registered into the rules registry (core.rules) at start-up.

Each value is the least number of talks a required pair holds in a calendar year. Who the pairs are:

* ``talks.secretary_teachers`` — each 院党委书记 (an active ``committee_secretary`` post on a committee) with
  every teacher of that committee: a current person (not deleted, not transferred out) whose category is
  教职工 (``faculty``) and whose nearest committee is that one. Members or not; retired staff are not teachers.
* ``talks.committee_activists`` — each 党委委员 with every 入党积极分子 of the committee. 党委委员 are the
  members of the committee as a body: the posts ``committee_secretary``, ``committee_deputy`` and
  ``committee_member``. The 组织员 and 党务工作人员 are staff posts, not members of the committee.
* ``talks.branch_members`` — each branch committee member (``branch_secretary``, ``branch_deputy``,
  ``branch_committee_member`` of the branch) with each member (预备党员 or 正式党员) of the branch; a pair of
  two committee members is one pair (支部工作条例 Art. 19: "每年谈心谈话一般不少于1次").
"""

from django.utils.translation import gettext_lazy as _

from dangjian.core.rules import Rule, Tag

RULES: list[Rule] = [
    Rule("talks.secretary_teachers", 1, "次/年", _("院党委书记与每位教师每年谈心谈话次数"),
         "本院规定（党委书记带头与全院每位教师一对一谈话）", Tag.LOCAL, "min"),
    Rule("talks.committee_activists", 1, "次/年", _("院党委委员与每名入党积极分子每年谈话次数"),
         "本院规定（每位党委委员与入党积极分子一对一谈话）", Tag.LOCAL, "min"),
    Rule("talks.branch_members", 1, "次/年", _("支部委员与本支部每名党员每年谈心谈话次数"),
         "支部工作条例 第19条", Tag.SECONDARY, "min"),
]
