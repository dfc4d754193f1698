"""`councils --version`: prints the package version and exits 0, from the installed entry point too."""

from __future__ import annotations

import subprocess
import sys

import pytest

from councils import __version__
from councils.cli.main import main


def test_version_flag_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"councils {__version__}"


def test_version_is_a_release_number() -> None:
    parts = __version__.split(".")
    assert len(parts) >= 3 and all(part.isdigit() for part in parts[:3])


def test_console_script_prints_the_version_without_loading_django() -> None:
    # What the `councils` entry point (councils.cli.main:main) runs, in a fresh interpreter.
    script = (
        "import sys; from councils.cli.main import main; code = main(['--version']); "
        "print('django' in sys.modules, file=sys.stderr); sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"councils {__version__}"
    assert result.stderr.strip() == "False"
