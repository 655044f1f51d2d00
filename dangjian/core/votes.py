"""Vote arithmetic shared by meetings (支部党员大会 votes) and recruitment (S15/S23 votes).

Both readings of "半数以上" are met by counting strictly more than half (RULES.md §1.2): a quorum needs
present > eligible / 2, and a motion passes with in_favour (+ written opinions where they count)
> eligible / 2 — the base is those *entitled* to vote, not those present (支部工作条例 第11条).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class VoteOutcome:
    quorum_met: bool
    passed: bool
    problems: tuple[tuple[str, str], ...]  # (code, message) for counts that cannot be right or rules not met


def more_than_half(part: int, whole: int) -> bool:
    """Strictly more than half: 2 of 4 is not, 3 of 4 is; 0 of 0 is not."""
    return whole > 0 and 2 * part > whole


def evaluate_vote(
    *, eligible: int, present: int, in_favour: int, against: int = 0, abstaining: int = 0, written_in_favour: int = 0,
    written_total: int = 0,
) -> VoteOutcome:
    """Quorum and majority of a vote of full members. Inconsistent counts are problems, never silently fixed."""
    problems: list[tuple[str, str]] = []
    written_total = max(written_total, written_in_favour)
    if min(eligible, present, in_favour, against, abstaining, written_in_favour, written_total) < 0:
        problems.append(("bad_count", _("票数不能为负数。")))
    if present > eligible:
        problems.append(("present_exceeds_eligible", _("到会人数（%(p)d）超过应到会有表决权人数（%(e)d）。")
                         % {"p": present, "e": eligible}))
    if in_favour + against + abstaining > present:
        problems.append(("votes_exceed_present", _("赞成、反对、弃权之和（%(v)d）超过到会人数（%(p)d）。")
                         % {"v": in_favour + against + abstaining, "p": present}))
    if present + written_total > eligible:
        problems.append(("written_exceeds_absent", _("书面意见人数超过未到会的有表决权人数。")))
    quorum = more_than_half(present, eligible)
    if not quorum:
        problems.append(("vote_quorum", _("到会有表决权的党员（%(p)d）未超过应到会有表决权党员（%(e)d）的半数。")
                         % {"p": present, "e": eligible}))
    counts_ok = not problems or all(code == "vote_quorum" for code, _m in problems)
    passed = quorum and counts_ok and more_than_half(in_favour + written_in_favour, eligible)
    if quorum and counts_ok and not passed:
        problems.append(("vote_majority", _("赞成票（含书面意见 %(w)d）%(f)d 未超过应到会有表决权党员（%(e)d）的半数。")
                         % {"w": written_in_favour, "f": in_favour + written_in_favour, "e": eligible}))
    return VoteOutcome(quorum, passed, tuple(problems))
