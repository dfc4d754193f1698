"""`councils verify`, `councils record export|verify` and `councils witness` against a real server app."""

from __future__ import annotations

import base64
import json
import os
import threading
import types
from functools import partial
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core import signals
from django.db import close_old_connections, transaction

from councils.accounts.tokens import issue_token
from councils.cli import client as cli_client
from councils.cli import witness as witness_module
from councils.cli.main import main
from councils.core.errors import NotFoundError
from councils.core.ledger import note
from councils.core.ledger.encoding import canonical_bytes
from councils.core.ledger.merkle import hash_leaf
from councils.federation import actions as fa
from councils.federation.models import Seat
from councils.meetings import actions as meeting_actions
from councils.record import actions as record_actions
from councils.record import queries, sequencer
from councils.record.models import Entry, Pending, Sequence
from tests.conftest import NOW
from tests.core.ledger.uncanonical import UNCANONICAL, uncanonical
from tests.meetings.test_actions import at, meeting  # noqa: F401 (fixture)
from tests.meetings.test_minutes_tallies import closes, forged_tally  # noqa: F401 (fixture)
from tests.meetings.test_minutes_tallies import hold as hold_with_amendments
from tests.record.support import signed_bundle

SERVER = "http://testserver"


@pytest.fixture
def cli(monkeypatch, tmp_path, cast):
    """Run the CLI with its HTTP calls answered by this test's Django app; state under tmp_path."""
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    real_client = httpx.Client

    def client(*args, **kwargs):
        kwargs["transport"] = httpx.WSGITransport(app=app)
        return real_client(*args, **kwargs)

    proxy = types.SimpleNamespace(**{k: getattr(httpx, k) for k in dir(httpx) if not k.startswith("_")})
    proxy.Client = client
    monkeypatch.setattr(cli_client, "httpx", proxy)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("COUNCILS_WITNESS_KEYS", raising=False)
    monkeypatch.delenv("COUNCILS_TOKEN", raising=False)

    def run(*argv: str) -> int:
        return main(["--server", SERVER, *argv])

    # As Django's test client does: the test's transaction must outlive each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield run
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_verify_server_checks_out_and_remembers_the_checkpoint(cli, capsys, tmp_path):
    assert cli("verify") == 0
    out = capsys.readouterr()
    assert "The record checks out." in out.out
    assert "not replayed" in out.out
    assert "No witness keys" in out.err
    assert list((tmp_path / "state" / "councils" / "checkpoints").glob("*.json"))


