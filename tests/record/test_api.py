"""The public record API: checkpoint, key, entries, proofs."""

from __future__ import annotations

import base64
import json

import pytest

from councils.core.ledger import merkle, note
from councils.federation import actions as fa
from councils.federation.models import Council
from tests.conftest import NOW


def get(client, path, **params):
    return client.get(f"/api/v1/record/{path}", params)


def checkpoint(client):
    key = note.parse_vkey(get(client, "key").content.decode())
    cp, _ = note.open_checkpoint(get(client, "checkpoint").content.decode(), key)
    return cp


def test_anonymous_checkpoint_covers_every_committed_entry(cast, client):
    response = get(client, "checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    key = note.parse_vkey(get(client, "key").content.decode())
    cp, _ = note.open_checkpoint(response.content.decode(), key)
    from councils.record.models import Entry

    assert cp.size == Entry.objects.count() > 0
    fa.create_council(
        actor=None,
        federation=cast.federation,
        name="New Works",
        kind="workplace",
        parent=cast.district,
        is_base=True,
        now=NOW,
    )
    assert checkpoint(client).size == cp.size + 1


def test_key_names_the_origin_with_the_log_id(cast, client):
    from councils.record import signing

    vkey = get(client, "key").content.decode().strip()
    name, key_id, encoded = vkey.split("+", 2)
    assert name == signing.origin() and signing.log_id() in name
    assert len(key_id) == 8
    assert len(base64.b64decode(encoded)) == 33


def test_entries_hide_data_of_councils_the_caller_may_not_see(cast, client):
    size = checkpoint(client).size
    body = json.loads(get(client, "entries", start=0, end=size).content)
    entries = body["entries"]
    assert [e["index"] for e in entries] == list(range(size))
    founding = entries[0]
    assert founding["event"] == "federation.founded" and founding["data"] is not None
    hidden = [e for e in entries if e["data"] is None]
    assert hidden and all(e["event"] is None for e in hidden)
    for e in entries:
        if e["data"] is not None:
            assert base64.b64decode(e["leaf_hash"]) == merkle.hash_leaf(base64.b64decode(e["data"]))
    member_view = json.loads(get(cast.api(cast.alice), "entries", start=0, end=size).content)["entries"]
    assert all(e["data"] is not None for e in member_view)


def test_public_council_entries_are_readable_anonymously(cast, client):
    public = fa.create_council(
        actor=None,
        federation=cast.federation,
        name="Open Works",
        kind="workplace",
        parent=cast.district,
        is_base=True,
        visibility=Council.Visibility.PUBLIC,
        now=NOW,
    )
    size = checkpoint(client).size
    last = json.loads(get(client, "entries", start=size - 1, end=size).content)["entries"][0]
    assert last["event"] == "council.created" and last["council"] == str(public.uuid)
    assert json.loads(base64.b64decode(last["data"]))["payload"]["name"] == "Open Works"


def test_entries_page_is_at_least_a_thousand_and_half_open(cast, client):
    size = checkpoint(client).size
    body = json.loads(get(client, "entries", start=1, end=3).content)
    assert [e["index"] for e in body["entries"]] == [1, 2]
    from councils.record.queries import ENTRIES_PAGE

    assert ENTRIES_PAGE >= 1000
    assert get(client, "entries", start=size - 1, end=size).status_code == 200


@pytest.mark.parametrize(("start", "end"), [(-1, 2), (3, 3), (5, 2), (0, 10_000), ("x", 1)])
def test_impossible_entry_ranges_are_422(cast, client, start, end):
    response = get(client, "entries", start=start, end=end)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_proofs_verify_against_the_checkpoint_for_every_size(cast, client):
    cp = checkpoint(client)
    leaves = [
        base64.b64decode(e["leaf_hash"])
        for e in json.loads(get(client, "entries", start=0, end=cp.size).content)["entries"]
    ]
    roots = {n: merkle.root_from_leaves(leaves[:n])[1] for n in range(1, cp.size + 1)}
    assert roots[cp.size] == cp.root
    for n in range(1, cp.size + 1):
        for i in range(n):
            body = json.loads(get(client, "proof/inclusion", index=i, size=n).content)
            proof = [base64.b64decode(h) for h in body["hashes"]]
            merkle.verify_inclusion(i, n, leaves[i], proof, roots[n])
        for m in range(1, n + 1):
            body = json.loads(get(client, "proof/consistency", old=m, new=n).content)
            proof = [base64.b64decode(h) for h in body["hashes"]]
            merkle.verify_consistency(m, n, roots[m], roots[n], proof)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("proof/inclusion", {"index": 5, "size": 5}),
        ("proof/inclusion", {"index": -1, "size": 5}),
        ("proof/inclusion", {"index": 0, "size": 10_000}),
        ("proof/inclusion", {"index": 0}),
        ("proof/consistency", {"old": 5, "new": 4}),
        ("proof/consistency", {"old": 1, "new": 10_000}),
        ("proof/consistency", {"old": -1, "new": 2}),
    ],
)
def test_impossible_proofs_are_422(cast, client, path, params):
    response = get(client, path, **params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_record_endpoints_refuse_writes_with_405(cast, client):
    for path in ("checkpoint", "key", "entries", "proof/inclusion", "proof/consistency"):
        assert client.post(f"/api/v1/record/{path}").status_code == 405


def test_entries_query_count_does_not_grow_with_the_page(cast, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    size = checkpoint(client).size
    api = cast.api(cast.alice)
    counts = []
    get(api, "entries", start=0, end=1)
    for end in (2, size):
        with CaptureQueriesContext(connection) as context:
            assert get(api, "entries", start=0, end=end).status_code == 200
        counts.append(len(context))
    assert counts[0] == counts[1] <= 10


def test_proofs_take_one_query_when_the_size_exists(cast, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    size = checkpoint(client).size
    from councils.record import queries

    with CaptureQueriesContext(connection) as context:
        queries.inclusion_proof(index=size // 2, size=size)
        queries.consistency_proof(old=size // 3, new=size)
    assert len(context) == 2


def test_serving_a_checkpoint_raises_the_restore_high_water_mark(cast, client, settings, tmp_path):
    from councils.ops import highwater

    settings.VAR_DIR = tmp_path
    assert highwater.read() is None

    response = client.get("/api/v1/record/checkpoint")
    assert response.status_code == 200
    mark = highwater.read()
    assert mark is not None
    assert mark.size == int(response.content.decode().splitlines()[1])
