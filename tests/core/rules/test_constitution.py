from datetime import timedelta
from decimal import Decimal

import pytest

from councils.core.errors import InvalidInputError
from councils.core.rules import constitution
from councils.core.rules.constitution import Constitution
from councils.core.rules.currencies import format_amount


def test_document_round_trip_keeps_every_value():
    changed = Constitution(version=3, recall_signature_share=Decimal("0.25"), max_consecutive_terms=3)
    assert Constitution.from_document(changed.to_document()) == changed


def test_unknown_setting_is_refused_by_name():
    with pytest.raises(InvalidInputError, match="recal_share"):
        Constitution.from_document({"recal_share": "0.2"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("recall_window_days", -1),
        ("recall_window_days", 1.5),
        ("recall_window_days", True),
        ("recall_signature_share", "abc"),
        ("recall_signature_share", "NaN"),
        ("recall_signature_share", "0"),
        ("recall_signature_share", "1.5"),
        ("discipline_threshold", "most"),
        ("max_consecutive_terms", 0),
        ("meeting_notice_hours", -1),
        ("meeting_quorum_share", "-0.1"),
        ("meeting_quorum_share", "1.5"),
        ("election_poll_min_minutes", 0),
        ("election_poll_max_days", 0),
        ("election_poll_max_days", 367),
        ("discipline_poll_min_days", 0),
        ("discipline_poll_min_days", 32),
        ("discipline_poll_max_days", 367),
        ("admission_poll_min_days", 0),
        ("admission_poll_min_days", 32),
        ("admission_poll_max_days", 367),
        ("formation_interim_days", 0),
        ("formation_interim_days", 367),
        ("version", 0),
        ("pay_currency", "eur"),
        ("pay_currency", "EURO"),
        ("pay_currency", "XAU"),
        ("pay_currency", "ABC"),
    ],
)
def test_invalid_values_are_refused(name, value):
    with pytest.raises(InvalidInputError, match=name):
        Constitution.from_document({name: value})


@pytest.mark.parametrize(
    ("name", "highest", "said"),
    [
        (
            "hearing_notice_days",
            3660,
            "hearing_notice_days must be at most 3,660 days (ten years), not 3,661.",
        ),
        ("meeting_notice_hours", 87840, "meeting_notice_hours must be at most 87,840 hours (ten years), not"),
        ("term_months", 120, "term_months must be at most 120 months (ten years), not 121."),
        ("sponsors_required", 10000, "sponsors_required must be at most 10,000, not 10,001."),
        ("average_member_wage", 10**9, "average_member_wage must be at most 1,000,000,000."),
        ("pay_cap_share", 100, "pay_cap_share must be at most 100."),
    ],
)
def test_a_proposed_setting_past_what_any_organisation_needs_is_refused(name, highest, said):
    assert getattr(Constitution.from_document({"version": 1, name: highest}), name) == highest
    with pytest.raises(InvalidInputError) as refused:
        Constitution.from_document({"version": 1, name: highest + 1})
    assert refused.value.message.startswith(said)


def test_every_whole_number_setting_has_a_limit_so_none_overflows_a_date():
    for name, value in Constitution().to_document().items():
        if name != "version" and isinstance(value, int):
            with pytest.raises(InvalidInputError, match=name):
                Constitution.from_document({"version": 1, name: 10**20})


def test_a_version_adopted_before_the_limits_is_read_as_adopted():
    adopted = Constitution.from_adopted({"version": 2, "candidate_period_days": 5000})
    assert adopted.candidate_period_days == 5000


def test_a_length_past_its_limit_counts_as_the_limit_for_dates():
    assert constitution.length_in_force(5000, "days") == 3660
    assert constitution.length_in_force(3660, "days") == 3660
    assert constitution.length_in_force(14, "days") == 14
    assert constitution.duration(10**20, "days") == timedelta(days=3660)
    assert constitution.duration(10**20, "hours") == timedelta(hours=87840)
    assert constitution.duration(10**20, "minutes") == timedelta(minutes=527040)
    assert constitution.length_in_force(10**20, "months") == 120


def test_pay_cap_is_share_of_average_wage_or_none():
    assert Constitution().pay_cap == Decimal("2400.00")
    assert Constitution(pay_cap_share=Decimal("0.5")).pay_cap == Decimal("1200.00")
    assert Constitution(average_member_wage=Decimal(0)).pay_cap is None


