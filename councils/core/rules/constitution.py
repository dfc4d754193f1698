"""The constitution's numbers: every accountability rule is one of these fields.

A federation's constitution is a versioned document; each version is an
instance of `Constitution`. Decisions name the version they applied. The
defaults are what the demo ships with and what a new federation starts from;
until a federation adopts its first version they apply as version 0, so that
no decision ever claims a version that was never adopted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from councils.core.errors import InvalidInputError
from councils.core.rules.currencies import check_currency
from councils.core.wording import counted

THRESHOLDS = ("simple", "absolute", "two_thirds", "three_fifths")
# The version number decisions name while the shipped defaults apply.
DEFAULTS_VERSION = 0
DEFAULTS_NOTE = "defaults apply: no constitution adopted yet"
# The longest an election's poll, a vote on charges or an admission vote may be set to stay open: a
# year, since its electorate is frozen.
ELECTION_POLL_MAX_DAYS = 366
# The longest a new council's interim chair may serve before its own elections: a year.
FORMATION_INTERIM_MAX_DAYS = 366
# The most a proposed or founding constitution may set, by what a setting counts: far beyond what any
# organisation needs, and short of what dates and sums can hold (a hearing 10**20 days away would end
# every page that works it out). Versions adopted before these limits are read as adopted.
SETTING_LIMITS: dict[str, tuple[int, str]] = {
    "_days": (3660, "3,660 days (ten years)"),
    "_hours": (87840, "87,840 hours (ten years)"),
    "_months": (120, "120 months (ten years)"),
    "_minutes": (527040, "527,040 minutes (a year)"),
}
COUNT_LIMIT = 10000
WAGE_LIMIT = Decimal("1000000000")
PAY_CAP_SHARE_LIMIT = Decimal("100")
# Settings added after federations had adopted constitutions, and their value in a version adopted
# before them: its members never voted on them, so they bind only once an amendment sets them.
# Settings added later that are not listed here take their default in such a version: the rule they
# state was already in force, fixed in the code (as the length of an election's poll was), or it is a
# safeguard every federation needs from the day it ships. The length of a vote on charges, and of an
# admission vote, is one: without it a chair could call the vote and close it at once, and a majority
# that captured a council would not amend it in. A vote called before it is told apart by its record
# entry.
# A version adopted before pay had a currency states none: its amounts are shown as bare numbers.
UNSET_IN_OLDER_VERSIONS: dict[str, Any] = {
    "meeting_notice_hours": 0,
    "meeting_quorum_share": "0",
    "pay_currency": "",
}


# Number settings whose least is not 0, or whose most is short of the limit of what they count: what
# `validate` refuses beyond `check_limits`. A share above 0 may not be 0 itself (`least_excluded`).
_NARROWER: dict[str, tuple[int | Decimal, int | Decimal]] = {
    **dict.fromkeys(("admission_surge_share", "recall_signature_share", "agenda_petition_share"), (0, 1)),
    "meeting_quorum_share": (0, 1),
    "formation_min_members": (1, COUNT_LIMIT),
    "max_consecutive_terms": (1, COUNT_LIMIT),
    # Shorter than the longest poll, at most ELECTION_POLL_MAX_DAYS days.
    "election_poll_min_minutes": (1, ELECTION_POLL_MAX_DAYS * 24 * 60 - 1),
    **dict.fromkeys(
        (
            "election_poll_max_days",
            "term_election_lead_days",
            "term_nomination_days",
            "term_poll_days",
            "admission_poll_min_days",
            "admission_poll_max_days",
            "discipline_poll_min_days",
            "discipline_poll_max_days",
        ),
        (1, ELECTION_POLL_MAX_DAYS),
    ),
    "formation_interim_days": (1, FORMATION_INTERIM_MAX_DAYS),
    "average_member_wage": (0, WAGE_LIMIT),
    "pay_cap_share": (0, PAY_CAP_SHARE_LIMIT),
}
LEAST_EXCLUDED = frozenset({"admission_surge_share", "recall_signature_share", "agenda_petition_share"})


def setting_range(name: str) -> tuple[int | Decimal, int | Decimal]:
    """The least and the most a proposed constitution may set the number setting `name` to, each on its own
    (`LEAST_EXCLUDED` names the shares that must be above their least). Some settings bound each other
    too, checked by `validate`: a poll's least shorter than its most, say."""
    if name in _NARROWER:
        return _NARROWER[name]
    return 0, next(
        (limit for suffix, (limit, _) in SETTING_LIMITS.items() if name.endswith(suffix)), COUNT_LIMIT
    )


