"""The public record: the federation's and each council's entries, and one entry with its proof."""

from __future__ import annotations

import json
from uuid import UUID

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from councils.core.ledger.note import b64encode
from councils.federation import queries as federation_queries
from councils.record import queries, sequencer, signing, witnessing
from councils.web.subjects import subjects_of
from councils.web.templatetags.labels import EVENT_FAMILY_LABELS
from councils.web.views.common import domain_errors

PAGE_SIZE = 50


def _listing(request: HttpRequest, *, council_id: int | None) -> dict[str, object]:
    if sequencer.has_pending():
        sequencer.sequence_pending()
    event = request.GET.get("event", "").strip()[:64]
    visible = queries.visible_council_ids(viewer=request.user)
    rows = queries.list_readable(visible=visible, council_id=council_id, event_prefix=event)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    subjects = subjects_of([row.entry for row in page], viewer=request.user, visible=visible)
    listed = [(row, subjects.get(row.entry.id)) for row in page]
    return {"page": page, "rows": listed, "event": event, "event_types": EVENT_FAMILY_LABELS.items()}


@require_safe
@domain_errors
def federation_record(request: HttpRequest) -> HttpResponse:
    context = _listing(request, council_id=None)
    checkpoint = sequencer.latest_checkpoint(current=False)
    context.update(
        {
            "checkpoint": checkpoint,
            "witnesses": witnessing.summary(checkpoint) if checkpoint else None,
            "vkey": signing.verifier().vkey(),
        }
    )
    template = "web/record/list.html#entries" if request.headers.get("HX-Request") else "web/record/list.html"
    return render(request, template, context)


@require_safe
@domain_errors
def council_record(request: HttpRequest, council_id: UUID) -> HttpResponse:
    council = federation_queries.access_council(viewer=request.user, council_uuid=council_id)
    context = _listing(request, council_id=council.id)
    context["council"] = council
    template = "web/record/list.html#entries" if request.headers.get("HX-Request") else "web/record/list.html"
    return render(request, template, context)


@require_safe
@domain_errors
def entry_detail(request: HttpRequest, index: int) -> HttpResponse:
    sequence, readable = queries.get_entry_at(index=index, viewer=request.user)
    if not readable:
        raise Http404
    checkpoint = sequencer.latest_checkpoint(current=True)
    assert checkpoint is not None
    data = bytes(sequence.entry.data)
    proof = queries.inclusion_proof(index=index, size=checkpoint.size)
    visible = queries.visible_council_ids(viewer=request.user)
    context = {
        "sequence": sequence,
        "entry": sequence.entry,
        "subject": subjects_of([sequence.entry], viewer=request.user, visible=visible).get(sequence.entry.id),
        "document": json.dumps(json.loads(data), indent=2, ensure_ascii=False, sort_keys=True),
        "data_b64": b64encode(data),
        "leaf_hex": bytes(sequence.leaf_hash).hex(),
        "proof": [b64encode(h) for h in proof],
        "checkpoint": checkpoint,
        "checkpoint_note": queries.checkpoint_note_of(checkpoint),
        "root_b64": b64encode(bytes(checkpoint.root)),
        "witnesses": witnessing.summary(checkpoint),
        "vkey": checkpoint.key,
    }
    return render(request, "web/record/entry.html", context)


urlpatterns = [
    path("", federation_record, name="record"),
    path("councils/<uuid:council_id>/", council_record, name="council_record"),
    path("entries/<int:index>/", entry_detail, name="record_entry"),
]
