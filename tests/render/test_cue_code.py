"""A scene file read in parts (render/cue_code.py): each edit changes exactly the parts whose code it
touches, on the real scene s05_reverse; the chunk keys built from them (chunks.py) go stale from
the edited cue on; and a real render of a copied two-scene example draws again only the chunks
from an edited cue's start, and nothing when the edit is undone."""

import re
import shutil

import numpy as np
import pytest

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.chunks import ChunkStore, chunks_from_report, nominal_ranges, still_valid
from diffusion_explainer.render.cue_code import outside_names, scene_code
from diffusion_explainer.render.inputs import PACKAGE_DIR, SharedInputs, chunk_basis, scene_inputs
from diffusion_explainer.screenplay import load_screenplay
from diffusion_explainer.timing.handover import CallRecord, FrameRange, Read, SceneReport
from diffusion_explainer.timing.video_plan import plan_video
from tests.conftest import REPO, SCREENPLAY, SMALL_SCREENPLAY

SCENE = "s05_reverse"
SOURCE = (REPO / "scenes" / f"{SCENE}.py").read_text(encoding="utf-8")
CUES = [c.id for c in load_screenplay(SCREENPLAY).scene(SCENE).cues]
SECOND, LAST = CUES[1], CUES[-1]
OUTSIDE = outside_names(PACKAGE_DIR, REPO / "scenes", frozenset(s.id for s in load_screenplay(SCREENPLAY).scenes))


def parts(source):
    return scene_code(source, SCENE, CUES, OUTSIDE)


def changed(before, after):
    """The parts an edit changed: "module" and the cue ids."""
    old, new = parts(before), parts(after)
    assert old == parts(before)  # read twice, the same
    return (["module"] if new.module != old.module else []) + [c for c in CUES if new.cue(c) != old.cue(c)]


def edit(old, new, source=SOURCE):
    assert source.count(old) == 1, old
    return source.replace(old, new)


def in_method(name, text, source=SOURCE):
    """`source` with `text` (indented lines) put first in the method `name`."""
    return edit(f"    def {name}(self):\n", f"    def {name}(self):\n{text}", source)


def method(name, source=SOURCE):
    """The text of a method of the scene class, to the next method (or the end of the file)."""
    start = source.index(f"    def {name}(")
    following = re.search(r"\n(?=    \S|\S)", source[start:])  # the class's next statement, or the module's
    return source[start: start + following.end() if following else len(source)]


def moved_first(name, source=SOURCE):
    """`source` with the method `name` moved to the top of the class."""
    text = method(name, source)
    return edit(SCENE_ID, SCENE_ID + "\n" + text, edit(text, "", source))


def docstring_edited(name, source=SOURCE):
    """`source` with a word added at the start of the method's docstring."""
    import ast

    node = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef) and n.name == name)
    assert ast.get_docstring(node) is not None
    lines = source.splitlines(keepends=True)
    doc = node.body[0].value
    line = lines[doc.lineno - 1]
    quote = 3 if line[doc.col_offset: doc.col_offset + 3] in ('"""', "'''") else 1
    at = doc.col_offset + quote
    lines[doc.lineno - 1] = line[:at] + "編集：" + line[at:]
    return "".join(lines)


SCENE_ID = f'    scene_id = "{SCENE}"\n'
HELPER = "\n    def _extra(self, k=1):\n        return k\n"


def with_helper(call_in, helper=HELPER, source=SOURCE):
    """s05 with a helper method `_extra` (first in the class), called first in the cue `call_in`."""
    return in_method(call_in, "        self._extra()\n", edit(SCENE_ID, SCENE_ID + helper, source))


def test_the_real_scene_detaches_its_cues():
    code = parts(SOURCE)
    assert LAST in code.cues and SECOND in code.cues  # (its first cue's name is also the package's: kept in the module)
    assert {"construct", "setup", "play", "wait", "hold", "cue", "line", "layout"} <= OUTSIDE
    assert not {LAST, SECOND, "_extra"} & OUTSIDE


