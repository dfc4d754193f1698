from datetime import UTC, datetime
from decimal import Decimal

import pytest

from councils.core.errors import ConflictError, InvalidInputError
from councils.core.rules import pay, recall, terms
from councils.core.rules.constitution import Constitution

T0 = datetime(2024, 1, 31, 9, 0, tzinfo=UTC)
RULES = Constitution(term_months=12, max_consecutive_terms=2, rotation_gap_terms=1)


def p(start, end):
    return terms.Period(start, end)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert terms.add_months(T0, 1) == datetime(2024, 2, 29, 9, 0, tzinfo=UTC)
    assert terms.add_months(T0, 13) == datetime(2025, 2, 28, 9, 0, tzinfo=UTC)
    assert terms.add_months(T0, 11) == datetime(2024, 12, 31, 9, 0, tzinfo=UTC)


def test_every_started_term_counts():
    one_year = terms.add_months(T0, 12)
    assert terms.terms_in(p(T0, one_year), term_months=12, now=one_year) == 1
    assert terms.terms_in(p(T0, None), term_months=12, now=terms.add_months(T0, 13)) == 2
    assert terms.terms_in(p(T0, T0), term_months=0, now=T0) == 1


def test_rest_of_a_vacated_term_counts_as_that_one_term():
    term_end = terms.add_months(T0, 12)
    rest = terms.Period(terms.add_months(T0, 9), None, term_end)
    assert terms.terms_in(rest, term_months=12, now=term_end) == 1
    # Held on past the term's end without an election: the next term has begun.
    assert terms.terms_in(rest, term_months=12, now=terms.add_months(T0, 13)) == 2
    assert terms.terms_in(p(terms.add_months(T0, 9), None), term_months=12, now=terms.add_months(T0, 13)) == 1
    # A term end before the start is no anchor: the spell counts from its start.
    odd = terms.Period(T0, None, T0)
    assert terms.terms_in(odd, term_months=12, now=terms.add_months(T0, 13)) == 2


def test_rest_of_a_term_and_a_full_term_make_two_consecutive_terms():
    term_end = terms.add_months(T0, 12)
    rest = terms.Period(terms.add_months(T0, 9), term_end, term_end)
    full = terms.Period(term_end, None, terms.add_months(term_end, 12))
    with pytest.raises(terms.TermRuleError, match="has served 2 consecutive term"):
        terms.check_eligible(
            periods=[rest, full], constitution=RULES, office="chair", now=terms.add_months(term_end, 12)
        )


def test_remainder_ends_with_the_vacated_term_capped_at_a_full_term():
    now = terms.add_months(T0, 6)
    later, latest = terms.add_months(T0, 10), terms.add_months(T0, 12)
    assert terms.remainder_end(vacated=[later, None, latest], constitution=RULES, now=now) == latest
    assert terms.remainder_end(vacated=[None, T0], constitution=RULES, now=now) is None
    assert terms.remainder_end(vacated=[], constitution=RULES, now=now) is None
    shorter = Constitution(term_months=3)
    assert terms.remainder_end(vacated=[latest], constitution=shorter, now=now) == terms.add_months(now, 3)


def test_first_and_second_terms_are_allowed():
    terms.check_eligible(periods=[], constitution=RULES, office="chair", now=T0)
    first = p(T0, terms.add_months(T0, 12))
    terms.check_eligible(periods=[first], constitution=RULES, office="chair", now=terms.add_months(T0, 12))


def test_third_consecutive_term_is_refused_with_the_rule_quoted():
    two = p(T0, terms.add_months(T0, 24))
    with pytest.raises(terms.TermRuleError, match=r"more than 2 consecutive terms of 12 months") as info:
        terms.check_eligible(periods=[two], constitution=RULES, office="chair", now=terms.add_months(T0, 24))
    assert "may stand again from 2027-01-31" in info.value.message
    assert isinstance(info.value, ConflictError)


def test_holder_still_in_office_after_the_limit_is_refused():
    with pytest.raises(terms.TermRuleError, match="still holds the office"):
        terms.check_eligible(
            periods=[p(T0, None)], constitution=RULES, office="chair", now=terms.add_months(T0, 25)
        )


def test_short_break_does_not_reset_the_count():
    first = p(T0, terms.add_months(T0, 12))
    second = p(terms.add_months(T0, 14), terms.add_months(T0, 26))
    assert terms.latest_run([second, first], constitution=RULES, now=terms.add_months(T0, 26))[0] == 2


def test_open_earlier_spell_joins_the_run():
    assert terms.latest_run([p(T0, None), p(T0, T0)], constitution=RULES, now=T0)[0] == 2


def test_rotation_gap_served_makes_them_eligible_again():
    two = p(T0, terms.add_months(T0, 24))
    terms.check_eligible(periods=[two], constitution=RULES, office="chair", now=terms.add_months(T0, 36))
    fresh = p(terms.add_months(T0, 36), terms.add_months(T0, 48))
    assert terms.latest_run([two, fresh], constitution=RULES, now=terms.add_months(T0, 48))[0] == 1


def test_no_rotation_gap_means_no_limit():
    rules = Constitution(rotation_gap_terms=0)
    terms.check_eligible(
        periods=[p(T0, None)], constitution=rules, office="chair", now=terms.add_months(T0, 120)
    )


def test_latest_run_of_nothing_is_zero():
    assert terms.latest_run([], constitution=RULES, now=T0) == (0, None)


