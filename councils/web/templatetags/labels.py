"""Filters that turn the codes rows store into the words people read."""

from __future__ import annotations

from django import template

from councils.mandates.models import Choice

register = template.Library()


@register.filter
def vote_choice(code: str) -> str:
    """Yes, No or Abstain for a ballot's stored choice."""
    return str(Choice(code).label)
