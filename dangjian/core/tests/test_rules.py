"""The rules registry (DESIGN §7): national defaults from RULES.md, local overrides, never looser when confirmed."""

import pytest

from dangjian.core import rules
from dangjian.core.models import RuleOverride
from dangjian.core.rules import RULES, RuleError, Tag, check_override


@pytest.mark.parametrize(
    ("code", "default"),
    [
        ("org.branch_min_full_members", 3),  # RULES.md §2: ≥3 full members → branch
        ("org.branch_max_members", 50),  # "一般不超过50人"
        ("org.committee_required_at_full_members", 7),  # ≥7 full members → 支委会
        ("org.branch_term_years", 3),  # 2018 任期意见
        ("org.secretary_min_party_years", 1),  # 支部工作条例 Art. 23
        ("org.term_warning_days", 90),
        ("recruitment.min_age", 18),
        ("recruitment.probation_months", 12),
    ],
)
def test_defaults_are_the_national_values(db, code, default):
    assert rules.value(code) == default


def test_every_rule_names_its_source_and_a_known_tag():
    for rule in RULES.values():
        assert rule.source, rule.code
        assert rule.tag in (Tag.CONFIRMED, Tag.SECONDARY, Tag.LOCAL, Tag.UNCONFIRMED), rule.code
        assert rule.stricter in (None, "min", "max"), rule.code


def test_an_override_row_replaces_the_default(db):
    RuleOverride.objects.create(code="org.branch_max_members", value=40, reason="本院学生支部上限")
    assert rules.value("org.branch_max_members") == 40
    assert rules.values("org.branch_max_members", "org.branch_min_full_members") == {
        "org.branch_max_members": 40,
        "org.branch_min_full_members": 3,
    }


def test_values_reads_several_rules_in_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        rules.values("org.branch_max_members", "org.branch_min_full_members", "org.branch_term_years")


def test_loosening_a_max_rule_is_refused_and_tightening_allowed():
    with pytest.raises(RuleError) as exc:
        check_override("org.branch_max_members", 60)
    assert exc.value.code == "looser_than_national"
    # the message names the rule, its tag, its source and the national value
    assert "党支部党员人数上限" in exc.value.message
    assert "CONFIRMED-secondary" in exc.value.message
    assert "支部工作条例" in exc.value.message
    assert "50" in exc.value.message
    check_override("org.branch_max_members", 40)
    check_override("org.branch_max_members", 50)


def test_loosening_a_min_rule_is_refused_and_tightening_allowed():
    with pytest.raises(RuleError) as exc:
        check_override("org.branch_min_full_members", 2)
    assert exc.value.code == "looser_than_national"
    check_override("org.branch_min_full_members", 4)


def test_a_confirmed_rule_without_direction_may_take_any_value_of_its_type():
    check_override("org.branch_term_years", 5)  # 2022 党章 5-year term, a university's choice


def test_a_local_rule_may_be_loosened():
    assert RULES["org.term_warning_days"].tag == Tag.LOCAL
    check_override("org.term_warning_days", 30)


@pytest.mark.parametrize("bad", ["40", 40.0, True, None, [40]])
def test_a_value_of_another_type_is_refused(bad):
    with pytest.raises(RuleError) as exc:
        check_override("org.branch_max_members", bad)
    assert exc.value.code == "bad_value"


def test_an_unknown_rule_is_refused():
    with pytest.raises(RuleError) as exc:
        check_override("org.no_such_rule", 1)
    assert exc.value.code == "unknown_rule"


def test_a_confirmed_frequency_may_only_become_more_frequent():
    import pytest

    from dangjian.core.rules import RuleError, check_override

    code = "meetings.frequency.branch_committee"  # 支委会: 1 a month (支部工作条例 第12条)
    with pytest.raises(RuleError) as exc:
        check_override(code, {"period": "quarter", "count": 1})
    assert exc.value.code == "looser_than_national"
    check_override(code, {"period": "month", "count": 2})
    with pytest.raises(RuleError) as exc:
        check_override(code, {"period": "week", "count": 1})
    assert exc.value.code == "bad_value"
