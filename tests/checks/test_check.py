"""`check` finds, in seconds and without rendering, everything a render would refuse.

Each case breaks a copy of the real screenplay (or of its scene files) in one place and runs the
real command line: exit code 2, no traceback, one paragraph per problem naming file:line and
field, and nothing rendered."""

import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, SCREENPLAY

ORIGINAL = SCREENPLAY.read_text(encoding="utf-8")
SMALL = REPO / "tests" / "data" / "two_scenes"


def run_check(path, *extra):
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "diffusion_explainer", "check", str(path), *extra],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    return result, time.monotonic() - started


def errors_of(result):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr, result.stderr
    assert lines and lines[-1].endswith("nothing was rendered"), result.stderr
    return lines[:-1]


def broken_copy(tmp_path, old, new):
    assert old in ORIGINAL, f"the test's anchor {old!r} is not in the screenplay any more"
    path = tmp_path / "diffusion_explainer.yaml"
    path.write_text(ORIGINAL.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_real_screenplay_passes_and_shows_how_tight_each_scene_is():
    result, seconds = run_check(SCREENPLAY)
    assert result.returncode == 0, result.stderr
    assert "check: no problems" in result.stdout
    assert "| s08_summary | 45 |" in result.stdout and "speed needed" in result.stdout
    assert seconds < 30


def test_deleting_a_line_the_code_syncs_to_names_the_scene_file_and_the_id(tmp_path):
    path = broken_copy(tmp_path, "        id: dilute_and_add\n", "")
    result, _ = run_check(path)
    assert result.returncode == 2
    (message,) = errors_of(result)
    code = (REPO / "scenes" / "s03_forward.py").read_text(encoding="utf-8").splitlines()
    first_use = next(i for i, line in enumerate(code, 1) if 'self.line("dilute_and_add")' in line)
    assert message.startswith(f"error: scenes/s03_forward.py:{first_use}: ForwardProcess.forward_formula: ")
    assert "'dilute_and_add'" in message and "named lines" in message


def test_a_phrase_the_code_syncs_to_must_still_be_in_the_line(tmp_path):
    path = broken_copy(tmp_path, "薄めて、その分だけノイズを足してるんだ", "薄めて、同じだけノイズを足してるんだ")
    result, _ = run_check(path)
    assert result.returncode == 2
    (message,) = errors_of(result)
    assert "scenes/s03_forward.py:" in message and "「その分だけ」" in message and "dilute_and_add" in message


def test_a_cue_without_a_method_and_a_method_without_a_cue(tmp_path):
    path = broken_copy(tmp_path, "      - cue: forward_formula\n", "      - cue: forward_formulas\n")
    result, _ = run_check(path)
    assert result.returncode == 2
    messages = errors_of(result)
    assert len(messages) == 2, messages
    missing = next(m for m in messages if "no method for the cue 'forward_formulas'" in m)
    assert missing.startswith("error: scenes/s03_forward.py:") and "ForwardProcess" in missing
    assert f"{path}:{ORIGINAL.splitlines().index('      - cue: forward_formula') + 1}" in missing
    extra = next(m for m in messages if "ForwardProcess.forward_formula" in m)
    assert "has no cue 'forward_formula'" in extra


def test_an_unknown_voice_lists_the_voices_the_engine_has(tmp_path):
    path = broken_copy(tmp_path, "voice: jm_kumo", "voice: jm_kumoo")
    result, _ = run_check(path)
    assert result.returncode == 2
    (message,) = errors_of(result)
    line = ORIGINAL.splitlines().index("    voice: jm_kumo") + 1
    assert message.startswith(f"error: {path}:{line}: characters.シュウ.voice: ")
    assert "no voice 'jm_kumoo'" in message and "jm_kumo, jf_alpha" in message


def test_missing_english_is_a_warning_with_file_and_line_not_a_refusal(tmp_path):
    result, _ = run_check(SCREENPLAY)
    assert "warning:" not in result.stdout  # the real screenplay is translated throughout
    line = "        en: What's this formula?\n"
    path = broken_copy(tmp_path, line, "")
    broken = path.read_text(encoding="utf-8").replace("en: {name: Miku, voice: af_heart}", "en: {name: Miku, voice: af_hart}")
    path.write_text(broken, encoding="utf-8")
    result, _ = run_check(path)
    assert result.returncode == 0, result.stderr  # the Japanese video needs no English
    warnings = [ln for ln in result.stdout.splitlines() if ln.startswith("warning: ")]
    asked = ORIGINAL.splitlines().index("        text: この数式は？")  # 0-based: the beat starts a line above
    assert len(warnings) == 2, warnings
    assert any(w.startswith(f"warning: {path}:{asked}: scenes.s03_forward.line03.en: not translated: この数式は？")
               for w in warnings), warnings
    voice = broken.splitlines().index("    en: {name: Miku, voice: af_hart}") + 1
    assert any(w.startswith(f"warning: {path}:{voice}: characters.ミク.en.voice: ") and "af_heart" in w
               for w in warnings), warnings


def test_a_scene_whose_speech_cannot_fit_is_refused_with_the_seconds(tmp_path):
    long_line = "        text: ありがとう！ これでイメージ掴めた気がする。"
    path = broken_copy(tmp_path, long_line, long_line.replace("気がする。", "気がする。" + "本当に長い説明をもう一度くり返してみるね。" * 6))
    result, _ = run_check(path)
    assert result.returncode == 2
    (message,) = errors_of(result)
    assert "scenes.s08_summary.beats" in message and "does not fit" in message and "s over" in message
    assert "← too long" in result.stdout


def test_a_missing_font_names_the_package(tmp_path):
    path = broken_copy(tmp_path, "font: Noto Sans CJK JP", "font: Noto Sans CJK XX")
    result, _ = run_check(path)
    assert result.returncode == 2
    (message,) = errors_of(result)
    assert "style.font" in message and "fonts-noto-cjk" in message


def test_a_scene_file_that_does_not_parse_is_named_with_its_line(tmp_path):
    copy = tmp_path / "two_scenes"
    shutil.copytree(SMALL, copy)
    scene = copy / "scenes" / "s02_noise.py"
    lines = scene.read_text(encoding="utf-8").splitlines()
    broken_at = next(i for i, line in enumerate(lines) if "def closing" in line)
    lines[broken_at] = "    def closing(self)"  # the colon is missing
    scene.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (copy / "scenes" / "s01_hello.py").unlink()
    result, _ = run_check(copy / "noise_in_two_scenes.yaml")
    assert result.returncode == 2
    messages = errors_of(result)
    assert any(f"s02_noise.py:{broken_at + 1}: scene s02_noise: is not valid Python" in m for m in messages), messages
    assert any("s01_hello.py: scene s01_hello: is missing" in m for m in messages), messages


def test_an_undefined_name_and_a_forgotten_import_are_named_with_their_lines(tmp_path):
    copy = tmp_path / "two_scenes"
    shutil.copytree(SMALL, copy)
    scene = copy / "scenes" / "s02_noise.py"
    code = scene.read_text(encoding="utf-8")
    code = code.replace("self.clear_stage(run_time=1.0)", "self.play(FadeOut(Group(*self.mobjects)), run_time=1.0)")
    code = code.replace("spot[1] - 1.8", "botom - 1.8")
    scene.write_text(code, encoding="utf-8")
    lines = code.splitlines()
    result, seconds = run_check(copy / "noise_in_two_scenes.yaml")
    assert result.returncode == 2
    messages = errors_of(result)
    typo_line = next(i for i, line in enumerate(lines, 1) if "botom" in line)
    fade_line = next(i for i, line in enumerate(lines, 1) if "FadeOut" in line)
    assert any(f"s02_noise.py:{typo_line}: Noise: uses `botom`" in m for m in messages), messages
    assert any(f"s02_noise.py:{fade_line}: Noise: uses `FadeOut`" in m and "from `manim`" in m
               for m in messages), messages
    assert len(messages) == 2, messages


def test_text_edited_without_its_reading_is_warned_of(tmp_path):
    old = "元のきれいな画像を x₀ として、ステップごとにガウスノイズを少しずつ加えていく。"
    path = broken_copy(tmp_path, old, old.replace("少しずつ", "大きく"))
    result, _ = run_check(path)
    assert result.returncode == 0, result.stderr  # a warning: the render still starts
    (warning,) = [line for line in result.stdout.splitlines() if ".say: does not read" in line]
    from diffusion_explainer.screenplay import load_screenplay

    line = load_screenplay(path).scene("s03_forward").line("noise_each_step")
    assert f"{path}:{line.source_line}: scenes.s03_forward.noise_each_step.say" in warning
    assert "オーキク" in warning


def test_the_real_readings_read_their_texts():
    result, _ = run_check(SCREENPLAY)
    assert ".say: does not read" not in result.stdout


def test_render_refuses_before_rendering_anything(tmp_path):
    path = broken_copy(tmp_path, "        id: dilute_and_add\n", "")
    build = tmp_path / "build"
    result = subprocess.run([sys.executable, "-m", "diffusion_explainer", "render", "--screenplay", str(path),
                             "--resolution", "256,144", "--fps", "10", "--silent"],
                            capture_output=True, text=True, cwd=REPO, timeout=120,
                            env={**__import__("os").environ, "DIFFUSION_EXPLAINER_BUILD": str(build)})
    assert result.returncode == 2, result.stderr
    assert "dilute_and_add" in result.stderr and "Traceback" not in result.stderr
    assert not build.exists() or not any(build.rglob("*.mp4"))


@pytest.mark.parametrize("args, words", [
    (["render", "--scene", "s99_nothing", "--silent", "--resolution", "256,144", "--fps", "10"], "has no scene s99_nothing"),
    (["render", "--resolution", "256", "--fps", "10"], "is not W,H"),
    (["bench", "--quality", "z"], "invalid choice"),
])
def test_user_errors_on_the_command_line_are_one_paragraph(args, words, tmp_path):
    result = subprocess.run([sys.executable, "-m", "diffusion_explainer", *args], capture_output=True, text=True,
                            cwd=REPO, timeout=120,
                            env={**__import__("os").environ, "DIFFUSION_EXPLAINER_BUILD": str(tmp_path)})
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
