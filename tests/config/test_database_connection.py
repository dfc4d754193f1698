"""How connections to PostgreSQL are opened."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connections")


def test_a_new_connection_starts_in_the_time_zone_of_the_settings_so_django_sets_none(db):
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        assert raw.info.parameter_status("TimeZone") == settings.TIME_ZONE
        assert connection._configure_timezone(raw) is False
    finally:
        raw.close()
