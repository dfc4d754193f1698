"""The public record: checkpoint, key, entries and proofs. No login; hidden councils' data is null."""

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from councils.api.auth import OPTIONAL
from councils.core.ledger.note import b64encode
from councils.ops import highwater
from councils.record import queries, signing

router = Router(tags=["record"])

TEXT = "text/plain; charset=utf-8"


class EntryOut(Schema):
    index: int
    leaf_hash: str
    data: str | None
    event: str | None
    council: str | None


class EntriesOut(Schema):
    entries: list[EntryOut]


class ProofOut(Schema):
    hashes: list[str]


class EntriesIn(Schema):
    start: int = Field(ge=0, description="The first entry's index.")
    end: int = Field(ge=1, description="One past the last entry's index: greater than `start`.")


class InclusionIn(Schema):
    index: int = Field(ge=0, description="The entry's index: less than `size`.")
    size: int = Field(ge=1, description="The size of the tree, at most the log's.")


class ConsistencyIn(Schema):
    old: int = Field(ge=0, description="The older tree's size: at most `new`.")
    new: int = Field(ge=0, description="The newer tree's size, at most the log's.")


def _viewer(request: HttpRequest) -> object:
    return request.user


@router.get(
    "/checkpoint",
    auth=OPTIONAL,
    operation_id="record_checkpoint_get",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}},
)
def get_checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest signed checkpoint (C2SP signed note), covering every entry committed before this request."""
    note = queries.checkpoint_note()
    # Once served, a checkpoint is public: a later restore must not take the log below it.
    highwater.note_published()
    response = HttpResponse(note, content_type=TEXT)
    response["Cache-Control"] = "no-cache"
    return response


@router.get(
    "/key",
    auth=OPTIONAL,
    operation_id="record_key_get",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}},
)
def get_key(request: HttpRequest) -> HttpResponse:
    """The federation's verifier key: `<origin>+<hex key id>+<base64 key>`."""
    return HttpResponse(signing.verifier().vkey() + "\n", content_type=TEXT)


@router.get("/entries", auth=OPTIONAL, operation_id="record_entries_list", response=EntriesOut)
def list_entries(request: HttpRequest, params: Query[EntriesIn]) -> dict[str, object]:
    """Entries [start, end) in log order, at most 1,000 a call; `data` is null where you may not read it."""
    entries = queries.list_sequenced(start=params.start, end=params.end, viewer=_viewer(request))
    return {"entries": entries}


@router.get("/proof/inclusion", auth=OPTIONAL, operation_id="record_inclusion_proof_get", response=ProofOut)
def get_inclusion_proof(request: HttpRequest, params: Query[InclusionIn]) -> dict[str, object]:
    """RFC 9162 inclusion proof of entry `index` in the tree of size `size`."""
    hashes = queries.inclusion_proof(index=params.index, size=params.size)
    return {"hashes": [b64encode(h) for h in hashes]}


@router.get(
    "/proof/consistency", auth=OPTIONAL, operation_id="record_consistency_proof_get", response=ProofOut
)
def get_consistency_proof(request: HttpRequest, params: Query[ConsistencyIn]) -> dict[str, object]:
    """RFC 9162 consistency proof from the tree of size `old` to the tree of size `new`."""
    hashes = queries.consistency_proof(old=params.old, new=params.new)
    return {"hashes": [b64encode(h) for h in hashes]}
