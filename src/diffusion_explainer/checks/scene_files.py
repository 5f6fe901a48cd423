"""Reading a scene file without running it: its scene class, its cue methods and the lines and
phrases it syncs to.

`check` and `render` use this to find, in a second and without importing Manim, what would
otherwise fail minutes into a render: a cue with no method, a method with no cue, a line id or
phrase the screenplay no longer has. The rules a scene file follows (README, "Writing a scene"):
- one class sets `scene_id = "<the scene's id>"`;
- each public method (a name not starting with `_`) draws the cue of the same name; helpers
  start with `_`;
- lines are named where they are used: `self.line("beta_explained")`, and phrases written out:
  `.at("その分だけ")`, `.page("パラメータ")` (on the call, or on a name bound to `self.line(...)`).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

# Methods of the base class a scene may override; they are not cues.
FRAMEWORK_METHODS = frozenset({"setup", "construct", "tear_down"})
PHRASE_METHODS = frozenset({"at", "page"})


class SceneFileError(Exception):
    """A scene file that cannot be read as a scene (missing, not Python, no scene class)."""

    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


@dataclass(frozen=True)
class SyncReference:
    """A place where scene code names a line (and maybe a phrase of it)."""

    method: str  # the cue method (or helper) it is in
    line_id: str
    phrase: str | None  # the phrase given to .at() / .page(), if any
    lineno: int


@dataclass(frozen=True)
class SceneFile:
    path: Path
    scene_id: str
    class_name: str
    class_line: int
    methods: Mapping[str, int]  # public method name -> line number: the cue methods
    references: tuple[SyncReference, ...]
    unchecked: tuple[tuple[int, str], ...] = field(default=())  # (line, why) a reference cannot be read
    imports: frozenset[str] = frozenset()  # the modules it imports (to know what a render must prepare)


def read_scene_file(path: Path, scene_id: str) -> SceneFile:
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SceneFileError(path, None, f"is missing: every scene of the screenplay needs its file, and scene "
                                         f"'{scene_id}' has none (a class with scene_id = \"{scene_id}\")") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SceneFileError(path, None, f"cannot be read: {e}") from None
    return _read_source(path, scene_id, source)


@functools.lru_cache(maxsize=64)
def _read_source(path: Path, scene_id: str, source: str) -> SceneFile:
    """What read_scene_file finds in a file's text, kept per text: the studio checks every scene
    file at every save (0.1 s of parsing for the eight), and a render checks them again."""
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as e:
        raise SceneFileError(path, e.lineno, f"is not valid Python: {e.msg}") from None

    scene_class = _scene_class(tree, scene_id)
    if scene_class is None:
        raise SceneFileError(path, None, f"has no class with scene_id = \"{scene_id}\" (an ExplainerScene subclass)")
    methods = {node.name: node.lineno for node in scene_class.body
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
               and not node.name.startswith("_") and node.name not in FRAMEWORK_METHODS}
    references, unchecked = [], []
    for node in scene_class.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _References(node.name, references, unchecked).visit(node)
    return SceneFile(path, scene_id, scene_class.name, scene_class.lineno, MappingProxyType(methods),
                     tuple(references), tuple(unchecked), frozenset(_imports(tree)))


def _scene_class(tree: ast.Module, scene_id: str) -> ast.ClassDef | None:
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if (isinstance(stmt, ast.Assign) and any(getattr(t, "id", None) == "scene_id" for t in stmt.targets)
                        and isinstance(stmt.value, ast.Constant) and stmt.value.value == scene_id):
                    return node
    return None


def _imports(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _is_self_line(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "line"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "self")


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _References(ast.NodeVisitor):
    """The `self.line("id")` calls of one method, with the phrases asked of them, following names
    bound to a line (`beta = self.line("beta")` ... `beta.at("その分")`)."""

    def __init__(self, method: str, references: list, unchecked: list):
        self.method, self.references, self.unchecked = method, references, unchecked
        self.bound: dict[str, str] = {}  # local name -> line id

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        targets, values = node.targets[0], node.value
        pairs = (zip(targets.elts, values.elts) if isinstance(targets, ast.Tuple) and isinstance(values, ast.Tuple)
                 and len(targets.elts) == len(values.elts) else [(targets, values)])
        for target, value in pairs:
            if isinstance(target, ast.Name):
                line_id = _literal(value.args[0]) if _is_self_line(value) and value.args else None
                if line_id:
                    self.bound[target.id] = line_id
                else:
                    self.bound.pop(target.id, None)

    def visit_Call(self, node: ast.Call) -> None:
        if _is_self_line(node):
            line_id = _literal(node.args[0]) if node.args else None
            if line_id is None:
                self.unchecked.append((node.lineno, "self.line() is given a computed id: write the line's id out "
                                                    "(self.line(\"beta_explained\")) so that `check` can verify it"))
            else:
                self.references.append(SyncReference(self.method, line_id, None, node.lineno))
        elif isinstance(node.func, ast.Attribute) and node.func.attr in PHRASE_METHODS and node.args:
            owner = node.func.value
            line_id = (_literal(owner.args[0]) if _is_self_line(owner) and owner.args
                       else self.bound.get(owner.id) if isinstance(owner, ast.Name) else None)
            phrase = _literal(node.args[0])
            if line_id and phrase is not None:
                self.references.append(SyncReference(self.method, line_id, phrase, node.lineno))
        self.generic_visit(node)
