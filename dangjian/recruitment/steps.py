"""The catalogue of the 25 steps (RULES.md §3): stage, who takes each, what it records, what must precede it.

Pure data, read by the checks, the services (which right a step needs, which fields it takes), the guidance
and the pages. `after` lists a step's direct predecessors: a step may not be dated before any of them
(`order_inverted`), and a recorded step makes all its ancestors required (`missing_step`) — except the two
continuous observation steps S06 and S21, which are made of reviews; S06's gaps are `review_gap`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.people.choices import PoliticalStatus

from .choices import Stage, StepCode

# Extra data a step records besides its date, responsible person, documents and opinion.
INTERVIEWER = "interviewer"  # S02, S16: a Person
MODE = "mode"  # S03: RecommendationMode
MENTORS = "mentors"  # S05: 1–2 Persons
REVIEWS = "reviews"  # S06, S21: a list of dated reviews instead of one date
SPONSORS = "sponsors"  # S09: 2 Persons
CONCLUSION = "conclusion"  # S10: ReviewConclusion (the material itself is PoliticalReview, sensitive)
TRAINING = "training"  # S11: end date and class hours (the step's date is the first day)
NOTICE = "notice"  # S13: the 公示 window (start, end)
VOTE = "vote"  # S15, S23: the branch general meeting's counts
SPECIAL = "special_extension"  # S17, S24: the special-case extension of the approval period


@dataclass(frozen=True)
class Step:
    code: str
    stage: int
    actor: Any  # who takes the step (shown in the guidance)
    committee: bool  # a committee step: needs RECRUITMENT_APPROVE; otherwise RECRUITMENT_MANAGE
    after: tuple[str, ...] = ()
    documents: tuple[Any, ...] = ()
    extra: tuple[str, ...] = ()
    reaches: str = ""  # the political status the person has once the step is recorded

    @property
    def name(self) -> str:
        return str(StepCode(self.code).label)

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def has_reviews(self) -> bool:
        return REVIEWS in self.extra

    @property
    def required(self) -> bool:
        """Whether its absence is `missing_step` once a later step is recorded (S06/S21 are review_gap's)."""
        return not self.has_reviews


_S = PoliticalStatus

STEPS: tuple[Step, ...] = (
    Step("S01", Stage.APPLICATION, _("申请人"), False, (), (_("入党申请书"),), reaches=_S.APPLICANT),
    Step("S02", Stage.APPLICATION, _("支部书记、副书记或组织委员"), False, ("S01",), (_("谈话记录"),), (INTERVIEWER,)),
    Step("S03", Stage.ACTIVIST, _("支部委员会"), False, ("S02",), (_("推荐表"), _("支委会会议记录")), (MODE,),
         reaches=_S.ACTIVIST),
    Step("S04", Stage.ACTIVIST, _("院党委"), True, ("S03",), (_("入党积极分子备案表"),)),
    Step("S05", Stage.ACTIVIST, _("支部委员会"), False, ("S03",), (_("培养联系人指定记录"),), (MENTORS,)),
    Step("S06", Stage.ACTIVIST, _("党支部、培养联系人"), False, ("S03",), (_("培养考察登记表"), _("思想汇报")),
         (REVIEWS,)),
    Step("S07", Stage.CANDIDATE, _("支部委员会"), False, ("S04", "S05"), (_("支委会会议记录"), _("听取意见记录")),
         reaches=_S.CANDIDATE),
    Step("S08", Stage.CANDIDATE, _("院党委"), True, ("S07",), (_("发展对象备案表"),)),
    Step("S09", Stage.CANDIDATE, _("支部委员会"), False, ("S07",), (_("入党介绍人确定记录"),), (SPONSORS,)),
    Step("S10", Stage.CANDIDATE, _("党支部、院党委"), False, ("S07",), (_("政审材料"), _("政审结论")), (CONCLUSION,)),
    Step("S11", Stage.CANDIDATE, _("院党校"), False, ("S07",), (_("结业证书"), _("学时记录")), (TRAINING,)),
    Step("S12", Stage.ADMISSION, _("支部委员会"), False, ("S08", "S09", "S10", "S11"), (_("审查意见"),)),
    Step("S13", Stage.ADMISSION, _("院党委"), True, ("S12",), (_("预审表"), _("书面通知"), _("公示材料")), (NOTICE,)),
    Step("S14", Stage.ADMISSION, _("发展对象、入党介绍人"), False, ("S13",), (_("入党志愿书"),)),
    Step("S15", Stage.ADMISSION, _("支部党员大会"), False, ("S14",), (_("会议记录"), _("表决票"), _("支部大会决议")),
         (VOTE,)),
    Step("S16", Stage.ADMISSION, _("党委委员或组织员"), True, ("S15",), (_("谈话记录"),), (INTERVIEWER,)),
    Step("S17", Stage.ADMISSION, _("院党委（党委会集体讨论）"), True, ("S16",), (_("党委会纪要"), _("审批意见")),
         (SPECIAL,), reaches=_S.PROBATIONARY),
    Step("S18", Stage.ADMISSION, _("院党委"), True, ("S17",), (_("备案材料"),)),
    Step("S19", Stage.PROBATION, _("党支部"), False, ("S17",), (_("编入记录"),)),
    Step("S20", Stage.PROBATION, _("院党委或党支部"), False, ("S17",), (_("宣誓记录"),)),
    Step("S21", Stage.PROBATION, _("党支部"), False, ("S17",), (_("考察记录"),), (REVIEWS,)),
    Step("S22", Stage.PROBATION, _("预备党员"), False, ("S18", "S19", "S20"), (_("转正申请书"),)),
    Step("S23", Stage.PROBATION, _("支部党员大会"), False, ("S22",), (_("会议记录"), _("表决票"), _("支部大会决议")),
         (VOTE,)),
    Step("S24", Stage.PROBATION, _("院党委"), True, ("S23",), (_("审批意见"),), (SPECIAL,), reaches=_S.FULL_MEMBER),
    Step("S25", Stage.PROBATION, _("党支部、组织部"), False, ("S24",), (_("归档材料清单"),)),
)

BY_CODE: dict[str, Step] = {s.code: s for s in STEPS}
CODES: tuple[str, ...] = tuple(s.code for s in STEPS)
ORDER: dict[str, int] = {code: i for i, code in enumerate(CODES)}


def get(code: str) -> Step:
    return BY_CODE[code]


@cache
def ancestors(code: str) -> frozenset[str]:
    """Every step that must come before `code` (transitively)."""
    found: set[str] = set()
    for parent in BY_CODE[code].after:
        found.add(parent)
        found |= ancestors(parent)
    return frozenset(found)


def stage_of(code: str) -> int:
    return int(BY_CODE[code].stage)


def status_for(codes) -> str:
    """The political status that a set of recorded steps gives (the latest `reaches` among them)."""
    reached = [BY_CODE[c] for c in codes if BY_CODE[c].reaches]
    if not reached:
        return ""
    return max(reached, key=lambda s: ORDER[s.code]).reaches