EDITS = {  # an edit of s05_reverse.py (the text before, after) and the parts it changes
    "the last cue's method": (lambda: (SOURCE, in_method(LAST, "        _ = 0\n")), [LAST]),
    "the last cue's docstring": (lambda: (SOURCE, docstring_edited(LAST)), [LAST]),
    "the second cue's method": (lambda: (SOURCE, in_method(SECOND, "        _ = 0\n")), [SECOND]),
    "a helper method only the second cue calls": (lambda: (
        with_helper(SECOND), with_helper(SECOND, HELPER.replace("return k", "return k + 1"))), [SECOND]),
    "an import": (lambda: (SOURCE, SOURCE + "\nimport math\n"), ["module"]),
    "a module constant": (lambda: (SOURCE, SOURCE + "\nGAP = 0.2\n"), ["module"]),
    "a module helper function the module uses": (lambda: (
        SOURCE + "\ndef gap():\n    return 0.2\n\n\nSIZE = gap()\n",
        SOURCE + "\ndef gap():\n    return 0.3\n\n\nSIZE = gap()\n"), ["module"]),
    "the class body": (lambda: (SOURCE, edit(SCENE_ID, SCENE_ID + "    gap = 0.2\n")), ["module"]),
    "a comment": (lambda: (SOURCE, in_method(LAST, "        # a comment\n")), []),
    "blank lines and line breaks": (lambda: (SOURCE, edit(f"\n    def {LAST}(self):\n",
                                                          f"\n\n\n    def {LAST}(\n        self,\n    ):\n")), []),
    "the last cue's method moved first": (lambda: (SOURCE, moved_first(LAST)), []),
    "a helper method moved": (lambda: (with_helper(SECOND), in_method(SECOND, "        self._extra()\n", edit(
        f"\n    def {LAST}(self):\n", HELPER + f"\n    def {LAST}(self):\n"))), []),
    "an unused helper added": (lambda: (SOURCE, edit(SCENE_ID, SCENE_ID + HELPER)), []),
}


@pytest.mark.parametrize("what", EDITS)
def test_an_edit_changes_the_parts_whose_code_it_touches(what):
    make, parts_changed = EDITS[what]
    before, after = make()
    assert before != after
    assert changed(before, after) == parts_changed


@pytest.mark.parametrize("kind, helper", [
    ("a decorator", "\n    @functools.cache\n    def _extra(self, k=1):\n        return k\n"),  # (runs when the class is made)
    ("staticmethod rebound in the class", "\n    staticmethod = print\n\n    @staticmethod\n    def _extra(k=1):\n"
                                          "        return k\n"),
    ("a default computed when the class is made", "\n    def _extra(self, k=len('a')):\n        return k\n"),
    ("an annotation of a name not imported", "\n    def _extra(self, k: Later = 1):\n        return k\n"),
])
def test_a_def_that_does_more_than_bind_its_name_stays_in_the_module(kind, helper):
    base = with_helper(LAST, helper)
    assert changed(base, base.replace("return k", "return k + 1")) == ["module"]


def test_a_cue_calling_another_cue_method_depends_on_its_code():
    base = in_method(SECOND, f"        if False:\n            self.{LAST}()\n")
    assert changed(base, in_method(LAST, "        _ = 0\n", base)) == [SECOND, LAST]


COMPUTED = {
    "getattr with a computed name": "getattr(self, '_ex' + 'tra')()",
    "vars": "vars(self)",
    "__dict__": "type(self).__dict__",
    "getattr passed on": "list(map(getattr, [self], ['step']))",
}


@pytest.mark.parametrize("what", COMPUTED)
def test_a_file_that_reaches_methods_by_computed_names_is_all_module_code(what):
    """Who calls what can then not be read from the names: every cue's code keys every chunk."""
    source = in_method(SECOND, f"        {COMPUTED[what]}\n")
    assert parts(source).cues == {}
    assert changed(source, in_method(LAST, "        _ = 0\n", source)) == ["module"]
    literal = in_method(SECOND, "        getattr(self, 'step')\n")
    assert set(parts(literal).cues) == set(parts(SOURCE).cues)  # a literal name is read as a name


def test_a_method_the_framework_calls_stays_in_the_module():
    base = edit(SCENE_ID, SCENE_ID + "\n    def construct(self):\n        super().construct()\n")
    assert changed(base, base.replace("super().construct()\n", "super().construct()\n        _ = 0\n")) == ["module"]


def test_a_helper_named_in_the_module_code_is_module_code():
    base = with_helper(SECOND, HELPER + '    maker = "_extra"\n')
    assert changed(base, base.replace("return k", "return k + 1"))[0] == "module"


def test_a_static_method_only_the_last_cue_calls_is_the_last_cues():
    helper = "\n    @staticmethod\n    def _extra(k: list[int] = None) -> int:\n        return k\n"
    base = with_helper(LAST, helper).replace("self._extra()", "self._extra(1)")
    assert changed(base, base.replace("return k", "return k + 1")) == [LAST]


def test_a_new_cue_method_and_a_removed_one_leave_the_module_part():
    added = edit(SCENE_ID, SCENE_ID + "\n    def another_cue(self):\n        self.hold()\n")
    grown = scene_code(added, SCENE, [*CUES, "another_cue"], OUTSIDE)
    assert grown.module == parts(SOURCE).module and "another_cue" in grown.cues
    assert all(grown.cue(c) == parts(SOURCE).cue(c) for c in CUES)
    removed = scene_code(edit(method(LAST), ""), SCENE, CUES[:-1], OUTSIDE)
    assert removed.module == parts(SOURCE).module


def test_a_file_that_does_not_parse_is_keyed_by_its_text():
    broken = SOURCE + "\n    def (\n"
    assert parts(broken).cues == {} and parts(broken + "#").module != parts(broken).module


# --- the chunk keys made from the parts (inputs.py chunk_basis, chunks.py) -------------------------------