def test_verify_json_prints_one_document(cli, capsys):
    assert cli("verify", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is True and document["size"] > 0 and document["not_replayed"] > 0


def test_verify_after_growth_is_consistent_with_what_was_seen(cli, capsys, cast):
    assert cli("verify") == 0
    fa.create_council(
        actor=None,
        federation=cast.federation,
        name="New Works",
        kind="workplace",
        parent=cast.district,
        is_base=True,
        now=NOW,
    )
    assert cli("verify") == 0


def test_verify_detects_a_rewritten_history(cli, capsys, tmp_path):
    assert cli("verify") == 0
    [state] = (tmp_path / "state" / "councils" / "checkpoints").glob("*.json")
    seen = json.loads(state.read_text())
    seen["root"] = base64.b64encode(b"\x01" * 32).decode()
    state.write_text(json.dumps(seen))
    capsys.readouterr()
    assert cli("verify") == 1
    assert "history was rewritten" in capsys.readouterr().out


def test_verify_detects_a_shrunken_log(cli, capsys, tmp_path):
    assert cli("verify") == 0
    [state] = (tmp_path / "state" / "councils" / "checkpoints").glob("*.json")
    seen = json.loads(state.read_text())
    seen["size"] += 5
    state.write_text(json.dumps(seen))
    assert cli("verify") == 1
    assert "shrank" in capsys.readouterr().out


@pytest.fixture(params=["here", "in a second process", "here, no second process starting"])
def hashing(request, monkeypatch):
    """Where a bundle's leaves are hashed: here, or in a second process as for large bundles."""
    from councils.cli import record as record_cli

    submitted: list[str] = []
    real_pool = record_cli.ProcessPoolExecutor

    class Pool(real_pool):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            if request.param == "here, no second process starting":
                raise OSError("no process can start here")
            super().__init__(*args, **kwargs)

        def submit(self, fn, *args, **kwargs):
            submitted.append(fn.__name__)
            return super().submit(fn, *args, **kwargs)

    if request.param != "here":
        monkeypatch.setattr(record_cli, "PARALLEL_BUNDLE_BYTES", 0)
        monkeypatch.setattr(record_cli, "ProcessPoolExecutor", Pool)
    yield request.param
    assert set(submitted) == ({"_hash_bundle"} if request.param == "in a second process" else set())


def test_export_then_verify_bundle(cli, capsys, tmp_path, hashing):
    bundle = tmp_path / "record.bundle"
    assert cli("record", "export", "-o", str(bundle)) == 0
    assert cli("record", "verify", str(bundle)) == 0
    # What this machine saw is kept: the leaves hashed elsewhere are the ones it compares next time.
    assert cli("verify", "--bundle", str(bundle)) == 0
    assert "checks out" in capsys.readouterr().out


def test_a_tampered_bundle_entry_fails_with_an_explanation(cli, capsys, tmp_path, hashing):
    bundle = tmp_path / "record.bundle"
    assert cli("record", "export", "-o", str(bundle)) == 0
    lines = bundle.read_text().splitlines()
    first = json.loads(lines[1])
    first["payload"]["name"] = "Forged Federation"
    lines[1] = canonical_bytes(first).decode()
    bundle.write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    assert cli("record", "verify", str(bundle), "--forget") == 1
    assert "do not hash to the signed root" in capsys.readouterr().out


def test_a_bundle_with_a_removed_entry_fails(cli, capsys, tmp_path, hashing):
    bundle = tmp_path / "record.bundle"
    assert cli("record", "export", "-o", str(bundle)) == 0
    lines = bundle.read_text().splitlines()
    del lines[3]
    bundle.write_text("\n".join(lines) + "\n")
    assert cli("record", "verify", str(bundle), "--forget") == 1
    out = capsys.readouterr().out
    assert "were provided" in out and "Entry 2 is missing" not in out


@pytest.mark.tampers
@pytest.mark.parametrize(("data", "why"), UNCANONICAL)
def test_an_entry_the_server_encoded_other_than_canonically_fails_with_an_explanation(
    cli, capsys, tmp_path, data, why
):
    """Signed into the log by the server itself, so that only its encoding is wrong."""
    with transaction.atomic():
        entry = Entry.objects.create(
            event="test.happened", created_at=NOW, data=data, leaf_hash=hash_leaf(data)
        )
        Pending.objects.create(entry=entry)
    sequencer.sequence_pending(now=NOW)
    expected = [f"Entry {Sequence.objects.get(entry=entry).index} {uncanonical(why)}."]
    assert cli("verify", "--forget", "--json") == 1
    assert json.loads(capsys.readouterr().out)["problems"] == expected
    bundle = tmp_path / "record.bundle"
    exported, told = cli("record", "export", "-o", str(bundle)), capsys.readouterr()
    if b"\n" in data:
        # A bundle holds one entry a line: this one cannot even be exported.
        assert exported == 1 and "not canonical" in told.err
    else:
        assert exported == 0 and cli("record", "verify", str(bundle), "--forget", "--json") == 1
        assert json.loads(capsys.readouterr().out)["problems"] == expected


def test_missing_bundle_is_bad_usage(cli, capsys, tmp_path):
    assert cli("record", "verify", str(tmp_path / "nope"), "--forget") == 2
    assert cli("verify", "--bundle", str(tmp_path / "nope")) == 2


def test_export_and_verify_with_json_print_one_document_each(cli, capsys, tmp_path):
    bundle = tmp_path / "record.bundle"
    capsys.readouterr()
    assert cli("record", "export", "-o", str(bundle), "--json") == 0
    exported = json.loads(capsys.readouterr().out)
    lines = bundle.read_text().splitlines()
    assert exported == {"output": str(bundle), "origin": exported["origin"], "size": len(lines) - 1}
    del lines[3]
    bundle.write_text("\n".join(lines) + "\n")
    # A check that fails prints the verdict as the document, not an error.
    assert cli("record", "verify", str(bundle), "--forget", "--json") == 1
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["ok"] is False and verdict["problems"] and "error" not in verdict


def test_a_token_the_server_refuses_is_an_error_document(cli, capsys, monkeypatch):
    monkeypatch.setenv("COUNCILS_TOKEN", "cnl_not-a-token")
    capsys.readouterr()
    assert cli("verify", "--json") == 2
    out, err = capsys.readouterr()
    error = json.loads(out)["error"]
    assert (error["exit"], error["status"], error["code"]) == (2, 401, "invalid_token")
    assert err == f"councils: {error['message']}\n"


def test_a_signed_log_that_breaks_the_voting_rules_fails(cli, capsys, tmp_path):
    def entry(event, payload, actor=None):
        return {
            "v": 1,
            "event": event,
            "at": "2026-03-01T09:00:00.000000Z",
            "actor": actor,
            "council": "c",
            "payload": payload,
        }

    result = {
        "yes": 2,
        "no": 0,
        "abstain": 0,
        "cast": 2,
        "turnout": 2,
        "electorate": 3,
        "threshold": "simple",
        "quorum": None,
        "quorum_met": True,
        "required": 1,
        "outcome": "adopted",
    }
    documents = [
        entry(
            "vote.opened",
            {"vote": "v", "motion": "m", "method": "named", "electorate": 3, "voters": ["a", "b", "c"]},
        ),
        entry("vote.cast", {"vote": "v", "voter": "a", "choice": "yes"}, actor="a"),
        entry("vote.cast", {"vote": "v", "voter": "a", "choice": "yes"}, actor="a"),
        entry("vote.closed", {"vote": "v", "motion": "m", "result": result}),
    ]
    path = signed_bundle(tmp_path, documents)
    assert cli("verify", "--bundle", str(path), "--forget") == 1
    out = capsys.readouterr().out
    assert "a voted twice" in out and "recount to 1" in out


def test_a_signed_log_whose_entry_lost_its_nonce_fails(cli, capsys, tmp_path):
    from tests.record.support import documents

    docs = documents()
    assert {d["v"] for d in docs} == {2}
    docs[1] = {k: v for k, v in docs[1].items() if k != "nonce"}
    capsys.readouterr()
    assert cli("verify", "--bundle", str(signed_bundle(tmp_path, docs)), "--forget") == 1
    assert (
        "Entry 1 is in encoding version 2 but has no well-formed nonce (32 lower-case hexadecimal digits), "
        "so anyone could guess its content from its public leaf hash." in capsys.readouterr().out
    )


def test_missing_cosignatures_warn_unless_required(cli, capsys, tmp_path):
    witness = note.make_signer("w.example", Ed25519PrivateKey.generate(), key_type=note.COSIGNATURE_V1)
    vkey = witness.verifier.vkey()
    assert cli("verify", "--witness", vkey, "--forget") == 0
    assert "0 valid witness cosignature" in capsys.readouterr().err
    assert cli("verify", "--witness", vkey, "--require-witnesses", "--forget") == 1


def test_verify_checks_a_size_and_fingerprint_someone_was_shown(cli, capsys, cast):
    from councils.record.sequencer import latest_checkpoint, root_at

    checkpoint = latest_checkpoint(current=True)
    size = checkpoint.size
    current = f"{size}:{bytes(checkpoint.root).hex()[:16]}"
    earlier = f"{size - 3}:{root_at(size - 3).hex()[:16].upper()}"
    assert cli("verify", "--forget", "--seen", current, "--seen", earlier) == 0
    out = capsys.readouterr().out
    assert f"The record's first {size} entries still have the root you were shown" in out
    assert f"The record's first {size - 3} entries still have the root you were shown" in out
    assert cli("verify", "--forget", "--json", "--seen", current) == 0
    assert json.loads(capsys.readouterr().out)["notes"]


def test_verify_fails_when_what_someone_was_shown_is_not_the_record(cli, capsys, cast):
    from councils.record.sequencer import latest_checkpoint

    size = latest_checkpoint(current=True).size
    assert cli("verify", "--forget", "--seen", f"{size}:0123456789abcdef") == 1
    assert "no longer have the root you were shown (0123456789abcdef)" in capsys.readouterr().out
    assert cli("verify", "--forget", "--seen", f"{size + 5}:0123456789abcdef") == 1
    assert f"shown a record of {size + 5} entries, but it now has only {size}" in capsys.readouterr().out


@pytest.mark.parametrize("seen", ["12", "x:0123456789abcdef", "12:0123", "12:not-hex-at-all!"])
def test_verify_refuses_a_malformed_seen(cli, capsys, seen):
    assert cli("verify", "--forget", "--seen", seen) == 2
    assert "give the size and the root's fingerprint as SIZE:HEX" in capsys.readouterr().err


def test_a_digest_can_be_checked_with_the_command_it_quotes(cli, capsys, cast, settings):
    import re
    from datetime import timedelta

    from django.core import mail

    from councils.digests.actions import send_due_digests
    from councils.motions import actions as motion_actions
    from councils.record.sequencer import SUMMARY_CACHE

    motion_actions.table_motion(actor=cast.bob, council=cast.riverside, title="Lockers", text="New.", now=NOW)
    settings.COUNCILS_SITE_URL = SERVER
    SUMMARY_CACHE.clear()
    send_due_digests(now=NOW + timedelta(days=1))
    [command] = {re.search(r"councils verify (.+)", m.body).group(1) for m in mail.outbox}
    assert command.startswith(f"--server {SERVER} --seen ")
    assert main(["verify", "--forget", *command.split()]) == 0
    assert "still have the root you were shown" in capsys.readouterr().out


@pytest.fixture
def running_witness(tmp_path, settings):
    from councils.record import signing

    state = tmp_path / "witness"
    w = witness_module.Witness(state, "test-witness", [signing.verifier().vkey()])
    server = witness_module.ThreadingHTTPServer(("127.0.0.1", 0), witness_module.make_handler(w))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    settings.COUNCILS_WITNESSES = [{"vkey": w.signer.verifier.vkey(), "url": url}]
    settings.COUNCILS_WITNESS_QUORUM = 1
    yield w, url
    server.shutdown()
    server.server_close()


def test_witness_cosigns_and_verify_checks_the_cosignature(cli, capsys, cast, running_witness, monkeypatch):
    from councils.record import sequencer, witnessing

    w, _ = running_witness
    checkpoint = sequencer.latest_checkpoint()
    [cosignature] = witnessing.request_cosignatures(checkpoint)
    assert cosignature.witness == "test-witness" and witnessing.is_official(checkpoint)
    fa.create_council(
        actor=None,
        federation=cast.federation,
        name="New Works",
        kind="workplace",
        parent=cast.district,
        is_base=True,
        now=NOW,
    )
    newer = sequencer.latest_checkpoint()
    assert newer.size == checkpoint.size + 1
    assert len(witnessing.request_cosignatures(newer)) == 1
    assert w.latest(newer.origin)[0] == newer.size
    vkey = w.signer.verifier.vkey()
    assert cli("verify", "--witness", vkey, "--require-witnesses", "--forget") == 0
    assert "Cosigned by test-witness" in capsys.readouterr().out


def test_witness_refuses_what_it_cannot_vouch_for(cast, tmp_path):
    from councils.record import sequencer, signing
    from councils.record.witnessing import _request_body

    w = witness_module.Witness(tmp_path / "w", "w", [signing.verifier().vkey()])
    checkpoint = sequencer.latest_checkpoint()
    ok = w.add_checkpoint(_request_body(0, checkpoint))
    assert ok.startswith("\u2014 w ")
    with pytest.raises(witness_module.Refusal) as refusal:
        w.add_checkpoint(_request_body(0, checkpoint))
    assert refusal.value.status == 409 and refusal.value.message == f"{checkpoint.size}\n"
    forged = note.make_signer(checkpoint.origin, Ed25519PrivateKey.generate())
    body = note.Checkpoint(checkpoint.origin, checkpoint.size + 1, b"\x02" * 32).body()
    forged_note = note.Note(body, (note.sign_note(body, forged),)).text()
    with pytest.raises(witness_module.Refusal) as refusal:
        w.add_checkpoint(f"old {checkpoint.size}\n\n{forged_note}")
    assert refusal.value.status == 403
    real = signing.signer()
    inconsistent = note.Note(body, (note.sign_note(body, real),)).text()
    with pytest.raises(witness_module.Refusal) as refusal:
        w.add_checkpoint(f"old {checkpoint.size}\n{base64.b64encode(b'x' * 32).decode()}\n\n{inconsistent}")
    assert refusal.value.status == 422
    other = note.make_signer("other.example/log", Ed25519PrivateKey.generate())
    body = note.Checkpoint(other.name, 1, b"\x02" * 32).body()
    with pytest.raises(witness_module.Refusal) as refusal:
        w.add_checkpoint("old 0\n\n" + note.Note(body, (note.sign_note(body, other),)).text())
    assert refusal.value.status == 404
    with pytest.raises(witness_module.Refusal) as refusal:
        w.add_checkpoint("garbage")
    assert refusal.value.status == 400


def test_witness_http_answers_post_only(running_witness):
    _, url = running_witness
    refused = httpx.get(url + "/add-checkpoint")
    assert refused.status_code == 405 and refused.headers["Allow"] == "POST"
    assert httpx.post(url + "/add-checkpoint", content=b"old x\n\n").status_code == 400
    assert httpx.post(url + "/elsewhere", content=b"x").status_code == 404


def test_witness_json_prints_one_document(capsys, tmp_path, monkeypatch):
    state = str(tmp_path / "witness")
    assert main(["witness", "--state-dir", state, "--print-key"]) == 0
    vkey = capsys.readouterr().out.strip()
    assert vkey.startswith("witness-127.0.0.1-7380+")
    assert main(["witness", "--state-dir", state, "--print-key", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"vkey": vkey}
    # Served, it says where once it listens; the test stops it there.
    monkeypatch.setattr(witness_module.ThreadingHTTPServer, "serve_forever", lambda server: None)
    log = "log.example/1+5b281b42+Ae2jTAAsYOyeZzURXjhs+2TgPvqtblyMr1oqHh4YDM2u"
    assert main(["--json", "witness", "--state-dir", state, "--log", log, "--port", "0"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document.keys() == {"vkey", "logs", "url"}
    assert document["vkey"] == vkey and document["logs"] == ["log.example/1"]
    assert document["url"].startswith("http://127.0.0.1:") and not document["url"].endswith(":0/")


def test_a_recorded_key_rotation_is_followed_and_an_unrecorded_one_fails(cli, capsys, tmp_path, settings):
    from django.core.management import call_command

    from councils.record import signing

    settings.COUNCILS_SIGNING_KEY_PATH = tmp_path / "signing_key"
    first = signing.verifier().vkey()
    assert cli("verify") == 0
    call_command("rotate_signing_key")
    second = signing.verifier().vkey()
    assert second != first and list(tmp_path.glob("signing_key.retired-*"))
    assert cli("verify") == 0
    out = capsys.readouterr().out
    assert "checks out" in out
    # A key swapped in without a recorded, endorsed rotation is not trusted as the same log.
    (tmp_path / "signing_key").unlink()
    from councils.record import sequencer

    fa.create_council(
        actor=None,
        federation=cast_federation(),
        name="Later Works",
        kind="workplace",
        parent=None,
        is_base=True,
        now=NOW,
    )
    sequencer.sequence_pending()
    assert signing.verifier().vkey() not in (first, second)
    assert cli("verify") == 1
    assert "key you have not seen before" in capsys.readouterr().out


def cast_federation():
    from councils.federation.models import Federation

    return Federation.objects.get()


def test_sign_checkpoint_can_wait_for_the_witnesses(cast, running_witness, capsys):
    from django.core.management import call_command

    call_command("sign_checkpoint", "--cosign")
    out = capsys.readouterr().out
    assert "Signed checkpoint" in out and "Cosigned by test-witness" in out


def test_sign_checkpoint_cosign_without_witnesses_is_an_error(cast, settings):
    from django.core.management import CommandError, call_command

    settings.COUNCILS_WITNESSES = []
    with pytest.raises(CommandError):
        call_command("sign_checkpoint", "--cosign")


def test_witness_cosigns_only_once_its_state_is_on_disk(cast, tmp_path, monkeypatch):
    from councils import files
    from councils.record import sequencer, signing
    from councils.record.witnessing import _request_body

    w = witness_module.Witness(tmp_path / "w", "w", [signing.verifier().vkey()])
    checkpoint = sequencer.latest_checkpoint()

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "fsync", failing_fsync)
    # A witness that cosigned what it could not keep could, after a crash, cosign a fork of it.
    with pytest.raises(OSError):
        w.add_checkpoint(_request_body(0, checkpoint))
    assert w.latest(checkpoint.origin)[0] == 0
    monkeypatch.undo()
    assert w.add_checkpoint(_request_body(0, checkpoint)).startswith("\u2014 w ")
    assert w.latest(checkpoint.origin)[0] == checkpoint.size


def test_verify_keeps_the_checkpoint_it_saw_durably(cli, tmp_path, monkeypatch):
    from councils import files

    synced: list[str] = []
    real = files.os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)
    assert cli("verify") == 0
    state = tmp_path / "state" / "councils" / "checkpoints"
    [saved] = state.glob("*.json")
    assert json.loads(saved.read_text())["size"] >= 1
    assert str(state) in synced and any(Path(p).parent == state and p.endswith(".tmp") for p in synced)


def test_witness_answers_when_it_cannot_read_or_keep_its_state(cast, running_witness, monkeypatch):
    from councils import files
    from councils.record import sequencer
    from councils.record.witnessing import _request_body

    w, url = running_witness
    body = _request_body(0, sequencer.latest_checkpoint())

    def failing_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", failing_fsync)
    refused = httpx.post(url + "/add-checkpoint", content=body.encode())
    assert refused.status_code == 503 and "nothing was cosigned" in refused.text
    monkeypatch.undo()
    w._state_path(sequencer.latest_checkpoint().origin).write_text("{not json")
    refused = httpx.post(url + "/add-checkpoint", content=body.encode())
    assert refused.status_code == 500 and "damaged" in refused.text


@pytest.mark.tampers
def test_verify_server_judges_the_logs_last_action_read_in_pages(cli, capsys, cast, monkeypatch):
    """Read three entries a page, a log whose last entry is a public ending written without its cause:
    the end of the entries shows its action over. Most entries are not public, so it is noted, not judged."""
    monkeypatch.setattr(queries, "list_sequenced", partial(queries.list_sequenced, limit=3))
    assert cli("verify", "--forget", "--json") == 0
    assert json.loads(capsys.readouterr().out)["notes"] == []
    seat = Seat.objects.get(user=cast.bob)
    with transaction.atomic():
        record_actions.append_entry(
            event="delegate.unseated",
            actor=None,
            council=None,
            payload={"seat": str(seat.uuid), "delegate": str(cast.bob.uuid), "reason": "left"},
            now=NOW,
        )
    cli("verify", "--forget", "--json")
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["not_replayed"] > 0 and not any("lists it" in p for p in verdict["problems"])
    assert (
        "some seats and offices ended with entries you may not read: whether their cause came with them "
        "was not checked"
    ) in verdict["notes"]


@pytest.mark.parametrize(
    ("index", "says"),
    [
        (2.5, "2.5"),
        ("1", "'1'"),
        (True, "True"),
        (None, "None"),
        (-1, "-1"),
        (10**9, str(10**9)),
    ],
)
def test_verify_server_refuses_an_entry_index_that_is_no_next_whole_number(
    cli, capsys, monkeypatch, index, says
):
    """A server that numbers an entry wrongly is refused by name, not read as another number or crashed on;
    and one that sends an entry again cannot make the download go round for ever."""
    real_get = cli_client.Api.get

    def get(self, path, **params):
        body = real_get(self, path, **params)
        if path == "/record/entries":
            body["entries"][-1]["index"] = index
        return body

    monkeypatch.setattr(cli_client.Api, "get", get)
    assert cli("verify", "--forget") == 1
    assert f"the server sent {says} as the index of an entry from" in capsys.readouterr().err


def test_verify_server_refuses_a_leaf_hash_that_is_not_text(cli, capsys, monkeypatch):
    real_get = cli_client.Api.get

    def get(self, path, **params):
        body = real_get(self, path, **params)
        if path == "/record/entries":
            body["entries"][0]["leaf_hash"] = 5
        return body

    monkeypatch.setattr(cli_client.Api, "get", get)
    assert cli("verify", "--forget") == 1
    assert "entry 0's leaf hash or data is not text" in capsys.readouterr().err
    assert cli("verify", "--forget", "--json") == 1
    assert json.loads(capsys.readouterr().out) == {
        "error": {"message": "entry 0's leaf hash or data is not text", "exit": 1}
    }


@pytest.mark.parametrize(
    ("reader", "note"),
    [
        ("member", None),
        (
            "outsider",
            "1 approved minutes document was read with the names withheld: their tallies were checked, "
            "not their hash.",
        ),
        # Nor does an anonymous reader read Riverside's entries: no approval to check.
        ("anonymous", None),
    ],
)
def test_verify_server_checks_approved_minutes_as_the_reader_may_read_them(
    cli,
    capsys,
    cast,
    meeting,  # noqa: F811
    monkeypatch,
    reader,
    note,
):
    """A member reads the minutes whole (hash and tallies); an outsider with the names withheld (tallies)."""
    meeting_actions.approve_minutes(actor=cast.alice, meeting=hold_with_amendments(cast, meeting), now=at(12))
    user = {"member": cast.bob, "outsider": cast.dave, "anonymous": None}[reader]
    if user is not None:
        monkeypatch.setenv("COUNCILS_TOKEN", issue_token(user=user, name="verify", now=NOW))
    assert cli("verify", "--json") == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert (note in notes) if note else not any("minutes" in n for n in notes)


def test_verify_server_counts_approved_minutes_it_may_not_read(cli, capsys, cast, meeting, monkeypatch):  # noqa: F811
    meeting_actions.approve_minutes(actor=cast.alice, meeting=hold_with_amendments(cast, meeting), now=at(12))
    monkeypatch.setenv("COUNCILS_TOKEN", issue_token(user=cast.bob, name="verify", now=NOW))

    def hidden(**kwargs):
        raise NotFoundError("No such meeting.")

    # The record's entries are read as the council's, the minutes as the meeting's: should the two part.
    monkeypatch.setattr("councils.meetings.queries.access_meeting", hidden)
    assert cli("verify", "--json") == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert "1 approved minutes document was not checked (you may not read them)." in notes


@pytest.mark.tampers
def test_verify_server_reports_approved_minutes_whose_amendment_tally_is_not_the_records(
    cli,
    capsys,
    cast,
    meeting,  # noqa: F811
    forged_tally,  # noqa: F811
    monkeypatch,
):
    held = meeting_actions.approve_minutes(
        actor=cast.alice, meeting=hold_with_amendments(cast, meeting), now=at(12)
    )
    monkeypatch.setenv("COUNCILS_TOKEN", issue_token(user=cast.bob, name="verify", now=NOW))
    assert cli("verify", "--json") == 1
    vote = closes(held.minutes)[0]["vote"]
    assert json.loads(capsys.readouterr().out)["problems"] == [
        f"Meeting {held.uuid}'s minutes state vote {vote} as yes 2, no 1, abstain 0 (adopted; 3 present) "
        "but the record has yes 1, no 2, abstain 0 (rejected; 3 present)."
    ]
