"""Real renders at a tiny size, read back with PyAV: exact frame counts at several frame rates,
the speaker's name in the character's colour, subtitles in the band only, the title card a
thumbnail."""

import os
import subprocess
import sys

import av
import numpy as np
import pytest
from PIL import Image

from diffusion_explainer.core import style
from diffusion_explainer.media.stills import compose_thumbnail, thumbnail_frame
from diffusion_explainer.timing.scene_plan import plan_for
from tests.conftest import REPO

pytestmark = pytest.mark.render


def render(tmp_path_factory, scene_id, width, height, fps, **extra_env):
    media = tmp_path_factory.mktemp(f"media_{scene_id}_{fps}")
    env = dict(os.environ, DIFFUSION_EXPLAINER_SILENT="1", **extra_env)
    cmd = [sys.executable, "-m", "manim", "render", "-r", f"{width},{height}", "--fps", str(fps),
           "--disable_caching", "--media_dir", str(media), "--progress_bar", "none", f"scenes/{scene_id}.py"]
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    videos = [p for p in media.rglob("*.mp4") if "partial_movie_files" not in p.parts]
    assert len(videos) == 1, videos
    return videos[0]


def frames(path):
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.mark.parametrize("fps", [10, 15])
def test_scene_is_exactly_duration_times_fps_frames(tmp_path_factory, screenplay, fps):
    video = render(tmp_path_factory, "s01_title", 256, 144, fps)
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        count = sum(1 for _ in container.decode(video=0))
        assert (stream.width, stream.height) == (256, 144)
    assert count == screenplay.scene("s01_title").duration_s * fps


@pytest.fixture(scope="module")
def title_render(tmp_path_factory):
    return render(tmp_path_factory, "s01_title", 960, 540, 2)


def colour_pixels(frame, colour, tolerance=30):
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(frame.astype(int) - rgb).max(axis=2) < tolerance).sum())


def test_speaker_name_is_drawn_in_the_characters_colour(title_render, screenplay):
    video = frames(title_render)
    plan = plan_for("s01_title", 2, silent=True)
    band_top = int(540 * (1 - plan.fitter.layout.band_height / 8.0))
    checked = 0
    for t in plan.timeline.lines:
        mid = (t.speech.start + t.speech.end) // 2
        band = video[mid][band_top:]
        own = screenplay.character(t.line.speaker).color
        other = next(c.color for c in screenplay.characters if c.name != t.line.speaker)
        assert colour_pixels(band, own) > 20, f"{t.line.id}: no {own} pixels in the subtitle band"
        assert colour_pixels(band, other) < 3, f"{t.line.id}: {other} pixels while {t.line.speaker} speaks"
        checked += 1
    assert checked == 2


def test_subtitle_band_changes_only_on_page_frames(title_render):
    video = frames(title_render)
    plan = plan_for("s01_title", 2, silent=True)
    band_top = int(540 * (1 - plan.fitter.layout.band_height / 8.0)) + 2
    starts = {p.span.start for t in plan.timeline.lines for p in t.pages}
    for i in range(1, len(video)):
        changed = np.abs(video[i][band_top:].astype(int) - video[i - 1][band_top:].astype(int)).max() > 60
        if changed:
            assert i in starts, f"the subtitle band changed at frame {i}, which starts no page"
    for s in starts:
        if 0 < s < len(video):
            assert np.abs(video[s][band_top:].astype(int) - video[s - 1][band_top:].astype(int)).max() > 60


def test_the_thumbnail_is_the_finished_title_card_without_the_subtitle_band(title_render, screenplay):
    plan = plan_for("s01_title", 2, silent=True)
    number = thumbnail_frame(plan.timeline)
    first_line = min(t.speech.start for t in plan.timeline.lines)
    assert number == first_line - 1  # the scene opens on the title card, not on a line
    frame = frames(title_render)[number]
    band = plan.fitter.layout.band_height / 8.0
    thumb = np.asarray(compose_thumbnail(Image.fromarray(frame), band, screenplay.style.background))
    assert thumb.shape == (720, 1280, 3)
    # no subtitle band: the bottom rows are the background, as the top rows are
    background = np.array([int(screenplay.style.background[i:i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(thumb[-20:].astype(int) - background).max() < 24
    # the card fills the thumbnail: its drawn content spans most of the width or the height
    ink = np.abs(thumb.astype(int) - background).max(axis=2) > 24
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert (columns[-1] - columns[0]) / 1280 > 0.85 or (rows[-1] - rows[0]) / 720 > 0.85
    # the title is written out in the top part: many ink-coloured pixels there
    assert colour_pixels(thumb[: 720 // 4], style.INK, tolerance=40) > 2000
    # and a picture sits under it: pixels far from grey (the generated sunset's colours)
    lower = thumb[720 // 3:].astype(int)
    assert ((lower.max(axis=2) - lower.min(axis=2)) > 120).sum() > 5000


def test_plain_manim_gets_the_renders_encoder_and_no_partial_movie_cache(tmp_path_factory, tmp_path, screenplay):
    """`manim -pql scenes/...` runs through the same encoder patch as a render's jobs (the frame log
    is written by the patched encoder only) and without Manim's partial-movie cache."""
    log = tmp_path / "frames"
    video = render(tmp_path_factory, "s01_title", 256, 144, 10, DIFFUSION_EXPLAINER_FRAME_LOG=str(log))
    logged = (tmp_path / "frames.00000000").read_text().split()
    assert len(logged) == screenplay.scene("s01_title").duration_s * 10
    partial = [p.name for p in video.parents[1].rglob("*.mp4") if "partial_movie_files" in p.parts]
    assert partial and all(name.startswith("uncached_") for name in partial), partial[:3]  # not named by a hash
