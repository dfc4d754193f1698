"""Officials' pay: capped at a share of the declared average member wage."""

from __future__ import annotations

from decimal import Decimal

from councils.core.errors import InvalidInputError
from councils.core.rules.constitution import Constitution

# The most a declaration may state, a month: what the register of offices holds (ten digits, two of
# them cents). A larger sum would not fit it, and one past what a decimal holds could not be rounded.
DECLARED_LIMIT = Decimal("99999999.99")


def check_declaration(*, pay: Decimal, expenses: Decimal) -> None:
    for label, value in (("Pay", pay), ("Expenses", expenses)):
        if not value.is_finite() or value < 0:
            raise InvalidInputError(f"{label} must be zero or more.")
        if value > DECLARED_LIMIT:
            raise InvalidInputError(f"{label} must be at most {DECLARED_LIMIT:,} a month.")
        if value != value.quantize(Decimal("0.01")):
            raise InvalidInputError(f"{label} has at most two decimal places.")


def excess_over_cap(*, pay: Decimal, constitution: Constitution) -> Decimal | None:
    """How far monthly `pay` exceeds the cap, or None when it is within it (or there is no cap)."""
    cap = constitution.pay_cap
    if cap is None or pay <= cap:
        return None
    return pay - cap
