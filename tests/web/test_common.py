from __future__ import annotations

from uuid import UUID

from councils.web.views.common import form_uuid


def test_a_form_field_names_a_uuid_or_nothing():
    named = "0dd96b69-f6ea-40a4-b893-c9940d7dab79"
    assert form_uuid(named) == UUID(named)
    assert form_uuid("") is None and form_uuid(None) is None
    assert form_uuid("garbage") is None and form_uuid("0dd96b69") is None
