"""The on-screen texts and their translations (visuals/catalogue.py): what `check` warns of, and
the update of a language's catalogue.

On-screen texts are written in the scene files and in the package modules that compose texts for
them (`ONSCREEN_MODULES`: the demos' captions worded from their numbers, the diagrams' notes).

- `extract`: every `tr("...")` and `Words("...")` (demos/words.py) of those files, found by Babel's
  Python extractor (the same one `pybabel extract -k tr -k Words` runs), with its file and line;
- `untranslated`: those a language's catalogue has no translation for (none, empty or fuzzy), and
  translations whose `{placeholders}` differ from the text's (`.format()` would fail or drop a number);
- `bare_texts`: Japanese strings a file puts on screen without `tr` or `Words` (they would stay
  Japanese in any language); the phrases a scene syncs to (`.at("...")`, `.page("...")`) are the
  voice's words, not on-screen texts, and are left out, as are docstrings, regular expressions
  (`re.search("「(.+)」", ...)`) and strings of Japanese marks alone (a line breaker's 「、。」);
- `update_catalogue`: the catalogue brought up to those files (new texts added untranslated,
  translations kept, texts no longer used marked obsolete and given back their translation when
  used again), as `pybabel update` would:
  `python -m diffusion_explainer.checks.translations [LANGUAGE]`.

Warnings, never refusals: the Japanese video needs no translation.
"""

from __future__ import annotations

import ast
import re
import string
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..core import runtime
from ..core.errors import Problem
from ..screenplay import Screenplay
from ..visuals.catalogue import DOMAIN, LOCALE_DIR, catalogue_path

KEYWORDS = ("tr", "Words")  # a text translated where it is shown; a demo's text with its numbers
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff01-\uff60]")  # kana, kanji, CJK and full-width marks
MARKS = re.compile(r"[\u3000-\u303f\uff01-\uff60\u30fc\s]")  # 、。「」（）：ー and spaces
SYNC_CALLS = {"at", "page"}  # a scene's timeline asked where the voice says a phrase: not on screen
TARGET_LANGUAGES = ("en",)
PACKAGE = Path(__file__).resolve().parents[1]
ONSCREEN_MODULES = ("demos", "visuals")  # the package's folders that word what scenes show
# Screenplays besides the project's whose scene files the catalogue serves: the two-scene example
# `make test` renders in both languages.
EXAMPLES = (runtime.REPO / "tests" / "data" / "two_scenes" / "noise_in_two_scenes.yaml",)


@dataclass(frozen=True)
class Message:
    text: str  # the msgid: the Japanese text as the file writes it
    path: Path
    line: int
    keyword: str = "tr"  # the call it is written in: tr or Words

    def __str__(self) -> str:
        return f'{self.keyword}("{self.text}")'


def extract(paths: Iterable[Path]) -> list[Message]:
    """Every `tr("...")` and `Words("...")` in these files, in file order."""
    from babel.messages.extract import extract_python

    keywords = {keyword: None for keyword in KEYWORDS}  # None: the first argument is the text
    found = []
    for path in paths:
        with open(path, "rb") as f:
            for line, keyword, arguments, _comments in extract_python(f, keywords, (), {}):
                text = arguments[0] if isinstance(arguments, tuple) else arguments  # Words(text, **values)
                if isinstance(text, str):  # tr() of something not a literal gives nothing to translate
                    found.append(Message(text, Path(path), line, keyword))
    return found


def placeholders(text: str) -> set[str]:
    """The `{names}` `.format()` fills in (a text with an unpaired brace: itself, as one name, so
    that its translation must keep the same braces)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {text}


def untranslated(messages: Iterable[Message], language: str, locale_dir: Path = LOCALE_DIR) -> list[tuple[Message, str]]:
    """(message, why) for each text the language's catalogue does not translate usably."""
    catalog = _read(catalogue_path(language, locale_dir))
    missing = []
    for message in messages:
        entry = catalog.get(message.text) if catalog is not None else None
        if entry is None or not entry.string:
            missing.append((message, "not translated"))
        elif entry.fuzzy:
            missing.append((message, f"its translation 「{entry.string}」 is marked fuzzy"))
        elif placeholders(entry.string) != placeholders(message.text):
            why = (f"its translation 「{entry.string}」 has {sorted(placeholders(entry.string))}, "
                   f"the text {sorted(placeholders(message.text))}")
            missing.append((message, why))
    return missing


