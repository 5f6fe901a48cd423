"""The command line the Makefile calls: `train` confirms the cache, `bench` reports the timings."""

import re
import subprocess
import sys


def _run(*args):
    return subprocess.run([sys.executable, "-m", "diffusion_explainer.engine", *args],
                          capture_output=True, text=True, check=True, timeout=600).stdout


def test_train_reuses_the_cache(trained_models):
    out = _run("train")
    assert "pixel model: cached" in out and "latent model: cached" in out


def test_bench_reports_training_and_both_samplers(trained_models):
    out = _run("bench", "--pictures", "4", "--repeats", "1")
    assert re.search(r"pixel denoiser\s+\d+\.\d s", out)
    assert re.search(r"latent autoencoder\s+\d+\.\d s", out)
    for name in ("pixel", "latent"):
        line = re.search(rf"{name}: DDPM-1000 ([\d.]+) s\s+DDIM-50 ([\d.]+) s\s+DDPM/DDIM ([\d.]+)x",
                         out)
        assert line, out
        ddpm, ddim, ratio = map(float, line.groups())
        assert ddpm > ddim  # 1000 network calls against 50
