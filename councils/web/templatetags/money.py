"""Amounts of money written with their currency."""

from __future__ import annotations

from decimal import Decimal

from django import template

from councils.core.rules.currencies import format_amount

register = template.Library()


@register.filter
def money(amount: Decimal, currency: str) -> str:
    """`2400.00 EUR`: the amount and the ISO 4217 code it is in (the bare amount where none is stated).

    A no-break space keeps the two together on one line in a narrow table column.
    """
    return format_amount(amount, currency).replace(" ", "\N{NO-BREAK SPACE}")
