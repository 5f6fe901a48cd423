"""Every input of a chunk's, a saved state's and a scene's key: changing only that input makes the
entry stale in the function the render decides reuse with (chunks.still_valid, the state check of
scene_work.make_work, pipeline.stale_reasons), and changing nothing keeps it. Mostly without a
render: the real screenplay's s03 planned silent at 256x144, 10 fps, with a scene report made up
to cover it; and one real render: a subtitle-only edit draws again from its page on, with the new
words."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render import inputs
from diffusion_explainer.render.chunks import (
    ChunkBasis,
    chunks_from_report,
    nominal_ranges,
    saved_states_from_report,
    state_key,
    still_valid,
    subtitle_prefix,
)
from diffusion_explainer.render.inputs import SharedInputs, chunk_basis, scene_inputs, toolchain_digest
from diffusion_explainer.render.pipeline import stale_reasons
from diffusion_explainer.screenplay import parse_screenplay
from diffusion_explainer.screenplay.model import Cue, Line
from diffusion_explainer.timing.handover import CallRecord, FrameRange, Read, SavedStateFile, SceneReport
from diffusion_explainer.timing.video_plan import plan_video
from tests.conftest import REPO, SCREENPLAY

SETTINGS = RenderSettings.custom("256,144", 10, silent=True)
SCENE = "s03_forward"
SHARED = ChunkBasis("shared")
LINE = "noise_each_step"  # a line with a reading (`say:`): its text is only seen, never heard


@pytest.fixture(scope="module")
def yaml_text():
    return SCREENPLAY.read_text(encoding="utf-8")


def planned(yaml_text):
    screenplay = parse_screenplay(yaml_text, "edited.yaml")
    return screenplay, plan_video(SETTINGS, screenplay, only=[SCENE]).scenes[0].timeline


def report_over(timeline, reads=()):
    """A scene report of the whole scene drawn in one-second calls, a state saved at every cue
    start but the first, and the reads of a story: each cue's start as it begins, then `reads`
    (those at a cue's start made by that cue)."""
    calls = tuple(CallRecord(first, min(10, timeline.total_frames - first), True, n, 0.1)
                  for n, first in enumerate(range(0, timeline.total_frames, 10)))
    states = tuple(SavedStateFile(i, c.span.start, f"state{i}.pkl") for i, c in enumerate(timeline.cues) if i)
    starts = [Read("cue_start", c.cue.id, c.span.start) for c in timeline.cues]
    story = sorted([(r.frame, 0, r) for r in starts] + [(r.frame, 1, r) for r in reads], key=lambda e: e[:2])
    return SceneReport(SCENE, timeline.total_frames, FrameRange(0, timeline.total_frames), timeline.total_frames,
                       calls, tuple(r for _, _, r in story), states)


def chunks_of(timeline, reads=(), basis=SHARED):
    ranges = nominal_ranges(timeline.total_frames, timeline.fps, chunk_s=2.0)
    return chunks_from_report(report_over(timeline, reads), [(i, r.start, r.end) for i, r in enumerate(ranges)],
                              timeline, basis)


def reused(chunks, timeline, shared=SHARED):
    """The indices of the chunks the render would reuse (their videos being there)."""
    return [c.index for c in chunks if still_valid(c, timeline, shared)]


def states_of(timeline, reads=(), basis=SHARED):
    return [state for state, _ in saved_states_from_report(report_over(timeline, reads), timeline, basis)]


def holding(states, timeline, shared=SHARED):
    """The cues whose saved state the render would resume from (scene_work.make_work's check)."""
    return [s.cue for s in states if state_key(shared, timeline, s.cue, s.frame, s.reads) == s.key]


# --- chunks ----------------------------------------------------------------------------------------


def test_nothing_changed_reuses_every_chunk_and_state(yaml_text):
    _, timeline = planned(yaml_text)
    chunks, states = chunks_of(timeline), states_of(timeline)
    assert len(chunks) > 10 and len(states) == len(timeline.cues) - 1
    _, again = planned(yaml_text)  # planned anew from the same text
    assert reused(chunks, again) == [c.index for c in chunks]
    assert holding(states, again) == [s.cue for s in states]


def test_a_subtitle_only_edit_makes_the_chunks_and_states_from_that_page_on_stale(yaml_text):
    """`text` changed, `say` kept: the voice and every frame number stay, only the words burned
    into the picture change (ChunkInputs.subtitles)."""
    _, timeline = planned(yaml_text)
    old = "元のきれいな画像を x₀ として"
    assert yaml_text.count(old) == 1
    _, edited = planned(yaml_text.replace(old, "元の画像を x₀ として"))
    line = edited.line(LINE)
    assert [t.speech for t in edited.lines] == [t.speech for t in timeline.lines]  # the same timing
    assert line.pages[0].text != timeline.line(LINE).pages[0].text
    shown = line.pages[0].span.start
    chunks, states = chunks_of(timeline), states_of(timeline)
    assert reused(chunks, edited) == [c.index for c in chunks if c.end <= shown]
    assert 0 < len(reused(chunks, edited)) < len(chunks)
    assert holding(states, edited) == [s.cue for s in states if s.frame <= shown]
    assert 0 < len(holding(states, edited)) < len(states)


def test_the_code_and_everything_else_every_frame_shows_keys_every_chunk_and_state(yaml_text):
    _, timeline = planned(yaml_text)
    chunks, states = chunks_of(timeline), states_of(timeline)
    other = ChunkBasis("other code")
    assert reused(chunks, timeline, other) == [] and holding(states, timeline, other) == []


def test_the_scene_length_keys_every_chunk_and_state(yaml_text):
    _, timeline = planned(yaml_text)
    longer = replace(timeline, total_frames=timeline.total_frames + 10)
    assert reused(chunks_of(timeline), longer) == [] and holding(states_of(timeline), longer) == []


@pytest.mark.parametrize("field", ["nominal", "start", "end"])
def test_a_chunk_is_keyed_by_its_own_place(yaml_text, field):
    _, timeline = planned(yaml_text)
    # a chunk whose end can move a frame with the same subtitles shown before it: only the edge changes
    same = lambda c: subtitle_prefix(timeline, c.end + 1) == subtitle_prefix(timeline, c.end)
    chunk = next(c for c in chunks_of(timeline) if same(c))
    moved = (chunk.nominal[0], chunk.nominal[1] + 1) if field == "nominal" else getattr(chunk, field) + 1
    assert still_valid(chunk, timeline, SHARED)
    assert not still_valid(replace(chunk, **{field: moved}), timeline, SHARED)


@pytest.mark.parametrize("field", ["cue", "frame"])
def test_a_state_is_keyed_by_its_cue_and_frame(yaml_text, field):
    _, timeline = planned(yaml_text)
    state = states_of(timeline)[1]
    assert holding([replace(state, **{field: getattr(state, field) + 1})], timeline) == []


def _edit_cue(timeline, index, **change):
    cue = timeline.cues[index]
    if {"animation", "en"} & set(change):
        cue = replace(cue, cue=replace(cue.cue, **change))
    else:
        cue = replace(cue, span=replace(cue.span, **change))
    return replace(timeline, cues=timeline.cues[:index] + (cue,) + timeline.cues[index + 1:])


def _edit_line(timeline, line_id, **change):
    lines = tuple(replace(t, line=replace(t.line, **change)) if t.line.id == line_id else t for t in timeline.lines)
    return replace(timeline, lines=lines)


# what a story reads (chunks.read_values), each with an edit of that value alone (no subtitle moves)
def _cue_read(what, edit):
    def make(t):
        cue = t.cues[2]
        bound = cue.span.end if what == "cue_end_from" else None
        return Read(what, cue.cue.id, cue.span.start, bound), _edit_cue(t, 2, **edit(cue))
    return make


READS = {
    "cue_start": _cue_read("cue_start", lambda cue: {"start": cue.span.start + 1}),
    "cue_end": _cue_read("cue_end", lambda cue: {"end": cue.span.end - 1}),
    "cue_end_from": _cue_read("cue_end_from", lambda cue: {"end": cue.span.end - 1}),
    "cue_text": _cue_read("cue_text", lambda cue: {"animation": "別の絵"}),
    "line": lambda t: (Read("line", LINE, t.cues[2].span.start), _edit_line(t, LINE, say="別の読み")),
    "first_line": lambda t: (Read("first_line", t.cues[0].cue.id, 1),
                             _edit_line(t, t.lines[0].line.id, say="別の読み")),
}


@pytest.mark.parametrize("what", READS)
def test_what_the_story_read_keys_the_chunks_and_states_after_it_read_it(yaml_text, what):
    _, timeline = planned(yaml_text)
    read, edited = READS[what](timeline)
    assert edited != timeline
    chunks, states = chunks_of(timeline, [read]), states_of(timeline, [read])
    assert reused(chunks, timeline) == [c.index for c in chunks]  # read, unchanged: reused
    assert reused(chunks, edited) == [c.index for c in chunks if c.end <= read.frame]
    assert holding(states, edited) == [s.cue for s in states if s.frame <= read.frame]
    assert len(reused(chunks, edited)) < len(chunks)
    if what != "cue_start":  # (every story reads the start of each cue it reaches)
        # a story that did not read it: its chunks are reused
        assert reused(chunks_of(timeline), edited) == [c.index for c in chunks]


def test_a_state_is_keyed_by_what_was_read_before_it_at_its_own_frame(yaml_text):
    """A state is saved where its cue starts: a read at that frame by the cue before it (one that
    ended there, or took no time) keys it; one by its own cue does not."""
    _, timeline = planned(yaml_text)
    cue = timeline.cues[2]
    edited = _edit_line(timeline, LINE, say="別の読み")
    report = report_over(timeline)
    at = report.reads.index(Read("cue_start", cue.cue.id, cue.span.start))
    by_the_cue_before = replace(report, reads=report.reads[:at] + (Read("line", LINE, cue.span.start),)
                                + report.reads[at:])
    states = [s for s, _ in saved_states_from_report(by_the_cue_before, timeline, SHARED)]
    assert holding(states, edited) == [s.cue for s in states if s.frame < cue.span.start]
    assert [s.cue for s in states_of(timeline, [Read("line", LINE, cue.span.start)])] == [s.cue for s in states]
    assert holding(states_of(timeline, [Read("line", LINE, cue.span.start)]), edited) == [
        s.cue for s in states if s.frame <= cue.span.start]


# --- a scene's video ---------------------------------------------------------------------------------


@pytest.fixture
def scene_entry(yaml_text, tmp_path):
    """The scene's inputs as recorded in the manifest, with its video in place; and a function
    that gives the reasons it is stale for another screenplay, timeline or shared inputs."""
    screenplay, timeline = planned(yaml_text)
    shared = SharedInputs("code", "engine", "toolchain")
    scene_file = REPO / "scenes" / f"{SCENE}.py"
    recorded = scene_inputs(screenplay, timeline, scene_file, shared)
    video = tmp_path / f"{SCENE}.mp4"
    video.write_bytes(b"video")
    entry = {"inputs": recorded.digest, "parts": recorded.parts, "bytes": 5}

    def reasons(screenplay=screenplay, timeline=timeline, scene_file=scene_file, shared=shared):
        return stale_reasons(scene_inputs(screenplay, timeline, scene_file, shared), entry, video, force=False)

    return screenplay, timeline, reasons


def test_a_scene_with_nothing_changed_is_reused(scene_entry, yaml_text):
    _, _, reasons = scene_entry
    screenplay, timeline = planned(yaml_text)
    assert reasons(screenplay, timeline) == []


def _edit_scene(screenplay, **change):
    return replace(screenplay, scenes=tuple(replace(s, **change) if s.id == SCENE else s for s in screenplay.scenes))


def _edit_beat(screenplay, kind, **change):
    scene = screenplay.scene(SCENE)
    index = next(i for i, b in enumerate(scene.beats) if isinstance(b, kind) and (kind is Cue or b.id == LINE))
    beats = scene.beats[:index] + (replace(scene.beats[index], **change),) + scene.beats[index + 1:]
    return _edit_scene(screenplay, beats=beats)


def _edit_character(screenplay, **change):
    return replace(screenplay, characters=(replace(screenplay.characters[0], **change),) + screenplay.characters[1:])


SCREENPLAY_EDITS = {
    "video title": lambda s: replace(s, title=s.title + "！"),
    "video subtitle": lambda s: replace(s, subtitle=s.subtitle + "！"),
    "video duration": lambda s: replace(s, duration_s=s.duration_s + 1),
    "character name": lambda s: _edit_character(s, name="ケン"),
    "character role": lambda s: _edit_character(s, role="先生"),
    "character colour": lambda s: _edit_character(s, color="#123456"),
    "character voice": lambda s: _edit_character(s, voice="jf_alpha"),
    "style font": lambda s: replace(s, style=replace(s.style, font="Noto Serif CJK JP")),
    "style subtitle size": lambda s: replace(s, style=replace(s.style, subtitle_size=0.06)),
    "style background": lambda s: replace(s, style=replace(s.style, background="#000000")),
    "scene number": lambda s: _edit_scene(s, number=9),
    "scene title": lambda s: _edit_scene(s, title="別の題"),
    "scene heading": lambda s: _edit_scene(s, heading="別の見出し"),
    "scene start": lambda s: _edit_scene(s, start_s=s.scene(SCENE).start_s + 1),
    "scene duration": lambda s: _edit_scene(s, duration_s=s.scene(SCENE).duration_s + 1),
    "cue id": lambda s: _edit_beat(s, Cue, id="another_cue"),
    "cue animation": lambda s: _edit_beat(s, Cue, animation="別の絵"),
    "line id": lambda s: _edit_beat(s, Line, id="another_line"),
    "line speaker": lambda s: _edit_beat(s, Line, speaker="ミク"),
    "line text": lambda s: _edit_beat(s, Line, text="別の字幕"),
    "line reading": lambda s: _edit_beat(s, Line, say="べつのよみ"),
}

NOT_KEYED_EDITS = {  # what no frame of the Japanese video shows (the English version, YAML line numbers)
    "English title": lambda s: replace(s, en_title="Another title"),
    "English line": lambda s: _edit_beat(s, Line, en="Another line."),
    "English cue": lambda s: _edit_beat(s, Cue, en="Another picture"),
    "English scene title": lambda s: _edit_scene(s, en_title="Another"),
    "character's English voice": lambda s: _edit_character(s, en_voice="af_heart"),
    "source line": lambda s: _edit_beat(s, Line, source_line=1),
}


@pytest.mark.parametrize("edit", SCREENPLAY_EDITS)
def test_each_part_of_the_screenplay_a_scene_shows_makes_it_stale(scene_entry, edit):
    screenplay, _, reasons = scene_entry
    edited = SCREENPLAY_EDITS[edit](screenplay)
    assert edited != screenplay
    assert reasons(edited) == ["screenplay changed"]


@pytest.mark.parametrize("edit", NOT_KEYED_EDITS)
def test_what_the_japanese_video_does_not_show_keeps_it(scene_entry, edit):
    screenplay, _, reasons = scene_entry
    assert reasons(NOT_KEYED_EDITS[edit](screenplay)) == []


def test_the_timeline_the_scene_file_and_the_shared_inputs_each_make_it_stale(scene_entry, tmp_path):
    _, timeline, reasons = scene_entry
    assert reasons(timeline=replace(timeline, total_frames=timeline.total_frames + 1)) == ["timing changed"]
    copy = tmp_path / f"{SCENE}.py"
    copy.write_bytes((REPO / "scenes" / f"{SCENE}.py").read_bytes())
    assert reasons(scene_file=copy) == []  # where it is does not matter, what it says does
    copy.write_bytes(copy.read_bytes() + b"\n# a comment, and code written otherwise\n")
    assert reasons(scene_file=copy) == []  # (read as code: cue_code.py)
    copy.write_bytes(copy.read_bytes() + b"\nEXTRA = 1\n")
    assert reasons(scene_file=copy) == ["scene file changed"]
    for part, shared in (("package code", SharedInputs("code2", "engine", "toolchain")),
                         ("engine artefacts", SharedInputs("code", "engine2", "toolchain")),
                         ("toolchain", SharedInputs("code", "engine", "toolchain2"))):
        assert reasons(shared=shared) == [f"{part} changed"]


# --- the English video's keys ---------------------------------------------------------------------------

ENGLISH_SETTINGS = RenderSettings.custom("256,144", 10, silent=True, language="en")
NO_SCENE_FILE = REPO / "tests" / "data" / "no such scene file.py"  # (others edit the scene files meanwhile)


def english_planned(yaml_text):
    screenplay = parse_screenplay(yaml_text, "edited.yaml")
    return screenplay, plan_video(ENGLISH_SETTINGS, screenplay, only=[SCENE]).scenes[0].timeline


def keyed(screenplay, timeline, language):
    """The scene's inputs in a render of `language`, and the basis of its chunks."""
    found = scene_inputs(screenplay, timeline, NO_SCENE_FILE, SharedInputs("code", "engine", "toolchain"), language)
    return found, chunk_basis(found, screenplay)


def stale_in(language, screenplay, edited, timeline, tmp_path):
    """Why the scene's video of `language` (recorded from `screenplay`) is stale for `edited`."""
    recorded, _ = keyed(screenplay, timeline, language)
    video = tmp_path / f"{SCENE}-{language}.mp4"
    video.write_bytes(b"video")
    entry = {"inputs": recorded.digest, "parts": recorded.parts, "bytes": 5}
    return stale_reasons(keyed(edited, timeline, language)[0], entry, video, force=False)


ENGLISH_FRAME_EDITS = {  # the English of what every frame of the English video may show
    "English title": lambda s: replace(s, en_title="Another title"),
    "English subtitle": lambda s: replace(s, en_subtitle="Another subtitle"),
    "character's English name": lambda s: _edit_character(s, en_name="Ken"),
    "character's English voice": lambda s: _edit_character(s, en_voice="af_heart"),
    "English scene title": lambda s: _edit_scene(s, en_title="Another"),
    "English scene heading": lambda s: _edit_scene(s, en_heading="Another heading"),
}
ENGLISH_EDITS = {
    **ENGLISH_FRAME_EDITS,
    "English line": lambda s: _edit_beat(s, Line, en="Another line."),
    "English line reading": lambda s: _edit_beat(s, Line, en_say="Another reading."),
    "English cue": lambda s: _edit_beat(s, Cue, en="Another picture"),
}


@pytest.mark.parametrize("edit", ENGLISH_FRAME_EDITS)
def test_the_english_every_frame_shows_keys_every_english_chunk_and_no_japanese_one(yaml_text, edit):
    screenplay, timeline = english_planned(yaml_text)
    edited = ENGLISH_FRAME_EDITS[edit](screenplay)
    assert edited != screenplay
    _, english = keyed(screenplay, timeline, "en")
    chunks, states = chunks_of(timeline, basis=english), states_of(timeline, basis=english)
    assert reused(chunks, timeline, keyed(screenplay, timeline, "en")[1]) == [c.index for c in chunks]
    assert holding(states, timeline, keyed(screenplay, timeline, "en")[1]) == [s.cue for s in states]
    assert reused(chunks, timeline, keyed(edited, timeline, "en")[1]) == []
    assert holding(states, timeline, keyed(edited, timeline, "en")[1]) == []
    _, japanese_timeline = planned(yaml_text)
    assert keyed(edited, japanese_timeline, "ja")[1] == keyed(screenplay, japanese_timeline, "ja")[1]


@pytest.mark.parametrize("edit", ENGLISH_EDITS)
def test_each_english_field_makes_the_english_scene_stale_and_not_the_japanese_one(yaml_text, tmp_path, edit):
    screenplay, timeline = english_planned(yaml_text)
    edited = ENGLISH_EDITS[edit](screenplay)
    assert edited != screenplay
    assert stale_in("en", screenplay, edited, timeline, tmp_path) == ["screenplay changed"]
    assert stale_in("en", screenplay, screenplay, timeline, tmp_path) == []
    _, japanese_timeline = planned(yaml_text)
    assert stale_in("ja", screenplay, edited, japanese_timeline, tmp_path) == []


def test_a_japanese_only_field_keeps_the_english_chunks_that_do_not_show_it(yaml_text, tmp_path):
    """A cue's Japanese description: the English video shows its `en`, so its chunks hold; the
    Japanese ones are drawn again (and the English scene is checked chunk by chunk)."""
    screenplay, timeline = english_planned(yaml_text)
    edited = _edit_beat(screenplay, Cue, animation="別の絵")
    assert keyed(edited, timeline, "en")[1] == keyed(screenplay, timeline, "en")[1]
    _, japanese_timeline = planned(yaml_text)
    assert stale_in("ja", screenplay, edited, japanese_timeline, tmp_path) == ["screenplay changed"]


def test_the_english_video_reads_a_cue_in_english(yaml_text):
    """The `cue_text` a story reads (section titles show it) is the cue's `en` in the English
    video, its Japanese where it has no `en` yet, and its Japanese in the Japanese video."""
    _, timeline = english_planned(yaml_text)
    cue = timeline.cues[2]
    assert cue.cue.en
    read = Read("cue_text", cue.cue.id, cue.span.start)
    english, japanese = ChunkBasis("shared", language="en"), ChunkBasis("shared")
    new_english, new_japanese = _edit_cue(timeline, 2, en="Another picture"), _edit_cue(timeline, 2, animation="別の絵")
    for basis, shows, hidden in ((english, new_english, new_japanese), (japanese, new_japanese, new_english)):
        chunks = chunks_of(timeline, [read], basis)
        before_read = [c.index for c in chunks if c.end <= read.frame]
        assert len(before_read) < len(chunks)
        assert reused(chunks, shows, basis) == before_read, basis.language
        assert reused(chunks, hidden, basis) == [c.index for c in chunks], basis.language
    untranslated = _edit_cue(timeline, 2, en=None)
    chunks = chunks_of(untranslated, [read], english)
    assert reused(chunks, _edit_cue(untranslated, 2, animation="別の絵"), english) == [
        c.index for c in chunks if c.end <= read.frame]


# --- the toolchain part ----------------------------------------------------------------------------

FONTS = ["Noto Sans CJK JP"]


def _other_font_file(monkeypatch):
    from diffusion_explainer.core import fonts

    real = fonts.font_file
    monkeypatch.setattr(fonts, "font_file", lambda family: (str(Path(real(family)[0])), real(family)[1] + 1))


def _newer_pyav(monkeypatch):
    real = inputs._version
    monkeypatch.setattr(inputs, "_version", lambda name: real(name) + ("+1" if name == "av" else ""))


TOOLCHAIN_EDITS = {
    "width and height": lambda m: RenderSettings.custom("320,180", 10, silent=True),
    "frame rate": lambda m: RenderSettings.custom("256,144", 15, silent=True),
    "silent": lambda m: RenderSettings.custom("256,144", 10, silent=False),
    "Manim's flags": lambda m: m.setattr(inputs, "MANIM_FLAGS", (*inputs.MANIM_FLAGS, "--another")),
    "encoder options": lambda m: m.setattr(inputs, "ENCODER_OPTIONS", {**inputs.ENCODER_OPTIONS, "crf": "30"}),
    "PyAV version": _newer_pyav,
    "font face": _other_font_file,
}


@pytest.mark.parametrize("edit", TOOLCHAIN_EDITS)
def test_each_input_of_the_toolchain_part_changes_it(monkeypatch, edit):
    before = toolchain_digest(SETTINGS, FONTS)
    assert toolchain_digest(RenderSettings.custom("256,144", 10, silent=True), FONTS) == before
    settings = TOOLCHAIN_EDITS[edit](monkeypatch) or SETTINGS
    assert toolchain_digest(settings, FONTS) != before


# --- end to end: a subtitle-only edit, rendered ------------------------------------------------------

SMALL = REPO / "tests" / "data" / "two_scenes" / "noise_in_two_scenes.yaml"
OLD_TEXT = "なるほど！"


def _frames(video):
    import av

    with av.open(str(video)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.mark.render
def test_a_rendered_subtitle_only_edit_draws_again_from_its_page_on_with_the_new_words(tmp_path):
    import io

    from diffusion_explainer.core.build_layout import BuildLayout
    from diffusion_explainer.render.chunks import ChunkStore
    from diffusion_explainer.render.pipeline import render_video
    from diffusion_explainer.render.progress import Progress
    from diffusion_explainer.screenplay import load_screenplay

    settings = RenderSettings.custom("256,144", 10, silent=True, jobs=2)
    text = SMALL.read_text(encoding="utf-8").replace("scene_dir: scenes", f"scene_dir: {SMALL.parent / 'scenes'}")
    spoken = f"        text: {OLD_TEXT}\n        say: {OLD_TEXT}\n"  # the reading stays: the voice does not change
    assert text.count(f"        text: {OLD_TEXT}\n") == 1
    path = tmp_path / "noise_in_two_scenes.yaml"
    outputs = BuildLayout(tmp_path / "build", settings, "noise_in_two_scenes")

    def render(yaml):
        path.write_text(yaml, encoding="utf-8")
        screenplay = load_screenplay(path)
        log = io.StringIO()
        report = render_video(settings, screenplay=screenplay, root=tmp_path / "build", only=["s02_noise"],
                              progress=Progress(stream=log))
        timeline = plan_video(settings, screenplay, only=["s02_noise"]).scenes[0].timeline
        return report, timeline, _frames(outputs.scene_video("s02_noise")), log.getvalue()

    _, before, old_frames, _ = render(text.replace(f"        text: {OLD_TEXT}\n", spoken))
    edited = spoken.replace("text: なるほど！", "text: なるほど、そうか！", 1)
    report, after, new_frames, log = render(text.replace(f"        text: {OLD_TEXT}\n", edited))

    line = next(t for t in after.lines if t.line.text == "なるほど、そうか！")
    shown = line.pages[0].span.start
    assert [t.speech for t in after.lines] == [t.speech for t in before.lines]  # nothing moved but the words
    chunks = ChunkStore(outputs.chunks_dir).recorded("s02_noise")
    assert sorted(report.chunks["s02_noise"]) == [i for i, c in chunks.items() if c.end > shown], log
    assert 0 < len(report.chunks["s02_noise"]) < len(chunks), log
    assert len(new_frames) == len(old_frames) == after.total_frames
    assert all(np.array_equal(a, b) for a, b in zip(new_frames[:shown], old_frames[:shown]))
    band = slice(settings.height * 3 // 4, None)  # the subtitle band at the bottom of the picture
    assert not np.array_equal(new_frames[shown][band], old_frames[shown][band]), "the old words are still burned in"
    above = slice(0, settings.height * 3 // 4)
    assert np.array_equal(new_frames[shown][above], old_frames[shown][above])  # only the words changed


def test_a_narration_track_is_keyed_by_each_of_its_inputs_and_the_mixing_code(tmp_path):
    from diffusion_explainer.timing.scene_plan import MIXING_CODE, mixing_code_digest, track_key

    placements = [(0.5, Path("speech/a/speech.wav")), (3.25, Path("speech/b/speech.wav"))]
    base = track_key("s01_title", 25, placements, code="c")
    assert track_key("s01_title", 25, list(placements), code="c") == base  # nothing changed: reused
    assert track_key("s02_generation", 25, placements, code="c") != base
    assert track_key("s01_title", 26, placements, code="c") != base
    assert track_key("s01_title", 25, [(0.6, placements[0][1]), placements[1]], code="c") != base
    assert track_key("s01_title", 25, [placements[0], (3.25, Path("speech/c/speech.wav"))], code="c") != base
    assert track_key("s01_title", 25, placements, code="d") != base
    copies = []
    for path in MIXING_CODE:
        copy = tmp_path / path.name
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    before = mixing_code_digest(tuple(copies))
    copies[0].write_text(copies[0].read_text() + "\n# a change to how clips are mixed\n")
    assert mixing_code_digest(tuple(copies)) != before
