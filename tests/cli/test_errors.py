"""Bad input, unusable files, unreachable or wrong servers, a reader gone away, Ctrl-C.

Every case ends the same way: one line on stderr that says what is wrong, a non-zero exit, never a
traceback; with --json, the same message as the one JSON document on stdout. None of these needs a
Councils server or a database.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from councils.cli.main import build_parser, main
from councils.core.tally import count
from councils.core.tally.blt import parse_text
from tests.record.support import signed_bundle

REPO_ROOT = Path(__file__).resolve().parents[2]
UUID = "00000000-0000-0000-0000-000000000000"
UNREACHABLE = "http://127.0.0.1:9"
BLT = '3 1\n4 1 2 0\n3 2 0\n2 3 0\n0\n"Ann"\n"Bo"\n"Cy"\n"Ward"\n'


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in (
        "COUNCILS_TOKEN",
        "COUNCILS_PASSWORD",
        "COUNCILS_OTP",
        "COUNCILS_SERVER",
        "COUNCILS_WITNESS_KEYS",
    ):
        monkeypatch.delenv(name, raising=False)


def fails_cleanly(capsys: pytest.CaptureFixture[str], argv: list[str], *, code: int, says: str) -> str:
    """Run the CLI here and check it failed with `code` and one line on stderr containing `says`."""
    capsys.readouterr()
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("councils: ") and err.count("\n") == 1, err
    assert says in err
    return err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "binary").write_bytes(b"\xff\xfe\x00 not text")
    (tmp_path / "ward.blt").write_text(BLT)
    (tmp_path / "a-directory").mkdir()
    return {
        "missing": str(tmp_path / "missing"),
        "binary": str(tmp_path / "binary"),
        "directory": str(tmp_path / "a-directory"),
        "blt": str(tmp_path / "ward.blt"),
    }


# Each command that reads a file the user names, with that file in {} and what follows it.
FILE_COMMANDS = [
    ["count", "{}", "--method", "meek"],
    ["motions", "table", "--council", UUID, "--title", "T", "--file", "{}"],
    ["motions", "amend", UUID, "--file", "{}"],
    [
        "discipline",
        "charge",
        UUID,
        "--charges-file",
        "{}",
        "--penalty",
        "expulsion",
        "--hearing",
        "2026-05-01T18:00+00:00",
    ],
    ["discipline", "defend", UUID, "--statement-file", "{}"],
    ["platform", "publish", UUID, "--title", "T", "--body-file", "{}", "--council", UUID],
    ["verify", "--bundle", "{}"],
    ["record", "verify", "{}"],
]


@pytest.mark.parametrize("command", FILE_COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize(
    ("kind", "says"),
    [("missing", "No such file"), ("directory", "Is a directory"), ("binary", "not ")],
)
def test_a_file_that_cannot_be_read_is_named(capsys, files, command, kind, says):
    argv = ["--server", UNREACHABLE, *[files[kind] if a == "{}" else a for a in command]]
    err = fails_cleanly(capsys, argv, code=2, says=says)
    assert files[kind] in err


@pytest.mark.parametrize("command", [c for c in FILE_COMMANDS if "--bundle" not in c and c[0] != "record"])
def test_standard_input_that_is_not_text_is_refused(capsys, monkeypatch, command):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe\x00")))
    argv = ["--server", UNREACHABLE, *["-" if a == "{}" else a for a in command]]
    fails_cleanly(capsys, argv, code=2, says="<stdin>: not UTF-8 text")


@pytest.mark.parametrize(
    "server", ["127.0.0.1:8000", "ftp://example.org", "http://[::1", "http://h:99999", ""]
)
def test_a_server_that_is_no_site_root_is_bad_usage(capsys, server):
    fails_cleanly(capsys, ["--server", server, "councils", "list"], code=2, says="--server takes a site root")


@pytest.mark.parametrize("server", ["http://127.0.0.1:8000/api/v1", "https://example.org/councils/api/v1/"])
@pytest.mark.parametrize("command", [["verify"], ["councils", "list"]])
def test_a_server_given_as_the_api_address_names_its_site_root(capsys, server, command):
    root = server.partition("/api/v1")[0]
    fails_cleanly(
        capsys,
        ["--server", server, *command],
        code=2,
        says=f"--server takes the site root, without /api/v1: {root};",
    )


@pytest.mark.parametrize(
    "command",
    [
        ["verify"],
        ["record", "export", "-o", "-"],
        ["councils", "list"],
        ["whoami"],
        ["alerts"],
        ["meetings", "minutes", UUID, "--pdf", "minutes.pdf"],
        ["elections", "blt", UUID],
    ],
)
def test_an_unreachable_server_is_one_line(capsys, command):
    fails_cleanly(capsys, ["--server", UNREACHABLE, *command], code=1, says=f"cannot reach {UNREACHABLE}")


class NotCouncils(BaseHTTPRequestHandler):
    """A web site that is not a Councils server: a page for /, an HTML 404 for the rest."""

    def do_GET(self) -> None:
        status = 200 if "/api/v1/councils" in self.path else 404
        body = b"<!DOCTYPE html>\n<html><body><h1>Some other site</h1>\n</body></html>\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def other_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotCouncils)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("command", "code", "says"),
    [
        (["whoami"], 2, "404: Not Found (is http://127.0.0.1:"),
        (["verify"], 2, "the site root of a Councils server?"),
        (["councils", "list"], 1, "answered with text/html, not as a Councils server does"),
    ],
)
def test_a_server_that_is_not_councils_is_one_line(capsys, other_site, command, code, says):
    fails_cleanly(capsys, ["--server", other_site, *command], code=code, says=says)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ["discipline", "charge", UUID, "--charges", "x", "--penalty", "expulsion", "--hearing", "friday"],
            "--hearing must be",
        ),
        (["motions", "open-vote", UUID, "--closes-at", "2026-05-01"], "--closes-at must be"),
        (["elections", "show", "not-a-uuid"], "must be a UUID"),
        (["constitution", "propose", "--set", "no-equals-sign"], "--set takes SETTING=VALUE"),
        (["verify", "--quorum", "-1"], "--quorum cannot be negative"),
        (["verify", "--witness", "garbage"], "--witness: 'garbage' is not a witness key"),
        (
            ["record", "verify", "missing.bundle", "--witness", "w+1+AAAA"],
            "--witness: 'w+1+AAAA' is not a witness key",
        ),
    ],
)
def test_bad_values_are_refused_before_asking_the_server(capsys, argv, says):
    fails_cleanly(capsys, ["--server", UNREACHABLE, *argv], code=2, says=says)


def test_a_malformed_witness_key_in_the_environment_is_named(capsys, monkeypatch):
    monkeypatch.setenv("COUNCILS_WITNESS_KEYS", "not-a-key")
    fails_cleanly(
        capsys, ["--server", UNREACHABLE, "verify"], code=2, says="$COUNCILS_WITNESS_KEYS: 'not-a-key' is not"
    )


def test_unusable_credentials_are_named(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("")
    fails_cleanly(capsys, ["--server", UNREACHABLE, "whoami"], code=2, says="cannot read your stored tokens")
    fails_cleanly(
        capsys, ["--server", UNREACHABLE, "logout"], code=2, says="a-file/councils/credentials.json"
    )


@pytest.mark.parametrize("stored", ["[1, 2]", "not json", '{"http://127.0.0.1:9": 5}'])
def test_damaged_credentials_count_as_not_logged_in(capsys, tmp_path, stored):
    (tmp_path / "config" / "councils").mkdir(parents=True)
    (tmp_path / "config" / "councils" / "credentials.json").write_text(stored)
    fails_cleanly(capsys, ["--server", UNREACHABLE, "whoami"], code=1, says="cannot reach")


def test_verify_that_cannot_keep_the_checkpoint_warns_and_still_checks(capsys, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "a-file"))
    bundle = signed_bundle(tmp_path, [])
    assert main(["verify", "--bundle", str(bundle), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is True
    assert any("Cannot keep this checkpoint" in w for w in document["warnings"])


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_witness_failures_are_one_line(capsys, tmp_path, busy_port):
    log = "log.example/1+5b281b42+Ae2jTAAsYOyeZzURXjhs+2TgPvqtblyMr1oqHh4YDM2u"
    (tmp_path / "a-file").write_text("")
    fails_cleanly(
        capsys,
        ["witness", "--state-dir", str(tmp_path / "a-file"), "--print-key"],
        code=2,
        says="cannot keep",
    )
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "witness_key.pem").write_text("not a key")
    fails_cleanly(
        capsys, ["witness", "--state-dir", str(tmp_path / "damaged"), "--print-key"], code=2, says="PEM"
    )
    argv = ["witness", "--state-dir", str(tmp_path / "state"), "--log", log, "--port", str(busy_port)]
    capsys.readouterr()
    assert main(argv) == 2
    assert f"councils: cannot listen on 127.0.0.1:{busy_port}: " in capsys.readouterr().err
    assert main([*argv[:-1], "99999"]) == 2
    assert "a port is a number from 0 to 65535" in capsys.readouterr().err


def _subcommands(parser: argparse.ArgumentParser, prefix: list[str]) -> Iterator[list[str]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield [*prefix, name]
                yield from _subcommands(sub, [*prefix, name])


@pytest.mark.parametrize("command", list(_subcommands(build_parser(), [])), ids=" ".join)
def test_every_subcommand_has_help_with_a_description(capsys, command):
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    usage, _, rest = out.partition("\n\n")
    assert usage.startswith(f"usage: councils {command[0]}")
    description = rest.partition("\n\n")[0]
    assert not description.startswith(("positional arguments", "options")), f"no description:\n{out}"
    assert "show this help message" in out


def _councils(*argv: str, **kwargs) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "councils.cli.main", *argv], cwd=REPO_ROOT, stderr=subprocess.PIPE, **kwargs
    )


@pytest.mark.parametrize("read_first_line", [True, False], ids=["head -1", "reader gone at once"])
def test_a_reader_that_stops_early_gets_no_traceback(tmp_path, read_first_line):
    # Long names make the JSON far larger than a pipe holds, written piece by piece (as `record export -o -`
    # writes), so that writing fails while the reader has gone.
    blt = tmp_path / "big.blt"
    names = "".join(f'"Candidate {i} {"x" * 2000}"\n' for i in range(200))
    blt.write_text("200 1\n" + "".join(f"1 {i + 1} 0\n" for i in range(200)) + "0\n" + names + '"Big"\n')
    process = _councils("count", str(blt), "--method", "plurality", "--json", stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    if read_first_line:
        assert process.stdout.readline() == b"{\n"
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert err == ""


def _interrupted_login(*options: str) -> tuple[int, bytes, bytes]:
    """Press Ctrl-C at `login`'s prompt: its exit code, stdout and stderr.

    `login` asks for the username on stderr, then waits: the moment to press Ctrl-C. Python handles
    SIGINT only where it was not ignored when it started (as in a shell's background job).
    """
    process = _councils(
        "--server",
        UNREACHABLE,
        "login",
        *options,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stderr is not None
    assert process.stderr.read(len("Username: ")) == b"Username: "
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_ctrl_c_exits_130_with_one_line():
    code, out, err = _interrupted_login()
    assert code == 130
    assert (out, err) == (b"", b"councils: interrupted\n")


def test_a_password_cannot_be_asked_for_without_a_terminal():
    # A new session has no controlling terminal, as under cron or in CI.
    done = subprocess.run(
        [sys.executable, "-m", "councils.cli.main", "--server", UNREACHABLE, "login", "-u", "bob"],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert (
        done.stderr
        == "councils: no terminal to ask for the password on: use --password-stdin or $COUNCILS_PASSWORD\n"
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_one_line(files):
    with open("/dev/full", "wb") as full:
        process = _councils("count", files["blt"], "--method", "meek", stdout=full)
        assert process.stderr is not None
        err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert err == "councils: No space left on device\n"


# With --json: exactly one JSON document on stdout, whatever the way out (json.loads refuses anything
# after the first document).


def fails_in_json(
    capsys: pytest.CaptureFixture[str], argv: list[str], *, code: int, says: str
) -> dict[str, Any]:
    """Run the CLI and check it printed the error document, and the same message as one line on stderr."""
    capsys.readouterr()
    assert main(argv) == code
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert err.startswith("councils: ") and err.count("\n") == 1, err
    assert says in err
    error = document["error"]
    assert error["message"] == err.removeprefix("councils: ").removesuffix("\n")
    assert error["exit"] == code
    assert set(document) == {"error"}
    return error


@pytest.mark.parametrize(
    "argv",
    [
        ["count", "{missing}", "--method", "meek", "--json"],
        ["--json", "count", "{missing}", "--method", "meek"],
        ["count", "{missing}", "--method", "meek", "--js"],
        ["verify", "--bundle", "{missing}", "--json"],
        ["record", "verify", "{missing}", "--json"],
        ["motions", "amend", UUID, "--file", "{missing}", "--json"],
    ],
    ids=" ".join,
)
def test_an_unreadable_file_is_an_error_document(capsys, tmp_path, argv):
    missing = str(tmp_path / "missing")
    argv = [a.replace("{missing}", missing) for a in argv]
    fails_in_json(capsys, ["--server", UNREACHABLE, *argv], code=2, says="No such file")


def test_a_file_that_is_not_a_bundle_is_an_error_document(capsys, files):
    fails_in_json(
        capsys, ["verify", "--bundle", files["blt"], "--json"], code=2, says="is not a Councils record bundle"
    )
    fails_in_json(
        capsys, ["record", "verify", files["blt"], "--json"], code=2, says="is not a Councils record bundle"
    )


def test_an_invalid_ballot_file_is_an_error_document(capsys, tmp_path):
    (tmp_path / "bad.blt").write_text("3 1\n4 1 9 0\n0\n")
    fails_in_json(
        capsys, ["count", str(tmp_path / "bad.blt"), "--method", "meek", "--json"], code=2, says="bad.blt"
    )


@pytest.mark.parametrize(
    ("server", "command", "code", "says"),
    [
        ("127.0.0.1:8000", ["verify"], 2, "--server takes a site root"),
        ("http://127.0.0.1:8000/api/v1", ["councils", "list"], 2, "without /api/v1"),
        (UNREACHABLE, ["verify"], 1, "cannot reach"),
        (UNREACHABLE, ["whoami"], 1, "cannot reach"),
        (UNREACHABLE, ["record", "export", "-o", "out.bundle"], 1, "cannot reach"),
    ],
)
def test_a_bad_or_unreachable_server_is_an_error_document(capsys, server, command, code, says):
    error = fails_in_json(capsys, ["--server", server, *command, "--json"], code=code, says=says)
    assert "status" not in error and "code" not in error


def test_a_refusal_from_a_server_gives_its_status(capsys, other_site):
    error = fails_in_json(capsys, ["--server", other_site, "whoami", "--json"], code=2, says="404: Not Found")
    assert error["status"] == 404 and "code" not in error


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["verify", "--witness", "garbage"], "--witness: 'garbage' is not a witness key"),
        (["record", "verify", "missing.bundle", "--witness", "w+1+AAAA"], "is not a witness key"),
        (["verify", "--quorum", "-1"], "--quorum cannot be negative"),
        (["verify", "--seen", "12"], "--seen '12'"),
        (["elections", "show", "not-a-uuid"], "must be a UUID"),
    ],
)
def test_bad_values_are_error_documents(capsys, argv, says):
    fails_in_json(capsys, ["--server", UNREACHABLE, *argv, "--json"], code=2, says=says)


def test_a_malformed_witness_key_in_the_environment_is_an_error_document(capsys, monkeypatch):
    monkeypatch.setenv("COUNCILS_WITNESS_KEYS", "not-a-key")
    fails_in_json(
        capsys, ["--server", UNREACHABLE, "verify", "--json"], code=2, says="$COUNCILS_WITNESS_KEYS"
    )


def test_json_before_the_count_command_does_not_go_with_csv(capsys, files):
    fails_in_json(
        capsys,
        ["--json", "count", files["blt"], "--method", "meek", "--csv"],
        code=2,
        says="--json and --csv ask for two outputs",
    )


def test_export_to_stdout_does_not_take_json(capsys):
    fails_in_json(
        capsys,
        ["--server", UNREACHABLE, "record", "export", "-o", "-", "--json"],
        code=2,
        says="give -o FILE",
    )


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["count", "{blt}", "--method", "meek", "--bogus", "--json"], "unrecognized arguments: --bogus"),
        (["--json", "count", "{blt}"], "the following arguments are required: --method"),
        (["count", "{blt}", "--method", "nonesuch", "--json"], "invalid choice: 'nonesuch'"),
        (["count", "{blt}", "--method", "meek", "--seats", "two", "--json"], "invalid int value: 'two'"),
        (["count", "{blt}", "--method", "meek", "--json", "--csv"], "not allowed with argument"),
        (["verify", "--bogus", "--jso"], "unrecognized arguments: --bogus"),
        (["record", "verify", "--json"], "the following arguments are required: FILE"),
        (["record", "--json"], "the following arguments are required: COMMAND"),
        (["--json", "nonesuch"], "invalid choice: 'nonesuch'"),
        (["--json"], "the following arguments are required: COMMAND"),
        (["witness", "--state-dir", "s", "--port", "99999", "--json"], "a port is a number from 0 to 65535"),
    ],
)
def test_a_usage_error_is_an_error_document(capsys, files, argv, says):
    capsys.readouterr()
    assert main([a.replace("{blt}", files["blt"]) for a in argv]) == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == {
        "error": {"message": err.splitlines()[-1].partition(": error: ")[2], "exit": 2}
    }
    # stderr is argparse's own: the usage, then the error.
    assert err.startswith("usage: councils") and ": error: " in err and says in err


def test_without_json_nothing_goes_to_stdout(capsys, tmp_path, files):
    for argv in (
        ["count", str(tmp_path / "missing"), "--method", "meek"],
        ["count", files["blt"], "--bogus"],
        ["--server", UNREACHABLE, "verify"],
        # After `--` the word is an argument: a file named --json, not the option.
        ["count", "--method", "meek", "--", "--json"],
    ):
        capsys.readouterr()
        assert main(argv) != 0
        assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("argv", "method", "seed"),
    [
        (["count", "{blt}", "--method", "meek", "--json"], "meek", None),
        (["--json", "count", "{blt}", "--method", "meek"], "meek", None),
        (["count", "{blt}", "--method", "schulze", "--seed", "s", "--json"], "schulze", "s"),
    ],
)
def test_a_count_still_prints_its_result(capsys, files, argv, method, seed):
    capsys.readouterr()
    assert main([a.replace("{blt}", files["blt"]) for a in argv]) == 0
    out, err = capsys.readouterr()
    result = count(parse_text(BLT).election, method=method, seed=seed)
    assert out == json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    assert err == ""


@pytest.mark.parametrize("command", [["verify", "--bundle"], ["record", "verify"]])
def test_verify_still_prints_its_verdict_when_it_checks_out_or_not(capsys, tmp_path, command):
    bundle = signed_bundle(tmp_path, [])
    capsys.readouterr()
    assert main([*command, str(bundle), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is True and "error" not in document
    # A check that fails (exit 1) prints the verdict, not an error document.
    assert main([*command, str(bundle), "--json", "--require-witnesses"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is False and document["problems"] and "error" not in document


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_ctrl_c_is_an_error_document():
    code, out, err = _interrupted_login("--json")
    assert code == 130
    assert err == b"councils: interrupted\n"
    assert json.loads(out.decode()) == {"error": {"message": "interrupted", "exit": 130}}
