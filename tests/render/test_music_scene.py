"""A real scene rendered by the renderer with real speech, scored and joined like the video
(twice in a row, so there is a scene change), and read back from the files: the music ducks at
least 20 dB under every utterance and swells in the pauses, the mix is -16 LUFS with its true
peak under -1 dBTP and never falls silent, and the voices still start with their subtitles."""

import io

import av
import numpy as np
import pytest

from diffusion_explainer.core.build_layout import BuildLayout
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.media.join import ScenePiece
from diffusion_explainer.narration.audio_files import read_wav
from diffusion_explainer.narration.loudness import integrated_loudness, true_peak_db
from diffusion_explainer.render.inputs import Manifest
from diffusion_explainer.render.pipeline import join_and_check, render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.sound import ducking, measure
from diffusion_explainer.sound.soundtrack import SceneSounds, soundtrack
from diffusion_explainer.timing.scene_plan import plan_for
from diffusion_explainer.timing.sound_marks import from_json

pytestmark = pytest.mark.render

SETTINGS = RenderSettings.custom("256,144", 10, jobs=1)  # narrated, with music
SCENE = "s01_title"
RATE = 48000


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    root = tmp_path_factory.mktemp("music")
    plan = plan_for(SCENE, SETTINGS.fps, frame_width=SETTINGS.frame_width, silent=False)
    render_video(SETTINGS, root=root, only=[SCENE], progress=Progress(stream=io.StringIO()))
    outputs = BuildLayout(root, SETTINGS)
    manifest = Manifest(outputs.scenes_manifest)
    frames = plan.timeline.total_frames
    video = outputs.scene_video(SCENE)
    pieces = [ScenePiece(SCENE, video, 0, frames, plan.audio), ScenePiece("again", video, frames, frames, plan.audio)]
    sounds = SceneSounds(lambda scene_id: from_json((manifest.get(SCENE) or {}).get("sounds", [])))
    made = soundtrack(pieces, SETTINGS.fps, root / "audio", music=True, sounds=sounds)
    final = root / "scored.mp4"
    join_and_check(pieces, SETTINGS, 2 * plan.scene.duration_s, final, sound=made.audio)
    with av.open(str(final)) as container:
        mix = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1).T
    narration, _ = read_wav(made.narration)
    music, _ = read_wav(made.music)
    return plan, mix[: len(narration)].astype(np.float64), narration, music


def test_the_music_sits_20_db_under_every_voice_and_swells_in_the_pauses(scored):
    plan, mix, narration, music = scored
    result = measure.music_under_speech(narration, music, RATE)
    assert len(result.per_utterance_db) >= 2 * len(plan.timeline.lines)
    assert result.worst_db <= -20.0, result.per_utterance_db
    assert result.pauses_db >= ducking.DEPTH_DB - 6, result.pauses_db  # it comes back up, most of the way


def test_the_mix_is_at_minus_16_lufs_under_minus_1_dbtp_and_never_silent(scored):
    _, mix, _, _ = scored
    assert integrated_loudness(mix, RATE) == pytest.approx(-16.0, abs=1.0)
    assert true_peak_db(mix) <= -1.0
    assert measure.silent_stretches(mix, RATE) == []


def test_voices_still_start_with_their_subtitles_in_the_narration_stem(scored):
    plan, _, narration, _ = scored
    second = plan.timeline.total_frames / SETTINGS.fps
    starts = [line.pages[0].span.start / SETTINGS.fps for line in plan.timeline.lines]
    errors = measure.onset_errors(narration, RATE, starts + [s + second for s in starts])
    assert max(errors) <= 0.1, errors


def test_a_silent_stretch_would_be_found(scored):
    """The silence check above can fail: the narration alone has long quiet stretches."""
    _, _, narration, _ = scored
    assert measure.silent_stretches(narration, RATE)
