"""A scene file read in parts (render/cue_code.py): each edit changes exactly the parts whose code it
touches, on the real scene s05_reverse; the chunk keys built from them (chunks.py) go stale from
the edited cue on; and a real render of a copied two-scene example draws again only the chunks
from an edited cue's start, and nothing when the edit is undone."""

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


def changed(source):
    """The parts an edit changed: "module" and the cue ids."""
    before, after = parts(SOURCE), parts(source)
    assert before == parts(SOURCE)  # read twice, the same
    return (["module"] if after.module != before.module else []) + [c for c in CUES if after.cue(c) != before.cue(c)]


def edit(old, new, source=SOURCE):
    assert source.count(old) == 1, old
    return source.replace(old, new)


def method(name, source=SOURCE):
    """The text of a method of the scene class (to its last line)."""
    start = source.index(f"    def {name}(")
    following = source.find("\n    def ", start + 1)
    return source[start: following + 1 if following >= 0 else len(source)]


def test_the_real_scene_detaches_its_cues_and_helpers():
    code = parts(SOURCE)
    assert LAST in code.cues and SECOND in code.cues  # (its first cue's name is also the package's: kept in the module)
    assert {"construct", "setup", "play", "wait", "hold", "cue", "line", "layout"} <= OUTSIDE
    assert not {LAST, SECOND, "_step_terms"} & OUTSIDE


EDITS = {  # what an edit of s05_reverse.py changes
    "the last cue's method": (lambda: edit("self.play(Create(light), run_time=0.4)",
                                           "self.play(Create(light), run_time=0.3)"), [LAST]),
    "the last cue's docstring": (lambda: edit("段階的なデノイジングプロセス。", "段階的なデノイジング。"), [LAST]),
    "the second cue's method": (lambda: edit("y = 1.6\n", "y = 1.5\n"), [SECOND]),
    "a helper method only the second cue calls": (lambda: edit("step, side = self.step, 1.2", "step, side = self.step, 1.1"),
                                                  [SECOND]),
    "an import": (lambda: edit("import numpy as np\n", "import numpy as np\nimport math\n"), ["module"]),
    "a module constant": (lambda: edit("\nclass ReverseProcess", "\nGAP = 0.2\n\n\nclass ReverseProcess"), ["module"]),
    "a module helper function the module uses": (lambda: edit(
        "\nclass ReverseProcess", "\ndef gap():\n    return 0.2\n\n\nSIZE = gap()\n\n\nclass ReverseProcess"), ["module"]),
    "the class body": (lambda: edit('    scene_id = "s05_reverse"\n', '    scene_id = "s05_reverse"\n    gap = 0.2\n'),
                       ["module"]),
    "a comment": (lambda: edit("# the random values drawn", "# random values, drawn"), []),
    "blank lines and line breaks": (lambda: edit("        self.hold()\n\n    def one_reverse_step",
                                                 "        self.hold(\n        )\n\n\n    def one_reverse_step"), []),
    "the last cue's method moved first": (lambda: edit(method(LAST), "").replace(
        '    scene_id = "s05_reverse"\n', '    scene_id = "s05_reverse"\n\n' + method(LAST)), []),
    "the helper method moved first": (lambda: edit(method("_step_terms"), "").replace(
        '    scene_id = "s05_reverse"\n', '    scene_id = "s05_reverse"\n\n' + method("_step_terms")), []),
    "an unused helper added": (lambda: SOURCE + "\n    def _unused(self):\n        return 1\n", []),
}


@pytest.mark.parametrize("what", EDITS)
def test_an_edit_changes_the_parts_whose_code_it_touches(what):
    make, parts_changed = EDITS[what]
    source = make()
    assert source != SOURCE
    assert changed(source) == parts_changed


def _with_helper(call_in, decorator="", default="1"):
    """s05 with a helper method `_extra`, called by the cue `call_in`."""
    helper = f"\n{decorator}    def _extra(self, k={default}):\n        return k\n"
    source = edit('    scene_id = "s05_reverse"\n', '    scene_id = "s05_reverse"\n' + helper)
    return edit(f"    def {call_in}(self):\n", f"    def {call_in}(self):\n        self._extra()\n", source)


def test_a_helper_belongs_to_the_cues_that_name_it_and_its_edit_to_theirs():
    base = _with_helper(LAST)
    edited = edit("        return k\n", "        return k + 1\n", base)
    before, after = parts(base), parts(edited)
    assert after.module == before.module
    assert [c for c in CUES if after.cue(c) != before.cue(c)] == [LAST]


@pytest.mark.parametrize("kind, decorator, default", [
    ("a decorator", "    @staticmethod\n", "1"),  # (a decorator runs when the class is made)
    ("a default computed when the class is made", "", "len('ab')"),
])
def test_a_def_that_does_more_than_bind_its_name_stays_in_the_module(kind, decorator, default):
    base = _with_helper(LAST, decorator, default).replace("self._extra()", "self._extra(1)")
    edited = edit("        return k\n", "        return k + 1\n", base)
    assert parts(edited).module != parts(base).module


def test_a_cue_calling_another_cue_method_depends_on_its_code():
    base = edit(f"    def {SECOND}(self):\n", f"    def {SECOND}(self):\n        if False:\n            self.{LAST}()\n")
    edited = edit("run_time=0.4)", "run_time=0.3)", base)
    assert [c for c in CUES if parts(edited).cue(c) != parts(base).cue(c)] == [SECOND, LAST]


COMPUTED = {
    "getattr with a computed name": "getattr(self, '_step' + '_terms')()",
    "vars": "vars(self)",
    "__dict__": "type(self).__dict__",
    "getattr passed on": "list(map(getattr, [self], ['step']))",
}


@pytest.mark.parametrize("what", COMPUTED)
def test_a_file_that_reaches_methods_by_computed_names_is_all_module_code(what):
    """Who calls what can then not be read from the names: every cue's code keys every chunk."""
    source = edit("        self.hold()\n\n    def one_reverse_step", f"        {COMPUTED[what]}\n"
                  "        self.hold()\n\n    def one_reverse_step")
    assert parts(source).cues == {}
    assert parts(edit("run_time=0.4)", "run_time=0.3)", source)).module != parts(source).module
    literal = edit("        self.hold()\n\n    def one_reverse_step",
                   "        getattr(self, 'step')\n        self.hold()\n\n    def one_reverse_step")
    assert set(parts(literal).cues) == set(parts(SOURCE).cues)  # a literal name is read as a name


def test_a_method_the_framework_calls_stays_in_the_module():
    base = edit('    scene_id = "s05_reverse"\n', '    scene_id = "s05_reverse"\n\n'
                "    def construct(self):\n        super().construct()\n")
    edited = edit("        super().construct()\n", "        super().construct()\n        x = 1\n", base)
    assert parts(edited).module != parts(base).module


def test_a_helper_named_in_the_module_code_is_module_code():
    base = edit('    scene_id = "s05_reverse"\n', '    scene_id = "s05_reverse"\n    terms_maker = "_step_terms"\n')
    edited = edit("step, side = self.step, 1.2", "step, side = self.step, 1.1", base)
    assert parts(edited).module != parts(base).module


def test_a_new_cue_method_and_a_removed_one_leave_the_module_part():
    added = SOURCE + "\n    def another_cue(self):\n        self.hold()\n"
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
    chunks = recorded_chunks(timeline, basis_of(screenplay, timeline, SOURCE, tmp_path))
    edited = basis_of(screenplay, timeline, EDITS[what][0](), tmp_path)
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
