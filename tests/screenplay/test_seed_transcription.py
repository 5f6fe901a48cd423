"""The YAML must be the seed screenplay, transcribed: every line and cue, in order, unchanged."""

import re

import pytest

from tests.conftest import SEED_DIR

SEEDS = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
pytestmark = pytest.mark.skipif(not SEEDS, reason="../shared/seed/ is not present")


def seed_scenes(text):
    """[(number, heading, start, end, [("cue", description) | (speaker, text)])] in the seed's order."""
    scenes = []
    for block in re.split(r"^## Scene ", text, flags=re.M)[1:]:
        head, _, body = block.partition("\n")
        m = re.match(r"(\d\d): (.+?)（(\d+:\d\d)〜(\d+:\d\d)）", head)
        beats = []
        for para in re.split(r"\n\s*\n", body.split("\n---")[0]):
            para = para.strip()
            if cue := re.fullmatch(r"\*\*【アニメーション: (.+)】\*\*", para):
                beats.append(("cue", cue.group(1)))
            elif line := re.fullmatch(r"> \*\*(.+?)\*\*: ?(.*)", para, re.S):
                spoken = "\n".join(part.removeprefix("> ") for part in line.group(2).strip().split("\n"))
                beats.append((line.group(1), spoken))
            elif para:
                raise AssertionError(f"unparsed paragraph in the seed: {para!r}")
        scenes.append((int(m.group(1)), m.group(2), m.group(3), m.group(4), beats))
    return scenes


def seed_table(text):
    return [(int(n), title, int(secs)) for n, title, secs in
            re.findall(r"^\| Scene (\d\d) \| (.+?) \| .+? \| (\d+)s \|$", text, flags=re.M)]


@pytest.fixture(scope="module")
def seed_text():
    return SEEDS[0].read_text(encoding="utf-8")


def test_every_line_and_cue_in_order(screenplay, seed_text):
    seed = seed_scenes(seed_text)
    assert len(seed) == len(screenplay.scenes) == 8
    for (number, heading, start, end, beats), scene in zip(seed, screenplay.scenes):
        assert scene.number == number
        assert scene.heading == heading
        assert (start, end) == (f"{scene.start_s // 60}:{scene.start_s % 60:02d}", f"{scene.end_s // 60}:{scene.end_s % 60:02d}")
        ours = [("cue", b.animation) if b.__class__.__name__ == "Cue" else (b.speaker, b.text) for b in scene.beats]
        assert ours == beats, f"scene {scene.id} differs from the seed"


def test_scene_table_matches_seed(screenplay, seed_text):
    table = seed_table(seed_text)
    assert [(s.number, s.title, s.duration_s) for s in screenplay.scenes] == table
    assert re.search(r"\*\*600s \(10:00\)\*\*", seed_text)


def test_character_colours_match_seed(screenplay, seed_text):
    for name, colour in re.findall(r"\*\*(.+?)\*\*: 色は `(#[0-9a-f]{6})`", seed_text):
        assert screenplay.character(name).color == colour
