"""Every way a screenplay can be wrong is refused with file, line and field, exit code 2, no traceback.

Each case breaks a copy of the real screenplay in one place, writes it as a real file and runs the
real command line on it.
"""

import subprocess
import sys

import pytest

from tests.conftest import REPO, SCREENPLAY

ORIGINAL = SCREENPLAY.read_text(encoding="utf-8")


def replace(old, new, count=1):
    def mutate(text):
        assert old in text, f"the test's anchor {old!r} is not in the screenplay any more"
        return text.replace(old, new, count)

    return mutate


def line_of(text, needle, nth=1):
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    return text[:pos].count("\n") + 1


# (id, mutation, marker whose line the message must name, field in the message, words in the message)
CASES = [
    ("yaml-syntax", replace("  - id: s02_generation\n", "  - id: s02_generation\n   broken: [\n"),
     "broken: [", "YAML", "syntax error"),
    ("unknown-key", replace("    duration: 90\n", "    duration: 90\n    durration: 90\n"),
     "durration:", "scenes[2] (s03_forward).durration", "unknown key"),
    ("missing-key", replace("    duration: 50\n", ""),
     "  - id: s02_generation", "scenes[1] (s02_generation).duration", "is missing"),
    ("unknown-speaker", replace("      - speaker: ミク\n        text: この数式は？", "      - speaker: ミカ\n        text: この数式は？"),
     "speaker: ミカ", "speaker", "unknown speaker 'ミカ'"),
    ("bad-colour", replace('color: "#e94560"', 'color: "#e9456"'),
     'color: "#e9456"', "characters[1].color", "#rrggbb"),
    ("duplicate-scene-id", replace("  - id: s04_training", "  - id: s03_forward"),
     ("  - id: s03_forward", 2), "scenes[3] (s03_forward).id", "used twice"),
    ("duplicate-cue-id", replace("      - cue: forward_formula", "      - cue: noising_steps"),
     ("      - cue: noising_steps", 2), "cue", "used twice"),
    ("duration-disagrees", replace("    end: \"2:45\"\n    duration: 90", "    end: \"2:45\"\n    duration: 95"),
     "duration: 95", "scenes[2] (s03_forward).duration", "1:15 to end 2:45 is 90 s"),
    ("gap", replace('    start: "1:15"\n    end: "2:45"\n    duration: 90', '    start: "1:20"\n    end: "2:50"\n    duration: 90'),
     '    start: "1:20"', "scenes[2] (s03_forward).start", "gap"),
    ("overlap", replace('    start: "2:45"\n    end: "4:30"\n    duration: 105', '    start: "2:40"\n    end: "4:25"\n    duration: 105'),
     '    start: "2:40"', "scenes[3] (s04_training).start", "overlaps"),
    ("total-not-600", replace('    start: "9:15"\n    end: "10:00"\n    duration: 45', '    start: "9:15"\n    end: "10:05"\n    duration: 50'),
     'duration: "10:00"', "duration", "10:05 (605 s), not 10:00"),
    ("empty-text", replace("        text: この数式は？", '        text: ""'),
     'text: ""', "text", "is empty"),
    ("symbols-need-reading", lambda t: replace("        say: 元のきれいな画像をエックスゼロとして、ステップごとにガウスノイズを少しずつ加えていく。\n", "")(t),
     "元のきれいな画像を x₀", "text", "add a `say:` reading"),
    # the English beside the Japanese (`en:`) is refused the same way
    ("en-unknown-key", replace("      title: Forward process\n", "      title: Forward process\n      tittle: Forward\n"),
     "tittle: Forward", "scenes[2] (s03_forward).en.tittle", "unknown key 'tittle'"),
    ("en-voice-missing", replace("en: {name: Shu, voice: am_michael}", "en: {name: Shu}"),
     "en: {name: Shu}", "characters[0].en.voice", "is missing"),
    ("en-empty", replace("        en: What's this formula?", '        en: ""'),
     'en: ""', "en", "is empty"),
    ("en-symbols-need-reading",
     replace("          say: Call the clean original image x zero. At every step, we add a little Gaussian noise.\n", ""),
     "text: Call the clean original image x₀", "en", "₀, which English speech cannot read as written"),
    ("en-reading-with-symbols",
     replace("say: Call the clean original image x zero.", "say: Call the clean original image x₀."),
     "text: Call the clean original image x₀", "en.say", "rewrite the English reading in words"),
]


def run_check(path):
    return subprocess.run([sys.executable, "-m", "diffusion_explainer", "check", str(path)],
                          capture_output=True, text=True, cwd=REPO)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_broken_screenplay_is_refused(tmp_path, case):
    _, mutate, marker, field, words = case
    broken = mutate(ORIGINAL)
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")
    result = run_check(path)
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr.strip()
    assert "Traceback" not in message
    assert "\n" not in message, "the message must be one paragraph"
    needle, nth = marker if isinstance(marker, tuple) else (marker, 1)
    assert message.startswith(f"error: {path}:{line_of(broken, needle, nth)}: "), message
    assert field in message and words in message, message


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(ORIGINAL.replace("title: 拡散モデルによる画像生成", "title: caf\u00e9").encode("utf-8").replace("caf\u00e9".encode(), b"caf\xe9"))
    result = run_check(path)
    assert result.returncode == 2
    assert f"{path}:{line_of(ORIGINAL, 'title: ')}: file: is not UTF-8" in result.stderr


def test_missing_file_is_refused(tmp_path):
    result = run_check(tmp_path / "nope.yaml")
    assert result.returncode == 2 and "cannot read the screenplay" in result.stderr


def test_valid_screenplay_prints_scene_table():
    result = run_check(SCREENPLAY)
    assert result.returncode == 0, result.stderr
    for row in ["| Scene 01 | タイトル | 0:00〜0:25 | 25s |", "| Scene 04 | ニューラルネットワークの学習 | 2:45〜4:30 | 105s |",
                "| Scene 08 | まとめ | 9:15〜10:00 | 45s |", "**600s (10:00)**"]:
        assert row in result.stdout
