"""A scene file's code in parts: the module's, which every chunk depends on, and each cue method's.

A chunk's frames are made by running the scene file up to the chunk's end: its module code
(imports, constants, helper functions and classes, the scene class's body and its other methods)
and the methods of the cues that started before that end (the scene reports them: chunks.py).
So an edit of the last cue's method leaves every chunk before that cue as it was.

A part is read from the syntax tree (`ast.dump`, without line numbers): comments, blank lines,
formatting and the place of a method among the others change nothing. Docstrings do count: they
are values a program can read (`__doc__`), and an edited one costs only the chunks from its cue on.

A `def` leaves the module's part (is "detached") only where nothing but its name can reach it:
- running the `def` statement binds its name and does nothing else: no decorators but the builtin
  `staticmethod` and `classmethod`, only constant defaults, annotations that name only builtins or names imported above it (or none are evaluated:
  `from __future__ import annotations`), and its name is bound once in its namespace (a module
  with `import *` detaches no function): so where it stands makes no difference;
- Manim and the package cannot call it by name: no dunder, and not a name their code uses as an
  attribute or defines as a method (`outside_names`: `construct`, `setup`, `play`, `cue` ...);
  the framework calls a cue's method only for that cue;
- the file reaches nothing by a computed name (`getattr(self, name)` with a name that is not a
  literal, `vars`, `__dict__`, `eval` ...: `COMPUTED_ACCESS`); if it does, nothing is detached.
A part holds, besides its own code, every detached `def` it names (any identifier, attribute or
word of a string literal in it), and those they name in turn. So a helper method that only the
last cue calls is in the last cue's part; one that `construct` or a class attribute names is in
the module's.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib.util
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..core import keys
from ..core.files import file_stamps

# Names through which code reaches an attribute or a global by a name it computes.
COMPUTED_ACCESS = frozenset({
    "vars", "dir", "globals", "locals", "eval", "exec", "compile", "__import__", "__builtins__", "__dict__",
    "__getattribute__", "__getattr__", "attrgetter", "methodcaller", "getmembers", "getattr_static", "import_module",
    "__annotations__", "get_type_hints", "get_attrs",  # (Manim's Scene.get_attrs(*names))
})
BY_NAME = frozenset({"getattr", "hasattr", "setattr", "delattr"})  # fine with a literal name
# What someone else's code may call on a scene by name: an attribute name, a method's name, and in
# a file that reaches attributes by names it is given, a quoted identifier.
ATTRIBUTE_NAME = re.compile(r"\.[ \t]*([A-Za-z_]\w*)|\bdef[ \t]+([A-Za-z_]\w*)")
QUOTED_NAME = re.compile(r"['\"]([A-Za-z_]\w*)['\"]")
BY_GIVEN_NAME = re.compile(r"\b(?:getattr|hasattr|setattr|delattr|attrgetter|methodcaller|get_attrs|vars|__dict__|"
                           r"__getattribute__)\b")
WORD = re.compile(r"[^\W\d]\w*")


@dataclass(frozen=True)
class SceneCode:
    """The digests of a scene file's parts."""

    module: str  # the code every chunk depends on
    cues: dict[str, str] = field(default_factory=dict)  # cue id -> its method's part (absent: in `module`)

    @property
    def digest(self) -> str:
        return keys.digest([self.module, sorted(self.cues.items())])

    def cue(self, cue_id: str) -> str:
        return cue_part(self.cues, cue_id)


def cue_part(cues: dict[str, str], cue_id: str) -> str:
    """The part that keys the chunks after a cue's start: its method's, or, where the method is
    not detached (SceneCode.cues has no entry), the module's."""
    return cues.get(cue_id, "module")


@dataclass(frozen=True)
class _Def:
    kind: str  # "function" (module level) or "method" (of the scene class)
    name: str
    dump: str
    names: frozenset[str]  # the names it mentions


def scene_code(source: str | bytes, scene_id: str, cue_ids, outside: frozenset[str]) -> SceneCode:
    """The parts of a scene file's `source` whose scene class sets `scene_id`; `cue_ids`: the
    scene's cues, each a method named after it; `outside`: outside_names(). (Kept for the
    process's next render of the same file: the studio plans every scene at every edit.)"""
    return _scene_code(source, scene_id, tuple(cue_ids), outside)