def test_pay_is_in_an_iso_4217_currency_and_a_version_adopted_before_it_states_none():
    assert Constitution().pay_currency == "EUR"
    assert Constitution.from_document({"version": 1, "pay_currency": "GBP"}).pay_currency == "GBP"
    older = {k: v for k, v in Constitution(version=1).to_document().items() if k != "pay_currency"}
    assert Constitution.from_adopted(older).pay_currency == ""


def test_amounts_are_written_with_their_currency_code():
    assert format_amount(Decimal("2400.00"), "EUR") == "2400.00 EUR"
    assert format_amount("12.50", "") == "12.50"
    assert format_amount("12.50", None) == "12.50"


def test_the_shipped_defaults_are_version_zero_and_say_so():
    assert Constitution().version == 0 and Constitution().is_default
    assert Constitution().title == "defaults apply: no constitution adopted yet"
    adopted = Constitution.from_document({**Constitution().to_document(), "version": 2})
    assert not adopted.is_default
    assert adopted.title == "constitution version 2"


def test_an_election_poll_must_be_allowed_to_stay_open_longer_than_its_shortest_length():
    with pytest.raises(InvalidInputError, match="1440 minutes is not less than 1 day"):
        Constitution.from_document(
            {"version": 1, "election_poll_min_minutes": 1440, "election_poll_max_days": 1}
        )
    rules = Constitution.from_document(
        {"version": 1, "election_poll_min_minutes": 90, "election_poll_max_days": 7}
    )
    assert (rules.election_poll_min, rules.election_poll_max) == (timedelta(minutes=90), timedelta(days=7))


def test_a_version_adopted_before_poll_lengths_were_settings_keeps_the_lengths_then_fixed():
    document = Constitution(version=1).to_document()
    older = {k: v for k, v in document.items() if not k.startswith("election_poll")}
    rules = Constitution.from_adopted(older)
    assert (rules.election_poll_min, rules.election_poll_max) == (timedelta(minutes=15), timedelta(days=31))


def test_a_vote_on_charges_stays_open_at_least_a_day_and_at_most_its_longest_length():
    assert (Constitution().discipline_poll_min, Constitution().discipline_poll_max) == (
        timedelta(days=7),
        timedelta(days=31),
    )
    with pytest.raises(
        InvalidInputError, match="at most discipline_poll_max_days, which is at most 366: 7 and 5"
    ):
        Constitution.from_document({"version": 1, "discipline_poll_max_days": 5})
    rules = Constitution.from_document(
        {"version": 1, "discipline_poll_min_days": 5, "discipline_poll_max_days": 5}
    )
    assert rules.discipline_poll_min == rules.discipline_poll_max == timedelta(days=5)
    # An election's poll may be shorter: a council that elects at one meeting still gives charges a week.
    assert (
        Constitution.from_document({"version": 1, "election_poll_max_days": 2}).discipline_poll_min_days == 7
    )


def test_a_version_adopted_before_votes_on_charges_had_a_length_gets_the_default():
    """A safeguard against rushed expulsions: it binds every federation, not only those that amend it in."""
    document = Constitution(version=1).to_document()
    older = {k: v for k, v in document.items() if not k.startswith("discipline_poll")}
    rules = Constitution.from_adopted(older)
    assert (rules.discipline_poll_min_days, rules.discipline_poll_max_days) == (7, 31)


def test_an_admission_vote_stays_open_at_least_a_day_and_at_most_its_longest_length():
    assert (Constitution().admission_poll_min, Constitution().admission_poll_max) == (
        timedelta(days=3),
        timedelta(days=31),
    )
    with pytest.raises(
        InvalidInputError, match="at most admission_poll_max_days, which is at most 366: 3 and 2"
    ):
        Constitution.from_document({"version": 1, "admission_poll_max_days": 2})
    rules = Constitution.from_document(
        {"version": 1, "admission_poll_min_days": 1, "admission_poll_max_days": 1}
    )
    assert rules.admission_poll_min == rules.admission_poll_max == timedelta(days=1)


