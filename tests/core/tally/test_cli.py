"""`councils count`: output formats, exit codes, and no Django on the offline path."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from councils.cli.main import main as cli_main

from .reference import REPO_ROOT


def main(argv: list[str]) -> int:
    return cli_main(["count", *argv])


BLT = '4 2\n41 1 2 0\n14 2 0\n25 3 0\n20 4 3 0\n0\n"A"\n"B"\n"C"\n"D"\n"Ward 1"\n'


# Aggregated weights: more preferences than Meek's guard digits absorb, well within the other methods.
HUGE = "5 3\n227075901955 1 0\n102511667560 3 0\n283399473766 1 0\n0\nA\nB\nC\nD\nE\n"


@pytest.fixture
def blt_file(tmp_path: Path) -> Path:
    path = tmp_path / "ward.blt"
    path.write_text(BLT, encoding="utf-8")
    return path


def test_json_output_is_one_pinned_document(blt_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main([str(blt_file), "--method", "scottish-stv", "--json"])
    document = json.loads(capsys.readouterr().out)

    assert code == 0
    assert document["method"] == "scottish-stv"
    assert document["seats"] == 2
    assert document["quota"] == "34.00000"
    assert document["elected"] == ["A", "C"]
    assert document["stages"][1] == {
        "stage": 2,
        "totals": {"A": "34.00000", "B": "20.99993", "C": "25.00000", "D": "20.00000"},
        "elected": [],
        "excluded": [],
        "transfer_value": "0.17073",
    }
    assert document["ties"] == []


def test_text_output_is_a_stage_table(blt_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(blt_file), "--method", "wigm"]) == 0
    out = capsys.readouterr().out.splitlines()

    assert out[0] == "Ward 1"
    assert out[2].split() == ["candidate", "stage", "1", "stage", "2", "stage", "3"]
    assert out[4].split() == ["B", "14.000000000000", "21.666666666667", "21.666666666667"]
    assert out[-1] == "elected: A, C"


def test_seats_and_seed_options_and_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BLT.encode())))
    assert main(["-", "--method", "plurality", "--seats", "3", "--seed", "s1", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)

    assert document["seats"] == 3
    assert document["seed"] == "s1"
    # Block vote, three marks each: A 41, B 41 + 14, C 25 + 20, D 20.
    assert document["elected"] == ["B", "C", "A"]


def test_a_pipe_named_as_a_file_is_read_like_any_file() -> None:
    """`councils count /dev/stdin < ward.blt`, or a process substitution: no size, no seeking."""
    result = subprocess.run(
        [sys.executable, "-m", "councils.cli.main", "count", "/dev/stdin", "--method", "wigm", "--json"],
        input=BLT,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["elected"] == ["A", "C"]


def test_csv_output(blt_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(blt_file), "--method", "meek", "--csv"]) == 0
    assert capsys.readouterr().out.startswith("stage,action,quota,A,B,C,D,")


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("2 1\n1 1 9 0\n0\nA\nB\n", ["--method", "wigm"], "line 2: unknown candidate '9'"),
        ('2 1\n1 1=2 0\n0\n"A"\n"B"\n', ["--method", "scottish-stv"], "cannot count equal preferences"),
        (BLT, ["--method", "wigm", "--seats", "0"], "at least one seat"),
        ("2 1\n9007199254740992 1 0\n0\nA\nB\n", ["--method", "wigm"], "this engine counts exactly"),
        (HUGE, ["--method", "meek"], "meek cannot count 612987043281 ballots exactly"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, args: list[str], message: str
) -> None:
    path = tmp_path / "bad.blt"
    path.write_text(content, encoding="utf-8")

    assert main([str(path), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: " in captured.err
    assert message in captured.err


@pytest.mark.parametrize("method", ["scottish-stv", "meek", "wigm", "plurality", "approval"])
def test_as_many_seats_as_candidates_elects_everyone_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], method: str
) -> None:
    path = tmp_path / "short.blt"
    path.write_text('2 3\n3 1 2 0\n2 2 0\n0\n"A"\n"B"\n"Short list"\n', encoding="utf-8")

    assert main([str(path), "--method", method, "--json"]) == 0
    captured = capsys.readouterr()
    assert sorted(json.loads(captured.out)["elected"]) == ["A", "B"]
    assert (
        captured.err
        == f"councils: warning: {path}: 3 seats for 2 candidates: every candidate is elected unopposed\n"
    )

    assert main([str(path), "--method", method, "--seats", "1", "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_seats_given_past_the_candidates_are_warned_of_but_schulze_ranks_everyone_anyway(
    blt_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(blt_file), "--method", "wigm", "--seats", "99"]) == 0
    assert "99 seats for 4 candidates: every candidate is elected unopposed" in capsys.readouterr().err
    assert main([str(blt_file), "--method", "schulze", "--seats", "99", "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_weights_too_large_for_meek_still_count_by_other_methods(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "aggregated.blt"
    path.write_text(HUGE, encoding="utf-8")

    assert main([str(path), "--method", "wigm", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["elected"] == ["A", "C", "D"]


def test_missing_file_and_bad_usage_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "absent.blt"), "--method", "meek"]) == 2
    assert "absent.blt" in capsys.readouterr().err
    assert main(["x.blt", "--method", "borda"]) == 2
    assert "invalid choice: 'borda'" in capsys.readouterr().err


def test_the_count_command_imports_no_django(blt_file: Path) -> None:
    script = (
        "import sys; from councils.cli.main import main; code = main(['count', *sys.argv[1:]]); "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'; "
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(blt_file), "--method", "meek", "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["elected"] == ["A", "C"]


def test_the_councils_command_runs_count_with_json_before_or_after(
    blt_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from councils.cli.main import main as councils

    for argv in (
        ["--json", "count", str(blt_file), "--method", "wigm"],
        ["count", str(blt_file), "--method", "wigm", "--json"],
    ):
        assert councils(argv) == 0
        assert json.loads(capsys.readouterr().out)["elected"] == ["A", "C"]