@functools.lru_cache(maxsize=32)
def _scene_code(source: str | bytes, scene_id: str, cue_ids: tuple[str, ...], outside: frozenset[str]) -> SceneCode:
    data = source.encode() if isinstance(source, str) else source
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return SceneCode(keys.digest(data))  # it does not run: whatever it says keys it
    scene_class = next((node for node in tree.body if isinstance(node, ast.ClassDef) and _sets_scene_id(node, scene_id)),
                       None)
    detached: dict[int, _Def] = {}  # by id() of the FunctionDef node
    if scene_class is not None and not _computed_access(tree):
        future = any(isinstance(n, ast.ImportFrom) and n.module == "__future__"
                     and any(a.name == "annotations" for a in n.names) for n in tree.body)
        module_bound, imported = _bound(tree.body), _imported_before(tree.body)
        star = any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in tree.body)
        class_bound = _bound(scene_class.body)
        where = tree.body.index(scene_class)
        candidates = [("function", node, module_bound, lambda name, at=at: _importable(name, imported[at], module_bound))
                      for at, node in enumerate(tree.body) if not star]
        candidates += [("method", node, class_bound, lambda name: name not in class_bound
                        and _importable(name, imported[where], module_bound)) for node in scene_class.body]
        for kind, node, bound, known in candidates:
            if (isinstance(node, ast.FunctionDef) and bound[node.name] == 1 and node.name not in outside
                    and not node.name.startswith("__") and _plain(node, future, known)):
                detached[id(node)] = _Def(kind, node.name, _dump(node), _names(node))
    rest = _without(tree, scene_class, detached)
    methods = {d.name: d for d in detached.values() if d.kind == "method"}
    module = keys.digest([_dump(rest), _closure(_names(rest), [], detached.values())])
    cues = {cue_id: keys.digest(_closure(frozenset(), [methods[cue_id]], detached.values()))
            for cue_id in cue_ids if cue_id in methods}
    return SceneCode(module, cues)


def _closure(names: frozenset[str], start: list[_Def], defs) -> list[list[str]]:
    """`start`, the detached defs named in `names` or in `start`, those they name, and so on:
    each as [kind, name, code], sorted."""
    by_name: dict[str, list[_Def]] = {}
    for d in defs:
        by_name.setdefault(d.name, []).append(d)
    found = {(d.kind, d.name): d for d in start}
    todo, seen = set(names).union(*(d.names for d in start)), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for d in by_name.get(name, []):
            if (d.kind, d.name) not in found:
                found[(d.kind, d.name)] = d
                todo |= d.names
    return sorted([d.kind, d.name, d.dump] for d in found.values())


def _sets_scene_id(node: ast.ClassDef, scene_id: str) -> bool:
    return any(isinstance(s, ast.Assign) and any(getattr(t, "id", None) == "scene_id" for t in s.targets)
               and isinstance(s.value, ast.Constant) and s.value.value == scene_id for s in node.body)


def _dump(node: ast.AST) -> str:
    return ast.dump(node, include_attributes=False)


def _without(tree: ast.Module, scene_class: ast.ClassDef | None, detached: dict[int, _Def]) -> ast.Module:
    """The module with its detached defs left out."""
    body = []
    for node in tree.body:
        if id(node) in detached:
            continue
        if node is scene_class:
            node = ast.ClassDef(node.name, node.bases, node.keywords,
                                [n for n in node.body if id(n) not in detached], node.decorator_list,
                                *([node.type_params] if hasattr(node, "type_params") else []))
        body.append(node)
    return ast.Module(body, tree.type_ignores)


