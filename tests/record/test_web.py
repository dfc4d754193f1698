"""The record pages, the footer checkpoint and verify.js."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.federation import actions as fa
from councils.federation.models import Council
from councils.record import queries, sequencer
from councils.record.models import Sequence
from tests.conftest import NOW

VERIFY_JS = Path(__file__).resolve().parents[2] / "councils" / "web" / "static" / "web" / "verify.js"


@pytest.fixture
def closed_council(cast):
    return fa.create_council(
        actor=None,
        federation=cast.federation,
        name="Closed Works",
        kind="workplace",
        parent=cast.district,
        is_base=True,
        visibility=Council.Visibility.COUNCIL,
        now=NOW,
    )


def index_of(event: str, council: Council | None = None) -> int:
    sequencer.sequence_pending(now=NOW)
    rows = Sequence.objects.filter(entry__event=event)
    if council is not None:
        rows = rows.filter(entry__council=council)
    return rows.order_by("index").values_list("index", flat=True)[0]


def test_anonymous_sees_the_federation_record_without_hidden_councils(cast):
    response = cast.client(None).get("/record/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "federation.founded" in body
    assert "Riverside Depot" not in body
    assert "Latest signed checkpoint" in body


def test_entries_and_kinds_are_in_words_with_their_codes_beside(cast):
    client = cast.client(cast.alice)
    body = client.get("/record/").content.decode()
    assert (
        '<td data-label="Entry">Founding member enrolled '
        "<small><code>member.founding_enrolled</code></small></td>" in body
    )
    assert '<option value="vote">Votes (vote)</option>' in body
    assert (
        '<option value="delegate" selected>Delegates (delegate)</option>'
        in client.get("/record/", {"event": "delegate"}).content.decode()
    )
    entry = client.get(f"/record/entries/{index_of('federation.founded')}/").content.decode()
    assert "Federation founded <small><code>federation.founded</code></small></h1>" in entry


def test_member_sees_their_councils_entries_and_can_filter(cast):
    client = cast.client(cast.alice)
    body = client.get("/record/").content.decode()
    assert "Riverside Depot" in body and "member.founding_enrolled" in body
    filtered = client.get("/record/", {"event": "delegate"}).content.decode()
    assert "delegate.seated" in filtered and "member.founding_enrolled" not in filtered


def test_htmx_filter_returns_only_the_entries_fragment(cast):
    response = cast.client(cast.alice).get("/record/", {"event": "council"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="entries"' in body and "<html" not in body


def test_council_record_follows_council_visibility(cast, closed_council):
    url = f"/record/councils/{closed_council.uuid}/"
    assert cast.client(None).get(url).status_code == 404
    assert cast.client(cast.dave).get(url).status_code == 404
    riverside = f"/record/councils/{cast.riverside.uuid}/"
    assert cast.client(None).get(riverside).status_code == 404
    body = cast.client(cast.carol).get(riverside).content.decode()
    assert "Record of Riverside Depot" in body and "office.founding_filled" in body


def test_entry_page_shows_content_proof_and_verify_button(cast):
    index = index_of("federation.founded")
    response = cast.client(None).get(f"/record/entries/{index}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Demo Federation" in body and "Verify in your browser" in body
    assert 'data-proof="' in body and "verify.js" in body


def test_hidden_entry_is_404_and_missing_entry_is_404(cast, closed_council):
    hidden = index_of("council.created", closed_council)
    assert cast.client(None).get(f"/record/entries/{hidden}/").status_code == 404
    assert cast.client(cast.dave).get(f"/record/entries/{hidden}/").status_code == 404
    assert cast.client(cast.alice).get("/record/entries/999999/").status_code == 404
    # Past what the database's integers hold: still "no such entry", not a server error.
    assert cast.client(cast.alice).get(f"/record/entries/{2**64}/").status_code == 404


def test_record_pages_refuse_posts(cast):
    client = cast.client(cast.alice)
    assert client.post("/record/").status_code == 405
    assert client.post(f"/record/entries/{index_of('federation.founded')}/").status_code == 405


def test_footer_shows_the_checkpoint(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sequencer.sequence_pending(now=NOW)
    summary = queries.current_checkpoint_summary()
    body = cast.client(None).get("/record/").content.decode()
    assert f"Record: {summary['size']} entries" in body and summary["fingerprint"] in body


def test_record_list_query_count_is_bounded(cast):
    client = cast.client(cast.alice)
    client.get("/record/")
    counts = []
    for event in ("", "member"):
        with CaptureQueriesContext(connection) as context:
            assert client.get("/record/", {"event": event}).status_code == 200
        counts.append(len(context))
    # The founding entries' subjects cost one query per kind: councils, offices, seats, the founding
    # members' memberships and the federation.
    assert max(counts) <= 16, counts


def run_verify_js(page: str) -> str:
    """Load verify.js into node with the entry page's elements, click the button, return the message."""
    attrs = dict(re.findall(r'data-([a-z]+)="([^"]*)"', page))
    note = re.search(r'<code id="checkpoint-note">(.*?)</code>', page, re.S).group(1)
    import html

    harness = f"""
const attrs = {json.dumps(attrs)};
const note = {json.dumps(html.unescape(note))};
const elements = {{}};
let click;
elements["verify-entry"] = {{ dataset: attrs }};
elements["verify-button"] = {{ addEventListener: (name, handler) => {{ click = handler; }} }};
elements["verify-result"] = {{ textContent: "", className: "" }};
elements["checkpoint-note"] = {{ textContent: note }};
globalThis.document = {{ readyState: "complete", getElementById: (id) => elements[id] }};
globalThis.window = globalThis;
require({json.dumps(str(VERIFY_JS))});
click();
const result = elements["verify-result"];
// The check is asynchronous (WebCrypto): report once it has given its verdict, however busy the machine.
const waitForVerdict = () =>
  result.className
    ? console.log(result.className + ": " + result.textContent)
    : setTimeout(waitForVerdict, 20);
waitForVerdict();
"""
    out = subprocess.run(["node", "-e", harness], capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.strip()


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run verify.js")
def test_verify_js_accepts_a_true_entry_and_rejects_a_forged_one(cast):
    fa.create_council(
        actor=None,
        federation=cast.federation,
        name="Open Works",
        kind="workplace",
        parent=cast.district,
        is_base=True,
        visibility=Council.Visibility.PUBLIC,
        now=NOW,
    )
    index = index_of("council.created", Council.objects.get(name="Open Works"))
    page = cast.client(None).get(f"/record/entries/{index}/").content.decode()
    result = run_verify_js(page)
    assert result.startswith("ok: Verified"), result
    assert "signature on the checkpoint is valid" in result or "cannot check Ed25519" in result
    entry = re.search(r'data-entry="([^"]*)"', page).group(1)
    import base64

    forged = base64.b64encode(base64.b64decode(entry).replace(b"Open Works", b"Shut Works")).decode()
    result = run_verify_js(page.replace(entry, forged))
    assert result.startswith("error: The entry and its proof do not lead"), result


def test_council_page_links_to_its_record(cast):
    body = cast.client(cast.alice).get(f"/councils/{cast.riverside.uuid}/").content.decode()
    assert f"/record/councils/{cast.riverside.uuid}/" in body


def test_the_checkpoint_says_plainly_whether_witnesses_cosign_it(cast, settings):
    index = index_of("federation.founded")
    alone = "No witnesses are named for this federation; checkpoints are signed by the federation's key alone"
    settings.COUNCILS_WITNESSES, settings.COUNCILS_WITNESS_QUORUM = [], 0
    for url in ("/record/", f"/record/entries/{index}/"):
        body = cast.client(None).get(url).content.decode()
        assert alone in body and "cosignatures (needed" not in body, url
    settings.COUNCILS_WITNESSES = [{"vkey": "w1", "url": "https://w1"}, {"vkey": "w2", "url": "https://w2"}]
    settings.COUNCILS_WITNESS_QUORUM = 2
    body = cast.client(None).get("/record/").content.decode()
    assert "Cosigned by 0 of the 2 witnesses needed to make it official." in body and alone not in body
    assert "Not yet cosigned by enough witnesses" in body
    entry = cast.client(None).get(f"/record/entries/{index}/").content.decode()
    assert "No witness has cosigned this checkpoint yet." in entry and alone not in entry


def test_an_entry_is_found_by_the_key_that_names_its_subject_not_by_a_longer_one(cast):
    from councils.motions import actions as ma
    from councils.motions.models import Motion

    motion = ma.table_motion(
        actor=cast.bob, council=cast.riverside, title="Canteen", text="Open it.", now=NOW
    )
    motion = ma.second_motion(actor=cast.erin, motion=motion, now=NOW)
    vote = ma.open_vote(actor=cast.alice, motion=motion, now=NOW, method="named")
    ma.cast_vote(actor=cast.bob, vote=vote, choice="yes", now=NOW)
    ma.close_vote(actor=cast.alice, vote=vote, now=NOW)
    ma.forward_motion(actor=cast.alice, motion=motion, now=NOW)
    incoming = Motion.objects.get(forwarded_from=motion)
    forwarded = index_of("motion.forwarded", cast.riverside)

    def found(key, subject):
        return queries.list_recorded(
            council_id=cast.riverside.id, events=("motion.forwarded",), key=key, subject=subject
        )

    assert found("motion", motion.uuid) == [queries.Recorded("motion.forwarded", forwarded)]
    assert found("to_motion", incoming.uuid) == [queries.Recorded("motion.forwarded", forwarded)]
    # "to_motion":"<uuid>" holds "motion":"<uuid>" but for its opening quote: not the incoming motion.
    assert found("motion", incoming.uuid) == []