SETTINGS = RenderSettings.custom("256,144", 10, silent=True)
SHARED = SharedInputs("code", "engine", "toolchain")


@pytest.fixture(scope="module")
def planned():
    screenplay = load_screenplay(SCREENPLAY)
    return screenplay, plan_video(SETTINGS, screenplay, only=[SCENE]).scenes[0].timeline


def recorded_chunks(timeline, basis):
    """The chunks of a whole-scene run in one-second calls that read each cue's start as it began."""
    calls = tuple(CallRecord(f, min(10, timeline.total_frames - f), True, n, 0.1)
                  for n, f in enumerate(range(0, timeline.total_frames, 10)))
    reads = tuple(Read("cue_start", c.cue.id, c.span.start) for c in timeline.cues)
    report = SceneReport(SCENE, timeline.total_frames, FrameRange(0, timeline.total_frames), timeline.total_frames,
                         calls, reads)
    ranges = nominal_ranges(timeline.total_frames, timeline.fps, chunk_s=2.0)
    return chunks_from_report(report, [(i, r.start, r.end) for i, r in enumerate(ranges)], timeline, basis)


def basis_of(screenplay, timeline, source, tmp_path):
    path = tmp_path / f"{SCENE}.py"
    path.write_text(source, encoding="utf-8")
    return chunk_basis(scene_inputs(screenplay, timeline, path, SHARED), screenplay)


@pytest.mark.parametrize("what, stale_from", [
    ("the last cue's method", LAST), ("the second cue's method", SECOND),
    ("a helper method only the second cue calls", SECOND), ("an import", "all"), ("the class body", "all"),
    ("a comment", None), ("the last cue's method moved first", None),
])
def test_a_code_edit_makes_the_chunks_stale_from_where_its_cue_starts(planned, tmp_path, what, stale_from):
    screenplay, timeline = planned
    before, after = EDITS[what][0]()
    chunks = recorded_chunks(timeline, basis_of(screenplay, timeline, before, tmp_path))
    edited = basis_of(screenplay, timeline, after, tmp_path)
    reused = [c.index for c in chunks if still_valid(c, timeline, edited)]
    if stale_from is None:
        assert reused == [c.index for c in chunks]
    elif stale_from == "all":
        assert reused == []
    else:
        start = next(c.span.start for c in timeline.cues if c.cue.id == stale_from)
        assert reused == [c.index for c in chunks if c.end <= start]
        assert 0 < len(reused) < len(chunks)


# --- a real render: the last cue's method edited, then the edit undone ------------------------------------


def _frames(video):
    import av

    with av.open(str(video)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.mark.render
def test_a_rendered_edit_of_the_last_cue_draws_only_its_chunks_and_undoing_it_draws_none(tmp_path):
    import io

    from diffusion_explainer.render.pipeline import render_video
    from diffusion_explainer.render.progress import Progress

    folder = tmp_path / "two_scenes"
    shutil.copytree(SMALL_SCREENPLAY.parent, folder)
    scene_file = folder / "scenes" / "s02_noise.py"
    original = scene_file.read_text(encoding="utf-8")
    settings = RenderSettings.custom("256,144", 10, silent=True, jobs=2)
    root = tmp_path / "build"

    def render(source):
        scene_file.write_text(source, encoding="utf-8")
        screenplay = load_screenplay(folder / SMALL_SCREENPLAY.name)
        log = io.StringIO()
        report = render_video(settings, screenplay=screenplay, root=root, only=["s02_noise"],
                              progress=Progress(stream=log))
        video = next(p for p in root.rglob("s02_noise.mp4") if "cache" not in p.relative_to(root).parts)
        return sorted(report.chunks.get("s02_noise", [])), _frames(video), log.getvalue()

    drawn, before, _ = render(original)
    store = ChunkStore(next(root.rglob("s02_noise/chunks.json")).parent.parent)
    chunks = store.recorded("s02_noise")
    assert drawn == sorted(chunks) and len(chunks) >= 3
    timeline = plan_video(settings, load_screenplay(folder / SMALL_SCREENPLAY.name),
                          only=["s02_noise"]).scenes[0].timeline
    closing = next(c.span.start for c in timeline.cues if c.cue.id == "closing")

    edited = original.replace("self.clear_stage(run_time=1.0)", "self.clear_stage(run_time=0.5)")
    assert edited != original
    drawn, after, log = render(edited)
    assert drawn == [i for i, c in chunks.items() if c.end > closing], log
    assert 0 < len(drawn) < len(chunks), log
    assert all(np.array_equal(a, b) for a, b in zip(after[:closing], before[:closing]))
    assert any(not np.array_equal(a, b) for a, b in zip(after[closing:], before[closing:])), "the edit is not drawn"

    drawn, undone, log = render(original)
    assert drawn == [], log  # the earlier chunks are found again
    assert len(undone) == len(before) and all(np.array_equal(a, b) for a, b in zip(undone, before))
