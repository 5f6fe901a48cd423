"""The English version beside the Japanese: complete in the real screenplay, carried by each line
wherever it moves, and invisible to what the Japanese video's scenes and chunks are keyed by."""

import pytest

from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.narration.engines import get_engine
from diffusion_explainer.render.chunks import _line_value, subtitle_prefix
from diffusion_explainer.render.inputs import SharedInputs, chunk_shared_digest, scene_inputs
from diffusion_explainer.screenplay import load_screenplay, parse_screenplay
from diffusion_explainer.timing.video_plan import plan_video
from tests.conftest import REPO, SCREENPLAY

ORIGINAL = SCREENPLAY.read_text(encoding="utf-8")
SETTINGS = RenderSettings.custom("256,144", 10, silent=True)
SHARED = SharedInputs("code", "engine", "toolchain")
NO_SCENE_FILE = REPO / "tests" / "data" / "no such scene file.py"


def test_every_line_cue_scene_and_character_of_the_real_screenplay_has_english():
    screenplay = load_screenplay()
    assert screenplay.untranslated_lines == ()
    assert screenplay.en_title == "Image Generation with Diffusion Models" and screenplay.en_subtitle
    assert {c.name: (c.en_name, c.en_voice) for c in screenplay.characters} == {
        "シュウ": ("Shu", "am_michael"), "ミク": ("Miku", "af_heart")}
    assert all(c.en_voice in get_engine("kokoro-en").voices for c in screenplay.characters)
    for scene in screenplay.scenes:
        assert scene.en_title and scene.en_heading, scene.id
        assert all(cue.en for cue in scene.cues), scene.id
    forward = screenplay.scene("s03_forward")
    assert forward.en_heading == "The forward process: adding noise" and forward.en_title == "Forward process"
    # a line with symbols carries an English reading in words; others are read as written
    assert forward.line("noise_each_step").en_reading.startswith("Call the clean original image x zero.")
    assert forward.line("record_to_learn").en_reading == forward.line("record_to_learn").en


def test_a_translation_moves_with_its_line():
    """The English is a key of its line, not a list beside the scene: moving a line moves it."""
    line = "      - speaker: ミク\n        text: この数式は？\n        en: What's this formula?\n"
    assert line in ORIGINAL
    moved = parse_screenplay(ORIGINAL.replace(line, "", 1).replace(
        "      - cue: pure_noise_arrow\n", line + "      - cue: pure_noise_arrow\n", 1))
    asked = [ln for ln in moved.scene("s03_forward").lines if ln.text == "この数式は？"]
    assert [ln.en for ln in asked] == ["What's this formula?"]


def test_the_english_is_optional():
    """A Japanese-only screenplay (no `en:` anywhere) still loads, with empty English fields."""
    screenplay = parse_screenplay(_without_english(ORIGINAL))
    assert not any(ln.lstrip().startswith("en:") for ln in _without_english(ORIGINAL).splitlines())
    assert screenplay.en_title == "" and len(screenplay.untranslated_lines) == 50
    assert all(c.en_voice == "" for c in screenplay.characters)
    assert all(s.en_title == "" and all(c.en is None for c in s.cues) for s in screenplay.scenes)


def _without_english(text: str) -> str:
    """The screenplay with every `en:` key and what is indented below it removed."""
    out, skip_below = [], None
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if skip_below is not None and (indent > skip_below or not line.strip()) and line.strip():
            continue
        skip_below = None
        if line.lstrip().startswith("en:"):
            skip_below = indent
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def _keys(text: str) -> dict[str, tuple]:
    """What the Japanese video's scenes and chunks are keyed by, scene by scene (the scene files
    left out, as "missing": others edit them while this runs, and no `en:` reaches them)."""
    screenplay = parse_screenplay(text, "edited.yaml")
    keys = {}
    for plan in plan_video(SETTINGS, screenplay).scenes:
        inputs = scene_inputs(screenplay, plan.timeline, NO_SCENE_FILE, SHARED)
        keys[plan.scene.id] = (inputs.digest, chunk_shared_digest(inputs, screenplay),
                               repr([_line_value(t) for t in plan.timeline.lines]),
                               repr(subtitle_prefix(plan.timeline, plan.timeline.total_frames)))
    return keys


@pytest.fixture(scope="module")
def japanese_keys():
    return _keys(ORIGINAL)


@pytest.mark.parametrize("old, new", [
    ("en: What's this formula?", "en: What is this formula, then?"),  # a line's English
    ("say: Call the clean original image x zero.", "say: Call the original clean image x zero."),  # its English reading
    ("en: Pure noise x_T appears", "en: The pure noise x_T is shown"),  # a cue's description
    ("      title: Forward process\n", "      title: The forward process\n"),  # a scene's English title
    ("en: {name: Shu, voice: am_michael}", "en: {name: Shuu, voice: af_heart}"),  # a character's English
    ("  title: Image Generation with Diffusion Models", "  title: How Diffusion Models Draw"),  # the English title
], ids=["line", "line-reading", "cue", "scene-title", "character", "video-title"])
def test_editing_english_leaves_the_japanese_scene_and_chunk_keys_unchanged(japanese_keys, old, new):
    assert old in ORIGINAL
    assert _keys(ORIGINAL.replace(old, new, 1)) == japanese_keys


def test_removing_all_english_leaves_the_japanese_keys_unchanged(japanese_keys):
    assert _keys(_without_english(ORIGINAL)) == japanese_keys


def test_the_key_test_can_fail(japanese_keys):
    """The same comparison sees a Japanese edit (else the tests above would prove nothing)."""
    edited = _keys(ORIGINAL.replace("text: この数式は？", "text: この数式は何？", 1))
    assert edited["s03_forward"] != japanese_keys["s03_forward"]
    assert edited["s02_generation"] == japanese_keys["s02_generation"]
