"""Filters that place a stored moment against the present: pages word a date by whether it has come."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def has_passed(moment: datetime | None) -> bool:
    """Whether `moment` is now or earlier; a moment never set has not passed."""
    return moment is not None and moment <= timezone.now()