def length_in_force(amount: int, unit: str) -> int:
    """A length the constitution sets, in `unit` ("days", "hours", "minutes" or "months"), as the rules
    count it: at most its limit (`SETTING_LIMITS`). A proposal past the limit is refused
    (`check_limits`), but a version adopted before the limits may hold one, a hearing 10**20 days
    away, say: it counts as the limit (ten years, a year of minutes), so that no date is past the
    calendar's end."""
    return min(amount, SETTING_LIMITS[f"_{unit}"][0])


def duration(amount: int, unit: str) -> timedelta:
    """`amount` of `unit` as a time to add to a date, read as `length_in_force` reads it."""
    return timedelta(**{unit: length_in_force(amount, unit)})


def content_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 hex of the document's canonical JSON (sorted keys, no spaces)."""
    data = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class Constitution:
    version: int = DEFAULTS_VERSION
    # Admission: sponsors of standing, a candidate period with voice but no vote,
    # then a vote of the base council; a surge of admissions needs the parent.
    sponsors_required: int = 2
    sponsor_min_months: int = 6
    candidate_period_days: int = 90
    admission_surge_share: Decimal = Decimal("0.10")
    admission_surge_days: int = 30
    # An admission vote (and the approval of a flagged admission) stays open at least this long, so
    # that a chair cannot pack the council by calling it and closing it with a few friends present,
    # and at most that long, so that the electorate frozen at the opening is still the council.
    admission_poll_min_days: int = 3
    admission_poll_max_days: int = 31
    # Forming a new base council: the members who consent to found it, at least this many, so that
    # nobody is put into a council of one or two by a decision above them.
    formation_min_members: int = 3
    # The founder who proposed it chairs the new council for this many days, to call the elections
    # of its officers and delegates; then the members' own choice takes over.
    formation_interim_days: int = 60
    # Recall: any member may start a petition; at the threshold a vote follows.
    recall_signature_share: Decimal = Decimal("0.20")
    recall_window_days: int = 30
    recall_vote_within_days: int = 14
    # Minority rights: a petition of this share forces an agenda item.
    agenda_petition_share: Decimal = Decimal("0.10")
    agenda_petition_councils: int = 3
    # Meetings: called with notice so every side can come, and no business without a quorum
    # (a share of the voters, at least one; 0 notice meets at once, a share of 0 needs nobody).
    meeting_notice_hours: int = 48
    meeting_quorum_share: Decimal = Decimal("0.10")
    # Due process.
    discipline_threshold: str = "two_thirds"
    hearing_notice_days: int = 14
    appeal_window_days: int = 30
    # A vote on charges or on an appeal stays open at least this long, so that nobody is expelled by
    # whoever turns up before the chair closes it, and at most that long, so that charges do not hang
    # over a member for ever and the electorate frozen at the opening is still the council.
    discipline_poll_min_days: int = 7
    discipline_poll_max_days: int = 31
    # Offices: terms, limits and rotation.
    term_months: int = 12
    max_consecutive_terms: int = 2
    rotation_gap_terms: int = 1
    report_back_days: int = 14
    # Elections: how long a poll stays open, at least and at most: long enough to be held at a
    # meeting, short enough that the electorate frozen at its opening is still the council.
    election_poll_min_minutes: int = 15
    election_poll_max_days: int = 31
    # Terms end by themselves: the rules call the ordinary election for a post this many days before
    # its holders' term ends (unless one is under way), keep its nominations open this long, then open
    # a poll of this many days, so that an officer who never calls an election cannot keep the post.
    term_election_lead_days: int = 30
    term_nomination_days: int = 14
    term_poll_days: int = 7
    # Pay: officials' pay capped at the declared average member wage (0 = no cap).
    average_member_wage: Decimal = Decimal("2400.00")
    pay_cap_share: Decimal = Decimal("1.00")
    # The currency of that wage, the cap and every declared pay and expense: an ISO 4217 code.
    pay_currency: str = "EUR"
    # Changing this document.
    amendment_threshold: str = "two_thirds"

    @property
    def is_default(self) -> bool:
        """Whether these are the shipped defaults, in force because no version has been adopted."""
        return self.version == DEFAULTS_VERSION

    @property
    def title(self) -> str:
        """How a message names these rules: their version, or that the defaults apply."""
        return DEFAULTS_NOTE if self.is_default else f"constitution version {self.version}"

    @property
    def pay_cap(self) -> Decimal | None:
        """The highest monthly pay an official may declare, or None when uncapped.

        A version adopted before the limits may set a wage or share past them (a wage of 10**30, whose cap
        no sum of cents holds): each counts as its limit, as a length does (`length_in_force`), so the
        cap stays far above any pay the register holds and is worked out exactly."""
        if self.average_member_wage <= 0:
            return None
        wage = min(self.average_member_wage, WAGE_LIMIT)
        share = min(self.pay_cap_share, PAY_CAP_SHARE_LIMIT)
        return (wage * share).quantize(Decimal("0.01"))

    @property
    def formation_interim(self) -> timedelta:
        """How long a new council's interim chair serves."""
        return timedelta(days=self.formation_interim_days)

    @property
    def election_poll_min(self) -> timedelta:
        """The shortest time an election's poll may stay open."""
        return timedelta(minutes=self.election_poll_min_minutes)

    @property
    def election_poll_max(self) -> timedelta:
        """The longest time an election's poll may stay open."""
        return timedelta(days=self.election_poll_max_days)

    @property
    def term_election_lead(self) -> timedelta:
        """How long before a term ends the rules call the election for the next."""
        return timedelta(days=self.term_election_lead_days)

    @property
    def term_nomination(self) -> timedelta:
        """How long nominations stay open in an election the rules called."""
        return timedelta(days=self.term_nomination_days)

    @property
    def term_poll(self) -> timedelta:
        """How long a poll the rules open stays open."""
        return timedelta(days=self.term_poll_days)

    @property
    def admission_poll_min(self) -> timedelta:
        """The shortest time an admission vote, or the approval of a flagged admission, stays open."""
        return timedelta(days=self.admission_poll_min_days)

    @property
    def admission_poll_max(self) -> timedelta:
        """The longest time an admission vote, or the approval of a flagged admission, may stay open."""
        return timedelta(days=self.admission_poll_max_days)

    @property
    def discipline_poll_min(self) -> timedelta:
        """The shortest time a vote on charges or on an appeal stays open."""
        return timedelta(days=self.discipline_poll_min_days)

    @property
    def discipline_poll_max(self) -> timedelta:
        """The longest time a vote on charges or on an appeal may stay open."""
        return timedelta(days=self.discipline_poll_max_days)

    def to_document(self) -> dict[str, Any]:
        """A JSON-safe dict (decimals as strings) for storage and the record."""
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_document(cls, document: dict[str, Any], *, proposed: bool = True) -> Constitution:
        """Read a submitted document (or, `proposed` false, one adopted); unknown keys or bad values are
        refused by name, and a submitted one past `SETTING_LIMITS` too."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(document) - set(known))
        if unknown:
            raise InvalidInputError(f"Unknown constitution settings: {', '.join(unknown)}.")
        values: dict[str, Any] = {}
        defaults = cls()
        for name, raw in document.items():
            default = getattr(defaults, name)
            try:
                if isinstance(default, Decimal):
                    value: Any = Decimal(str(raw))
                    if not value.is_finite() or value < 0:
                        raise InvalidOperation
                elif isinstance(default, int):
                    if isinstance(raw, bool) or int(raw) != raw or int(raw) < 0:
                        raise ValueError
                    value = int(raw)
                else:
                    value = str(raw)
            except (InvalidOperation, ValueError, TypeError):
                raise InvalidInputError(
                    f"Constitution setting {name} has an invalid value: {raw!r}."
                ) from None
            values[name] = value
        if "term_poll_days" not in values:
            # A document that leaves it out (one adopted before it existed) takes the default cut to
            # fit the poll limits it sets, which may be shorter than a week.
            shortest_days = -(
                -values.get("election_poll_min_minutes", defaults.election_poll_min_minutes) // 1440
            )
            longest_days = values.get("election_poll_max_days", defaults.election_poll_max_days)
            values["term_poll_days"] = max(min(defaults.term_poll_days, longest_days), shortest_days)
        result = replace(defaults, **values)
        result.validate()
        if proposed:
            result.check_limits()
        return result

    @classmethod
    def from_adopted(cls, document: dict[str, Any]) -> Constitution:
        """Read an adopted version as its members voted it: settings added since it was adopted are unset."""
        return cls.from_document({**UNSET_IN_OLDER_VERSIONS, **document}, proposed=False)

    def check_limits(self) -> None:
        """Refuse a setting past what any organisation needs (`SETTING_LIMITS`), naming it."""
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "version" or isinstance(value, bool) or not isinstance(value, int):
                continue
            limit, said = next(
                (limit for suffix, limit in SETTING_LIMITS.items() if field.name.endswith(suffix)),
                (COUNT_LIMIT, f"{COUNT_LIMIT:,}"),
            )
            if value > limit:
                raise InvalidInputError(f"{field.name} must be at most {said}, not {value:,}.")
        if self.average_member_wage > WAGE_LIMIT:
            raise InvalidInputError(f"average_member_wage must be at most {WAGE_LIMIT:,}.")
        if self.pay_cap_share > PAY_CAP_SHARE_LIMIT:
            raise InvalidInputError(f"pay_cap_share must be at most {PAY_CAP_SHARE_LIMIT}.")

    def validate(self) -> None:
        """Check a document: adopted versions are numbered from 1 (0 names the shipped defaults)."""
        for name in ("discipline_threshold", "amendment_threshold"):
            if getattr(self, name) not in THRESHOLDS:
                raise InvalidInputError(f"{name} must be one of {', '.join(THRESHOLDS)}.")
        for name in ("recall_signature_share", "agenda_petition_share", "admission_surge_share"):
            value = getattr(self, name)
            if not Decimal(0) < value <= Decimal(1):
                raise InvalidInputError(f"{name} must be a share above 0 and at most 1.")
        if self.meeting_quorum_share > 1:
            raise InvalidInputError("meeting_quorum_share must be a share of at most 1.")
        if self.election_poll_min_minutes < 1:
            raise InvalidInputError("election_poll_min_minutes must be at least 1.")
        if not 1 <= self.election_poll_max_days <= ELECTION_POLL_MAX_DAYS:
            raise InvalidInputError(f"election_poll_max_days must be from 1 to {ELECTION_POLL_MAX_DAYS}.")
        # Compared in minutes: a length past what a timedelta holds is refused, not a crash.
        if self.election_poll_min_minutes >= self.election_poll_max_days * 24 * 60:
            raise InvalidInputError(
                "election_poll_min_minutes must be shorter than election_poll_max_days: "
                f"{counted(self.election_poll_min_minutes, 'minute', 'minutes')} is not less than "
                f"{counted(self.election_poll_max_days, 'day', 'days')}."
            )
        for name in ("term_election_lead_days", "term_nomination_days", "term_poll_days"):
            if not 1 <= getattr(self, name) <= ELECTION_POLL_MAX_DAYS:
                raise InvalidInputError(f"{name} must be from 1 to {ELECTION_POLL_MAX_DAYS}.")
        if not self.election_poll_min <= self.term_poll <= self.election_poll_max:
            raise InvalidInputError(
                "term_poll_days must fit the election poll limits: at least election_poll_min_minutes "
                f"({self.election_poll_min_minutes}) and at most election_poll_max_days "
                f"({self.election_poll_max_days}), not {counted(self.term_poll_days, 'day', 'days')}."
            )
        for kind in ("admission", "discipline"):
            shortest, longest = getattr(self, f"{kind}_poll_min_days"), getattr(self, f"{kind}_poll_max_days")
            if not 1 <= shortest <= longest <= ELECTION_POLL_MAX_DAYS:
                raise InvalidInputError(
                    f"{kind}_poll_min_days must be at least 1 and at most {kind}_poll_max_days, which is "
                    f"at most {ELECTION_POLL_MAX_DAYS}: {shortest} and {longest} days are not."
                )
        if self.pay_currency:
            check_currency(self.pay_currency, name="pay_currency")
        if self.formation_min_members < 1:
            raise InvalidInputError("formation_min_members must be at least 1.")
        if not 1 <= self.formation_interim_days <= FORMATION_INTERIM_MAX_DAYS:
            raise InvalidInputError(f"formation_interim_days must be from 1 to {FORMATION_INTERIM_MAX_DAYS}.")
        if self.max_consecutive_terms < 1:
            raise InvalidInputError("max_consecutive_terms must be at least 1.")
        if self.version < 1:
            raise InvalidInputError("version starts at 1.")
