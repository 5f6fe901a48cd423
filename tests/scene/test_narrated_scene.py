"""A scene rendered with real narration: the voice starts within 0.1 s of each line's subtitle,
measured from the rendered file's audio, and the track lasts the whole scene."""

import os
import subprocess
import sys

import av
import numpy as np
import pytest

from diffusion_explainer.narration.onsets import onsets_in
from diffusion_explainer.timing.scene_plan import plan_for
from tests.conftest import REPO

pytestmark = pytest.mark.render


@pytest.fixture(scope="module")
def narrated_title(tmp_path_factory):
    media = tmp_path_factory.mktemp("narrated")
    env = {k: v for k, v in os.environ.items() if k != "DIFFUSION_EXPLAINER_SILENT"}
    cmd = [sys.executable, "-m", "manim", "render", "-r", "256,144", "--fps", "10", "--disable_caching",
           "--media_dir", str(media), "--progress_bar", "none", "scenes/s01_title.py"]
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [video] = [p for p in media.rglob("TitleScene.mp4") if "partial_movie_files" not in p.parts]
    return video


def audio_of(path):
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        chunks = [f.to_ndarray() for f in container.decode(stream)]
        rate = stream.rate
    samples = np.concatenate(chunks, axis=1).mean(axis=0)  # planar (channels, n) -> mono
    return samples, rate


def test_voice_starts_with_each_subtitle(narrated_title):
    samples, rate = audio_of(narrated_title)
    plan = plan_for("s01_title", 10, silent=False)
    assert abs(len(samples) / rate - plan.scene.duration_s) < 0.1
    onsets = onsets_in(samples, rate)
    assert onsets, "no speech found in the rendered scene"
    for line in plan.timeline.lines:
        subtitle_s = line.pages[0].span.start / 10
        nearest = min(onsets, key=lambda o: abs(o - subtitle_s))
        assert abs(nearest - subtitle_s) <= 0.1, f"{line.line.id}: voice at {nearest:.3f} s, subtitle at {subtitle_s:.3f} s"
        during = samples[int(line.speech.start / 10 * rate): int(line.speech.end / 10 * rate)]
        assert np.sqrt(np.mean(during ** 2)) > 0.01, f"{line.line.id}: silent while its subtitle shows"