def _names(node: ast.AST) -> frozenset[str]:
    """Every name a piece of code mentions: identifiers, attributes, keywords, the words of its
    string literals (`getattr(self, "helper")`)."""
    found = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            found.add(n.id)
        elif isinstance(n, ast.Attribute):
            found.add(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            found.update(WORD.findall(n.value))
        elif isinstance(n, ast.alias):
            found.update(filter(None, [n.name.split(".")[0], n.asname]))
        elif isinstance(n, ast.keyword) and n.arg:
            found.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(n.name)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            found.update(n.names)
    return frozenset(found)


def _computed_access(tree: ast.Module) -> bool:
    """Whether the file reaches an attribute or a global by a name it computes."""
    literal_calls = set()
    for n in ast.walk(tree):
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in BY_NAME and len(n.args) >= 2
                and isinstance(n.args[1], ast.Constant) and isinstance(n.args[1].value, str)):
            literal_calls.add(id(n.func))
    for n in ast.walk(tree):
        name = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else None
        if name in COMPUTED_ACCESS or (name in BY_NAME and id(n) not in literal_calls):
            return True
    return False


def _bound(body: list[ast.stmt]) -> Counter:
    """How many times each name is bound by the statements of a namespace (not inside functions
    or classes, whose bodies are namespaces of their own)."""
    count: Counter = Counter()

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            count[node.name] += 1
            for part in [*node.decorator_list, *getattr(getattr(node, "args", None), "defaults", []),
                         *getattr(node, "bases", [])]:
                visit(part)
            return
        if isinstance(node, ast.Lambda):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            count[node.id] += 1
        elif isinstance(node, ast.alias):
            count[node.asname or node.name.split(".")[0]] += 1
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            count[node.name] += 1
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in body:
        visit(statement)
    return count


def _imported_before(body: list[ast.stmt]) -> list[frozenset[str]]:
    """For each statement of the module, the names the import statements before it bind."""
    out, names = [], set()
    for node in body:
        out.append(frozenset(names))
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
    return out


def _importable(name: str, imported: frozenset[str], module_bound: Counter) -> bool:
    """A name an annotation may use: bound once in the module, by an import above, or a builtin
    the module does not bind."""
    return (name in imported and module_bound[name] == 1) or (name in vars(builtins) and name not in module_bound)


# What an annotation evaluated when its `def` runs may be made of: looking names up, nothing more.
ANNOTATION_NODES = (ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.Tuple, ast.List, ast.BinOp, ast.BitOr,
                    ast.Load)


PURE_DECORATORS = frozenset({"staticmethod", "classmethod"})  # (the builtins: they only wrap the function)


def _plain(node: ast.FunctionDef, future: bool, known) -> bool:
    """Whether running the `def` binds its name and does nothing else (see the module's docstring)."""
    args = node.args
    if not all(isinstance(d, ast.Name) and d.id in PURE_DECORATORS and known(d.id) for d in node.decorator_list):
        return False
    if not all(isinstance(d, ast.Constant) for d in args.defaults):
        return False
    if not all(d is None or isinstance(d, ast.Constant) for d in args.kw_defaults):
        return False
    if future:
        return True
    annotations = [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
                   if a is not None and a.annotation is not None] + ([node.returns] if node.returns else [])
    for annotation in annotations:
        for n in ast.walk(annotation):
            if not isinstance(n, ANNOTATION_NODES) or (isinstance(n, ast.BinOp) and not isinstance(n.op, ast.BitOr)):
                return False
            if isinstance(n, ast.Name) and not known(n.id):
                return False
    return True


def outside_names(package_dir: Path, scenes_dir: Path, scene_ids) -> frozenset[str]:
    """The names Manim's code and the package's (and the helper modules in `scenes_dir`) may call
    on a scene: every attribute name and method name in them, and the quoted identifiers of the
    files that reach attributes by names they are given (`getattr(self, name)`)."""
    files = [p for p in sorted(package_dir.rglob("*.py")) if "__pycache__" not in p.parts]
    spec = importlib.util.find_spec("manim")
    if spec is not None and spec.submodule_search_locations:
        files += sorted(Path(spec.submodule_search_locations[0]).rglob("*.py"))
    if scenes_dir.is_dir():
        files += [p for p in sorted(scenes_dir.rglob("*.py")) if p.stem not in scene_ids]
    return _names_in(file_stamps(files))


@functools.lru_cache(maxsize=4)
def _names_in(files: tuple[tuple[str, int, int, int], ...]) -> frozenset[str]:
    found = set()
    for path, *_ in files:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found.update(a or b for a, b in ATTRIBUTE_NAME.findall(text))
        if BY_GIVEN_NAME.search(text):
            found.update(QUOTED_NAME.findall(text))
    return frozenset(found)