def test_indefinite_or_overlong_terms_are_refused():
    with pytest.raises(terms.TermRuleError, match="indefinite tenure"):
        terms.check_term_length(started_at=T0, term_ends_at=None, constitution=RULES)
    with pytest.raises(terms.TermRuleError, match="at most 12 months"):
        terms.check_term_length(started_at=T0, term_ends_at=terms.add_months(T0, 13), constitution=RULES)
    with pytest.raises(InvalidInputError, match="end after it starts"):
        terms.check_term_length(started_at=T0, term_ends_at=T0, constitution=RULES)
    terms.check_term_length(started_at=T0, term_ends_at=terms.add_months(T0, 12), constitution=RULES)


def test_signature_threshold_rounds_up_and_is_at_least_one():
    assert recall.signature_threshold(eligible=4, share=Decimal("0.20")) == 1
    assert recall.signature_threshold(eligible=11, share=Decimal("0.20")) == 3
    assert recall.signature_threshold(eligible=10, share=Decimal("0.20")) == 2
    assert recall.signature_threshold(eligible=0, share=Decimal("0.20")) == 1


def test_petition_window_and_status_checks():
    ends = recall.expires_at(started_at=T0, window_days=30)
    recall.check_open(status="open", expires=ends, now=T0)
    with pytest.raises(recall.PetitionClosedError, match="no longer collecting"):
        recall.check_open(status="vote", expires=ends, now=T0)
    with pytest.raises(recall.PetitionClosedError, match="window closed on 2024-03-01"):
        recall.check_open(status="open", expires=ends, now=ends)


def test_pay_cap_and_declarations():
    assert pay.excess_over_cap(pay=Decimal("2400.00"), constitution=Constitution()) is None
    assert pay.excess_over_cap(pay=Decimal("2500.50"), constitution=Constitution()) == Decimal("100.50")
    assert (
        pay.excess_over_cap(pay=Decimal("9999"), constitution=Constitution(average_member_wage=Decimal(0)))
        is None
    )
    pay.check_declaration(pay=Decimal("10.50"), expenses=Decimal(0))
    with pytest.raises(InvalidInputError, match="Pay must be zero or more"):
        pay.check_declaration(pay=Decimal(-1), expenses=Decimal(0))
    with pytest.raises(InvalidInputError, match="Expenses has at most two decimal places"):
        pay.check_declaration(pay=Decimal(1), expenses=Decimal("0.001"))
    with pytest.raises(InvalidInputError):
        pay.check_declaration(pay=Decimal("NaN"), expenses=Decimal(0))


@pytest.mark.parametrize("amount", ["100000000.00", "1E+30", "1E+999999999"])
def test_a_declaration_past_what_the_register_holds_is_refused_not_rounded(amount):
    pay.check_declaration(pay=Decimal("99999999.99"), expenses=Decimal("99999999.99"))
    with pytest.raises(InvalidInputError, match=r"Pay must be at most 99,999,999\.99 a month"):
        pay.check_declaration(pay=Decimal(amount), expenses=Decimal(0))
    with pytest.raises(InvalidInputError, match=r"Expenses must be at most 99,999,999\.99 a month"):
        pay.check_declaration(pay=Decimal(0), expenses=Decimal(amount))


def test_a_wage_adopted_past_its_limit_caps_pay_at_the_limit():
    """A version adopted before the limits may declare a wage (or share) no cap in cents holds: each counts
    as its limit, far above any pay declared, and the excess of a declaration is still exact."""
    absurd = Constitution.from_adopted(
        {"version": 2, "average_member_wage": "1E+999999", "pay_cap_share": "1E+30"}
    )
    assert absurd.average_member_wage == Decimal("1E+999999")
    assert absurd.pay_cap == Decimal("100000000000.00")
    assert pay.excess_over_cap(pay=Decimal("99999999.99"), constitution=absurd) is None
    wage_only = Constitution.from_adopted({"version": 2, "average_member_wage": "1E+30"})
    assert wage_only.pay_cap == Decimal("1000000000.00")
    tiny = Constitution.from_adopted({"version": 2, "average_member_wage": "1E-999999999"})
    assert tiny.pay_cap == Decimal("0.00")
    assert pay.excess_over_cap(pay=Decimal("0.01"), constitution=tiny) == Decimal("0.01")


def test_a_date_past_the_calendar_is_its_last_day():
    assert terms.add_months(T0, 12 * 8000) == datetime(9999, 12, 31, 9, 0, tzinfo=UTC)


def test_terms_and_rotation_gaps_past_the_limits_count_at_most_to_the_calendar_end():
    """A version adopted before the limits may set them past any date: a term counts as ten years, and a
    rotation gap of thousands of terms lasts until the calendar's end."""
    rules = Constitution(term_months=10**6, max_consecutive_terms=1, rotation_gap_terms=10**6)
    assert terms.term_months(rules) == 120
    terms.check_term_length(started_at=T0, term_ends_at=terms.add_months(T0, 120), constitution=rules)
    with pytest.raises(terms.TermRuleError):
        terms.check_term_length(started_at=T0, term_ends_at=terms.add_months(T0, 121), constitution=rules)
    held = p(T0, terms.add_months(T0, 120))
    with pytest.raises(terms.TermRuleError, match="may stand again from 9999-12-31"):
        terms.check_eligible(
            periods=[held], constitution=rules, office="chair", now=terms.add_months(T0, 121)
        )
