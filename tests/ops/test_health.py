"""GET /healthz: database reachability and the record's size and checkpoint freshness, with no login."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from councils import __version__
from councils.record.models import Entry
from councils.record.sequencer import sequence_pending


def test_anonymous_on_an_empty_log_gets_ok(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["version"] == __version__
    assert body["record"]["size"] == 0
    assert body["record"]["checkpoint_recent"] is True


def test_entries_waiting_past_the_limit_make_it_degraded_but_serving(client, cast, settings):
    settings.COUNCILS_CHECKPOINT_MAX_AGE = 60
    oldest = Entry.objects.order_by("id").first()
    assert oldest is not None and oldest.created_at < timezone.now() - timedelta(seconds=60)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["record"]["checkpoint_recent"] is False
    assert body["record"]["unsigned_seconds"] > 60


def test_after_sequencing_it_reports_the_size_and_checkpoint(client, cast, django_assert_max_num_queries):
    checkpoint = sequence_pending()
    assert checkpoint is not None
    with django_assert_max_num_queries(4):
        body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["record"]["size"] == Entry.objects.count() == checkpoint.size
    assert body["record"]["checkpoint_size"] == checkpoint.size
    assert body["record"]["checkpoint_signed_at"] == checkpoint.signed_at.isoformat()
    assert body["record"]["unsigned_seconds"] == 0


def test_wrong_method_gets_405(client, db):
    assert client.post("/healthz").status_code == 405


def test_a_head_probe_gets_the_status_without_a_body(client, db):
    response = client.head("/healthz")
    assert response.status_code == 200 and response.content == b""


def test_a_head_probe_of_an_unreachable_database_gets_503(client, db, unreachable_database):
    response = client.head("/healthz")
    assert response.status_code == 503 and response.content == b""


@pytest.fixture
def unreachable_database(monkeypatch):
    from councils.web import health

    class Broken:
        def cursor(self):
            raise RuntimeError("down")

    monkeypatch.setattr(health, "connection", Broken())


def test_unreachable_database_gets_503(client, db, unreachable_database):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable", "version": __version__}


def test_plain_http_probe_is_not_redirected_behind_a_tls_proxy(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
