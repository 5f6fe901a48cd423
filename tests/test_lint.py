"""The package, its tests and the scene files have no undefined or unused names and their imports
in order, as Ruff (Pyflakes' rules and isort's) reads them: a name that would fail only when its
line runs is found here first."""

import subprocess

from ruff.__main__ import find_ruff_bin

from tests.conftest import REPO


def test_ruff_finds_no_undefined_names_unused_imports_or_unsorted_imports():
    result = subprocess.run([find_ruff_bin(), "check", "--no-cache", "--select", "F,I", "src", "tests", "scenes"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