def bare_texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of the Japanese strings a file puts on screen without tr() or Words():
    literals and f-strings, less docstrings, the phrases it syncs to, regular expressions and
    marks alone."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (SyntaxError, ValueError, OSError):
        return []  # a file that does not parse is refused by the scene-file check, with its line
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            skip.add(id(node.body[0].value))  # a docstring
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            regex = isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "re"  # re.search(...)
            if name in KEYWORDS or name in SYNC_CALLS or regex:
                skip.update(id(inner) for arg in node.args for inner in ast.walk(arg))
        elif isinstance(node, ast.JoinedStr):
            skip.update(id(inner) for inner in ast.walk(node) if inner is not node)
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _japanese_text(node.value):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr) and _japanese_text(ast.unparse(node)):
            found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def _japanese_text(text: str) -> bool:
    """Japanese words, or Japanese marks around something else (「$x_t$（$t = 1$）」); not marks
    alone (a line breaker's 「、。）」)."""
    return bool(JAPANESE.search(text) and MARKS.sub("", text))


def scene_files(screenplay: Screenplay) -> list[Path]:
    return [p for p in (screenplay.scene_file(s.id) for s in screenplay.scenes) if p.exists()]


def package_files() -> list[Path]:
    """The package modules that word on-screen texts for the scenes."""
    return sorted(p for folder in ONSCREEN_MODULES for p in (PACKAGE / folder).glob("*.py"))


def onscreen_files(screenplay: Screenplay) -> list[Path]:
    """Every file whose texts reach this screenplay's screen: its scene files and the package's."""
    return scene_files(screenplay) + package_files()


def onscreen_text_problems(screenplay: Screenplay, locale_dir: Path = LOCALE_DIR) -> list[Problem]:
    """Warnings for `check` once the screenplay has English, one per place: each tr() or Words()
    text without a usable translation, and each Japanese text shown without either."""
    if not _has_english(screenplay):
        return []
    files = onscreen_files(screenplay)
    problems = []
    for language in TARGET_LANGUAGES:
        where = catalogue_path(language, locale_dir)
        for message, why in untranslated(extract(files), language, locale_dir):
            problems.append(Problem(_shown(message.path), message.line, str(message), f"{why} in {_shown(where)}"))
    for path in files:
        for line, text in bare_texts(path):
            problems.append(Problem(_shown(path), line, f"「{text}」",
                                    "shown without tr(), so it stays Japanese in every language"))
    return problems


def update_catalogue(paths: Iterable[Path], language: str, locale_dir: Path = LOCALE_DIR) -> tuple[int, int]:
    """Bring `language`'s catalogue up to the tr() texts of these files; (texts, untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = Catalog(domain=DOMAIN, project="diffusion-explainer", fuzzy=False)
    for message in extract(paths):
        template.add(message.text, locations=[(_shown(message.path), message.line)],
                     flags=("python-brace-format",) if placeholders(message.text) else ())
    path = catalogue_path(language, locale_dir)
    catalog = _read(path) or Catalog(locale=language, domain=DOMAIN, project="diffusion-explainer", fuzzy=False)
    for text, message in list(catalog.obsolete.items()):  # a text used again gets its translation back
        del catalog.obsolete[text]
        catalog[text] = message
    catalog.update(template, no_fuzzy_matching=True)  # a near match would show a wrong text, not a Japanese one
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        write_po(f, catalog, width=100, sort_output=False, ignore_obsolete=False)
    texts = [m for m in catalog if m.id]
    return len(texts), sum(not m.string for m in texts)


def _read(path: Path):
    from babel.messages.pofile import read_po

    if not path.exists():
        return None
    with open(path, "rb") as f:
        return read_po(f)


def _has_english(screenplay: Screenplay) -> bool:
    return bool(screenplay.en_title or any(c.en_name for c in screenplay.characters)
                or any(line.en for scene in screenplay.scenes for line in scene.lines))


def _shown(path: Path) -> str:
    """A path as messages and the catalogue's references write it: relative to the working directory."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    from ..screenplay import load_screenplay

    languages = (argv if argv is not None else sys.argv[1:]) or list(TARGET_LANGUAGES)
    files = onscreen_files(load_screenplay())
    files += [path for example in EXAMPLES if example.exists() for path in scene_files(load_screenplay(example))]
    for language in languages:
        texts, missing = update_catalogue(files, language)
        print(f"{_shown(catalogue_path(language))}: {texts} on-screen texts, {missing} without a translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
