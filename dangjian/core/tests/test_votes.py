from dangjian.core.votes import evaluate_vote, more_than_half


def codes(outcome):
    return [c for c, _m in outcome.problems]


def test_more_than_half_is_strict():
    assert not more_than_half(2, 4) and more_than_half(3, 4) and not more_than_half(0, 0)


def test_quorum_needs_more_than_half_of_eligible_present():
    assert codes(evaluate_vote(eligible=10, present=5, in_favour=5)) == ["vote_quorum"]
    assert evaluate_vote(eligible=10, present=6, in_favour=6).passed


def test_majority_counts_against_eligible_not_present():
    outcome = evaluate_vote(eligible=10, present=6, in_favour=5, against=1)
    assert outcome.quorum_met and not outcome.passed and codes(outcome) == ["vote_majority"]


def test_a_written_opinion_tips_the_majority():
    assert not evaluate_vote(eligible=10, present=6, in_favour=5, against=1).passed
    assert evaluate_vote(eligible=10, present=6, in_favour=5, against=1, written_in_favour=1).passed


def test_impossible_counts_are_problems_and_never_pass():
    outcome = evaluate_vote(eligible=10, present=11, in_favour=11)
    assert "present_exceeds_eligible" in codes(outcome) and not outcome.passed
    outcome = evaluate_vote(eligible=10, present=6, in_favour=5, against=2)
    assert codes(outcome) == ["votes_exceed_present"] and not outcome.passed
    outcome = evaluate_vote(eligible=10, present=9, in_favour=9, written_in_favour=2)
    assert codes(outcome) == ["written_exceeds_absent"] and not outcome.passed
