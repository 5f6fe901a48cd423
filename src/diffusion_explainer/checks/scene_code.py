"""Names a scene file uses but neither defines nor imports (`botom`, a forgotten `FadeOut`), found
by a linter before anything renders.

Python reports such a name only when the line runs, minutes into a render and inside a
66-line traceback; Ruff (its Pyflakes rules, in about 10 ms for the eight scene files) reports
every one at once with its line. Only the rules that mean "this will fail" are asked for:
undefined names (F821), names exported but undefined (F822) and locals read before assignment
(F823); style is the author's business.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import SetupError

RULES = ("F821", "F822", "F823")
WHERE_NAMES_COME_FROM = ("Manim's classes and constants come from `manim`, the project's helpers (jp, label, formula, "
                         "picture, style, ...) from `diffusion_explainer.scene.toolbox`")


@dataclass(frozen=True)
class CodeProblem:
    path: Path
    line: int
    code: str
    message: str  # e.g. "Undefined name `botom`"


def _ruff() -> str:
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError as e:
        raise SetupError("the linter Ruff is not installed: run `make setup` (it is a dependency of the package)") from e
    return str(find_ruff_bin())


def code_problems(files: list[Path]) -> list[CodeProblem]:
    """What would fail when these files' lines run, by file and line. Kept by what the files hold:
    the studio checks the scene files at every save, most often with none of them changed, and
    starting Ruff costs 50 ms."""
    if not files:
        return []
    held = _held(files)
    found = _LINTED.get(held)
    if found is None:
        found = _lint(files)
        if _held(files) == held:  # (not kept if a file changed while Ruff read it)
            if len(_LINTED) >= KEEP_LINTED:
                _LINTED.pop(next(iter(_LINTED)))
            _LINTED[held] = found
    return list(found)


KEEP_LINTED = 16
_LINTED: dict[tuple, tuple[CodeProblem, ...]] = {}  # (each file and its bytes) -> what Ruff found


def _held(files: list[Path]) -> tuple:
    def content(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except OSError:
            return None  # Ruff says what is wrong with it

    return tuple((str(path), content(Path(path))) for path in files)


def _lint(files: list[Path]) -> tuple[CodeProblem, ...]:
    result = subprocess.run([_ruff(), "check", "--isolated", "--no-cache", "--select", ",".join(RULES),
                             "--output-format", "json", "--exit-zero", *map(str, files)],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise SetupError(f"the linter Ruff failed on the scene files: {result.stderr.strip()[:400]}")
    return tuple(CodeProblem(Path(item["filename"]), item["location"]["row"], item["code"], item["message"])
                 for item in json.loads(result.stdout or "[]"))


def explain(problem: CodeProblem) -> str:
    """The linter's message in the project's words."""
    if problem.code == "F821":
        name = problem.message.split("`")[1] if "`" in problem.message else "a name"
        return (f"uses `{name}`, which the file neither defines nor imports: a typo, or a missing import "
                f"({WHERE_NAMES_COME_FROM})")
    return problem.message
