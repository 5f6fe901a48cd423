"""The package's floors, read from its imports: every import goes down a floor (or stays inside its
own folder), so a reader can learn the package from the bottom up and a change on a high floor
never reaches a low one."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "diffusion_explainer"

# Bottom up. A folder may import from folders on lower floors only.
FLOORS = [
    {"core"},  # imports nothing of ours
    {"screenplay", "engine"},
    {"narration", "subtitles", "demos"},
    {"timing", "visuals"},
    {"checks", "media"},
    {"sound"},
    {"scene"},  # everything that runs inside a Manim process
    {"review"},
    {"render"},
    {"studio"},  # make studio: the live preview server (only the command line imports it)
    {"bench"},  # make bench: only the command line imports it
    {"cli"},  # every command
    {"__main__"},
]
FLOOR = {name: level for level, names in enumerate(FLOORS) for name in names}


def imports_by_folder(package_dir: Path = PACKAGE) -> list[tuple[str, str, Path, int]]:
    """(from folder, to folder, file, line) for every import of one of the package's folders by another."""
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        here = parts[0]
        package = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - (node.level - 1)]
                targets = ([".".join(base + [node.module])] if node.module
                           else [".".join(base + [alias.name]) for alias in node.names])
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("diffusion_explainer"):
                module = node.module.removeprefix("diffusion_explainer").lstrip(".")
                targets = [module] if module else [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name.removeprefix("diffusion_explainer.") for a in node.names
                           if a.name.startswith("diffusion_explainer.")]
            else:
                continue
            for target in targets:
                there = target.split(".")[0]
                if there and there != here:
                    found.append((here, there, path, node.lineno))
    return found


def test_every_folder_of_the_package_has_a_floor():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert folders | modules == set(FLOOR), "give a new folder its floor in FLOORS (and the README's map)"


def test_no_import_runs_up_a_floor():
    upward = [f"{path.relative_to(PACKAGE)}:{line}: {here} (floor {FLOOR[here]}) imports {there} (floor {FLOOR[there]})"
              for here, there, path, line in imports_by_folder() if FLOOR[there] >= FLOOR[here]]
    assert not upward, "\n".join(upward)


def test_the_floor_check_sees_an_upward_import(tmp_path):
    """The check above reads relative and absolute imports alike: a review module importing render
    is caught."""
    fake = tmp_path / "diffusion_explainer"
    for folder in ("review", "render", "core"):
        (fake / folder).mkdir(parents=True)
        (fake / folder / "__init__.py").write_text("")
    (fake / "review" / "page.py").write_text("from ..render import pipeline\n")
    (fake / "core" / "style.py").write_text("from diffusion_explainer.review import page\n")
    found = {(here, there) for here, there, _, _ in imports_by_folder(fake)}
    assert found == {("review", "render"), ("core", "review")}


@pytest.mark.parametrize("folder", sorted({p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}))
def test_no_folder_holds_more_than_a_quarter_of_the_code(folder):
    def lines(paths):
        return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in paths)

    total = lines(PACKAGE.rglob("*.py"))
    share = lines((PACKAGE / folder).rglob("*.py")) / total
    assert share <= 0.25, f"{folder}/ holds {share:.0%} of the package's {total} lines: split it by concern"
