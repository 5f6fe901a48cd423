"""The command line as a user sees it: every command listed in the top-level help and answering
--help; the render's refusals (exit code 2, one paragraph on stderr, nothing written); the engine's
commands the Makefile calls."""

import os
import re
import subprocess
import sys

import pytest

from diffusion_explainer.cli import build_parser, main
from diffusion_explainer.core.build_layout import BuildLayout
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.pipeline import build_lock
from tests.conftest import REPO, SCREENPLAY

COMMANDS = ["check", "render", "verify", "bench", "edit-bench", "train", "engine-bench", "engine-metrics", "sound-check",
            "speech-times", "studio", "studio-loop"]


def run(tmp_path, *args, **env):
    environment = dict(os.environ, DIFFUSION_EXPLAINER_BUILD=str(tmp_path / "build"), **env)
    return subprocess.run([sys.executable, "-m", "diffusion_explainer", *args], cwd=REPO, env=environment,
                          check=False, capture_output=True, text=True, timeout=300)


def test_the_top_level_help_lists_every_command(tmp_path):
    result = run(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    listed = re.search(r"\{([a-z,-]+)\}", result.stdout).group(1).split(",")
    assert sorted(listed) == sorted(COMMANDS)
    for command in COMMANDS:
        assert re.search(rf"^ +{command} +\S", result.stdout, re.MULTILINE), f"{command} has no help line"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_answers_help(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([command, "--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage:") and "--help" in out, out


def test_an_unknown_option_is_refused_except_by_sound_check(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["train", "--no-such-option"])
    assert exit.value.code == 2 and "unrecognized arguments: --no-such-option" in capsys.readouterr().err
    _, forwarded = build_parser().parse_known_args(["sound-check", "my.yaml", "-q", "l", "--excerpt", "3"])
    assert forwarded == ["my.yaml", "-q", "l", "--excerpt", "3"]


def one_paragraph(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def test_a_bad_screenplay_stops_the_render_with_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCREENPLAY.read_text(encoding="utf-8").replace("duration: 25", "duration: 26", 1), encoding="utf-8")
    result = run(tmp_path, "render", "--resolution", "256,144", "--fps", "10", "--silent",
                 DIFFUSION_EXPLAINER_SCREENPLAY=str(bad))
    assert result.returncode == 2
    message = one_paragraph(result.stderr)
    assert str(bad) in message and "duration" in message
    assert not list((tmp_path / "build").rglob("*.mp4"))


def test_a_second_render_into_the_same_build_is_refused_while_one_runs(tmp_path):
    with build_lock(tmp_path / "build"):
        result = run(tmp_path, "render", "--resolution", "256,144", "--fps", "10", "--silent")
    assert result.returncode == 2
    assert "another render" in one_paragraph(result.stderr)


@pytest.mark.parametrize("args", [["--resolution", "256x", "--fps", "10"], ["--resolution", "255,144", "--fps", "10"],
                                  ["--resolution", "256,144"]])
def test_a_bad_size_is_refused_before_anything_runs(tmp_path, args):
    result = run(tmp_path, "render", *args, "--silent")
    assert result.returncode != 0 and "error:" in result.stderr


def _processes_mentioning(text: str) -> list[int]:
    pids = []
    for proc in os.listdir("/proc"):
        if proc.isdigit():
            try:
                with open(f"/proc/{proc}/cmdline", "rb") as f:
                    if text.encode() in f.read():
                        pids.append(int(proc))
            except OSError:
                pass
    return pids


@pytest.mark.render
def test_an_interrupted_render_stops_its_manim_processes_and_keeps_the_previous_video(tmp_path):
    import signal
    import time

    build = tmp_path / "build"
    previous = BuildLayout(build, RenderSettings.custom("256,144", 10, silent=True)).video
    previous.parent.mkdir(parents=True)
    previous.write_bytes(b"the previous video")
    env = dict(os.environ, DIFFUSION_EXPLAINER_BUILD=str(build))
    render = subprocess.Popen([sys.executable, "-m", "diffusion_explainer", "render", "--resolution", "256,144",
                               "--fps", "10", "--silent", "--jobs", "2"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not _processes_mentioning(str(build / "cache" / "manim")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning(str(build / "cache" / "manim")), "no manim process started"
    render.send_signal(signal.SIGTERM)
    _, stderr = render.communicate(timeout=60)
    assert render.returncode == 130, stderr
    assert "interrupted" in stderr
    time.sleep(1)
    assert _processes_mentioning(str(build / "cache" / "manim")) == []
    assert previous.read_bytes() == b"the previous video"
    assert not [p for p in build.rglob("*.mp4") if p.parent.name == "256x144p10-silent"]
    assert not list(build.glob(".*.partial*"))


@pytest.fixture(scope="module")
def trained_models():
    from diffusion_explainer.engine import models

    return models.load_or_train_all(progress=True)


def test_train_reuses_the_cache(tmp_path, trained_models):
    result = run(tmp_path, "train")
    assert result.returncode == 0, result.stderr
    assert "pixel model: cached" in result.stdout and "latent model: cached" in result.stdout


def test_engine_bench_reports_training_and_both_samplers(tmp_path, trained_models):
    result = run(tmp_path, "engine-bench", "--pictures", "4", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"pixel denoiser\s+\d+\.\d s", out)
    assert re.search(r"latent autoencoder\s+\d+\.\d s", out)
    for name in ("pixel", "latent"):
        line = re.search(rf"{name}: DDPM-1000 ([\d.]+) s\s+DDIM-50 ([\d.]+) s\s+DDPM/DDIM ([\d.]+)x", out)
        assert line, out
        ddpm, ddim = map(float, line.groups()[:2])
        assert ddpm > ddim  # 1000 network calls against 50


def test_speech_times_speaks_every_line_with_the_real_voices(tmp_path):
    small = REPO / "tests" / "data" / "two_scenes" / "noise_in_two_scenes.yaml"
    result = run(tmp_path, "speech-times", str(small), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^4 lines, \d+ characters, [\d.]+ s with 1 jobs$", result.stdout, re.MULTILINE), result.stdout
    rows = re.findall(r"^(\w+)\s+(\d+)\s+\d+\s+([\d.]+)\s+([\d.]+)\s+[\d.]+\s+[+-][\d.]+% [+-][\d.]+%$",
                      result.stdout, re.MULTILINE)
    assert {voice for voice, *_ in rows} == {"jf_alpha", "jm_kumo"}, result.stdout
    for _, lines, audio_s, chars_per_s in rows:
        assert int(lines) == 2 and float(audio_s) > 1 and 3 < float(chars_per_s) < 12


def make(*args: str, env_lang: str = "en_US.UTF-8") -> subprocess.CompletedProcess:
    """`make` in the checkout, dry (-n: what it would run), with the locale LANG of a user's environment."""
    return subprocess.run(["make", "-n", *args], cwd=REPO, env=dict(os.environ, LANG=env_lang), check=False,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args, language", [([], "ja"), (["LANG=en"], "en"), (["LANG=ja"], "ja")])
def test_make_render_takes_the_language_from_LANG_on_its_command_line_only(args, language):
    # a user's locale (LANG=en_US.UTF-8 in the environment) is not the video's language
    result = make("render", "QUALITY=l", *args)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"diffusion_explainer render --quality l --language {language} ", result.stdout), result.stdout


def test_make_runs_its_recipes_in_a_real_locale_when_LANG_names_the_video_language():
    shown = subprocess.run(["make", "-s", "--eval", "show-locale: ; @echo $$LANG", "show-locale", "LANG=en"], cwd=REPO,
                           env=dict(os.environ, LANG="en_US.UTF-8"), capture_output=True, text=True, timeout=60)
    assert shown.stdout.strip() == "C.UTF-8", shown.stdout + shown.stderr


@pytest.mark.parametrize("value", ["fr", "", "en ja", "en_US.UTF-8"])
def test_make_refuses_a_language_the_video_does_not_have(value):
    result = make("render", f"LANG={value}")
    assert result.returncode == 2
    assert f"LANG={value} is not a language of the video: use LANG=en (English) or LANG=ja" in result.stderr
    assert "diffusion_explainer render" not in result.stdout


@pytest.mark.parametrize("settings", [
    RenderSettings.from_quality("l", jobs=2),
    RenderSettings.from_quality("h", jobs=1, music=False, language="en"),
    RenderSettings.custom("256,144", 10, silent=True, jobs=3),
])
def test_the_render_command_options_of_settings_ask_for_the_same_settings(settings, monkeypatch):
    from diffusion_explainer.cli import build_parser, render_settings

    monkeypatch.delenv("DIFFUSION_EXPLAINER_SILENT", raising=False)
    args = build_parser().parse_args(["render", *settings.command_options()])
    assert render_settings(args) == settings