def test_a_version_adopted_before_admission_votes_had_a_length_gets_the_default():
    """A safeguard against packing a council by a rushed vote: it binds every federation from the start."""
    document = Constitution(version=1).to_document()
    older = {k: v for k, v in document.items() if not k.startswith("admission_poll")}
    rules = Constitution.from_adopted(older)
    assert (rules.admission_poll_min_days, rules.admission_poll_max_days) == (3, 31)


def test_a_new_councils_interim_chair_serves_the_days_set_and_older_versions_get_the_default():
    assert Constitution().formation_interim == timedelta(days=60)
    assert (
        Constitution.from_document({"version": 1, "formation_interim_days": 366}).formation_interim_days
        == 366
    )
    document = Constitution(version=1).to_document()
    older = {k: v for k, v in document.items() if k != "formation_interim_days"}
    assert Constitution.from_adopted(older).formation_interim_days == 60


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("term_election_lead_days", 0),
        ("term_election_lead_days", 367),
        ("term_nomination_days", 0),
        ("term_poll_days", 0),
        ("term_poll_days", 32),
    ],
)
def test_term_settings_out_of_range_are_refused(name, value):
    with pytest.raises(InvalidInputError, match=name):
        Constitution.from_document({"version": 1, name: value})


def test_terms_end_by_themselves_on_the_days_set_and_older_versions_get_the_defaults():
    rules = Constitution()
    assert (rules.term_election_lead, rules.term_nomination, rules.term_poll) == (
        timedelta(days=30),
        timedelta(days=14),
        timedelta(days=7),
    )
    document = Constitution(version=1).to_document()
    older = {k: v for k, v in document.items() if not k.startswith("term_") or k == "term_months"}
    adopted = Constitution.from_adopted(older)
    assert (adopted.term_election_lead_days, adopted.term_nomination_days, adopted.term_poll_days) == (
        30,
        14,
        7,
    )


def test_the_rules_poll_fits_the_election_poll_limits():
    with pytest.raises(InvalidInputError, match="term_poll_days must fit the election poll limits"):
        Constitution.from_document({"version": 1, "election_poll_max_days": 5, "term_poll_days": 6})
    # Left out, it is cut to fit the limits the document sets.
    assert Constitution.from_document({"version": 1, "election_poll_max_days": 2}).term_poll_days == 2
    assert Constitution.from_document({"version": 1, "election_poll_min_minutes": 12000}).term_poll_days == 9


NUMBER_SETTINGS = [
    name
    for name, value in Constitution().to_document().items()
    if name != "version" and isinstance(getattr(Constitution(), name), (int, Decimal))
]


def written(name: str, number: int | Decimal) -> int | str:
    """`number` as a document gives the setting: a decimal as a string, a whole number as one."""
    return str(number) if isinstance(getattr(Constitution(), name), Decimal) else int(number)


def at_each(end: int) -> dict[str, object]:
    """Every number setting at its least (`end` 0) or its most (`end` 1), a share above 0 a cent above it."""
    document: dict[str, object] = {"version": 1}
    for name in NUMBER_SETTINGS:
        value = constitution.setting_range(name)[end]
        if end == 0 and name in constitution.LEAST_EXCLUDED:
            value = Decimal("0.01")
        document[name] = written(name, value)
    return document


def step(name: str) -> int | Decimal:
    return Decimal("0.01") if isinstance(getattr(Constitution(), name), Decimal) else 1


@pytest.mark.parametrize("end", [0, 1])
def test_every_number_setting_may_be_at_the_ends_of_its_range_at_once(end):
    proposed = Constitution.from_document(at_each(end))
    assert proposed.term_poll_days == (1 if end == 0 else 366)
    assert proposed.average_member_wage == (0 if end == 0 else Decimal(10**9))


@pytest.mark.parametrize("name", NUMBER_SETTINGS)
def test_a_proposal_past_either_end_of_a_settings_range_is_refused_naming_it(name):
    least, most = constitution.setting_range(name)
    with pytest.raises(InvalidInputError, match=f"{name}[ ,]") as above:
        Constitution.from_document({**at_each(1), name: written(name, most + step(name))})
    assert "invalid value" not in above.value.message
    below = least if name in constitution.LEAST_EXCLUDED else least - step(name)
    with pytest.raises(InvalidInputError, match=name):
        Constitution.from_document({**at_each(0), name: written(name, below)})
