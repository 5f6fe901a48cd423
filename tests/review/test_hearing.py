"""The narration heard back (the `verify` extra: Whisper base offline): the two-scene example's
lines, cut from its narration stem, are heard as they were written; a `say:` that reads a word
wrongly is flagged."""

import json

import pytest

from diffusion_explainer.narration import synthesize
from diffusion_explainer.narration.audio_files import read_wav
from diffusion_explainer.narration.hearing import (
    HearingUnavailable,
    character_error_rate,
    hear,
    katakana_reading,
    whisper_folder,
)
from diffusion_explainer.review import heard_back, verify
from diffusion_explainer.review.record import LineRecord, ReviewRecord


@pytest.fixture(scope="module")
def whisper():
    pytest.importorskip("faster_whisper", reason="the verify extra is not installed")
    try:
        return whisper_folder()
    except HearingUnavailable as e:
        pytest.skip(str(e))


def line(text, reading="", line_id="l"):
    return LineRecord("s", line_id, "A", text, 0, 1000, 1000, (), reading=reading)


def test_readings_are_compared_as_katakana():
    assert katakana_reading("今日はノイズの話をしよう。") == "キョーワノイズノハナシヲシヨー"
    assert katakana_reading("1000回") == katakana_reading("千回")  # digits or kanji, the same sounds
    assert character_error_rate("ノイズ", "ニンジン") == pytest.approx(4 / 3)  # 3 substitutions and an insertion
    assert character_error_rate("ナルホド", "ナルホド") == 0.0


def test_a_line_is_compared_with_its_text_unless_the_engine_cannot_read_it():
    # readable text: the text, so a say: that reads something else is heard as an error
    assert heard_back.reference_text(line("今日はノイズの話", "今日はニンジンの話")) == ("text", "今日はノイズの話")
    # symbols the engine drops: the author's reading is the only one there is
    assert heard_back.reference_text(line("画像を x₀ として", "画像をエックスゼロとして")) == \
        ("say", "画像をエックスゼロとして")


def test_a_line_far_above_the_others_is_flagged_even_among_few():
    scored = [heard_back.HeardLine("s", f"l{i}", "text", "", "", "", cer) for i, cer in enumerate([0.0, 0.05, 0.0, 0.3])]
    flagged = heard_back.flag(scored)
    # mean and spread of all four would be 0.09 + 3 x 0.12 = 0.45: the 0.3 would hide itself
    assert [x.flagged for x in flagged] == [False, False, False, True]
    assert flagged[3].threshold == heard_back.FLAG_FLOOR


@pytest.mark.render
def test_the_two_scene_example_is_heard_as_written_and_a_wrong_reading_is_flagged(small_narrated_render, whisper):
    outputs = small_narrated_render[0]
    report = verify(outputs.output, ocr=False)
    heard = report["narration_heard_back"]
    print(json.dumps([(x["line_id"], x["cer"], x["heard"]) for x in heard["lines"]], ensure_ascii=False))
    assert heard["lines_heard"] == 4 and heard["flagged"] == [] and heard["max_cer"] <= 0.1
    assert heard == json.loads(outputs.report.read_text(encoding="utf-8"))["narration_heard_back"]
    assert "The narration heard back" in outputs.page.read_text(encoding="utf-8")

    # The same line with a `say:` that reads ノイズ as ニンジン, in the same voice, against the others.
    record = ReviewRecord.load(outputs.record)
    topic = next(x for x in record.lines if x.line_id == "topic")
    wrong = synthesize(topic.text.replace("ノイズ", "ニンジン"), "jm_kumo", silent=False)
    scored = heard_back.score(topic, hear(*read_wav(wrong.path)))
    others = [heard_back.HeardLine(**{**x, "threshold": 0.0, "flagged": False})
              for x in heard["lines"] if x["line_id"] != "topic"]
    flagged = heard_back.flag([*others, scored])[-1]
    print(flagged)
    assert flagged.flagged and flagged.cer > flagged.threshold >= heard_back.FLAG_FLOOR


def test_an_english_line_is_scored_in_words_against_its_text_or_its_say_whichever_is_heard():
    line = LineRecord("s07", "compress_idea", "Shu", "For example, a 512×512 image becomes a 64×64 latent.", 0, 0, 0, (),
                      reading="For example, a five-twelve by five-twelve image becomes a sixty-four by sixty-four latent.")
    digits = heard_back.score_english(line, "For example, a 512x512 image becomes a 64x64 latent.")
    assert (digits.cer, digits.compared_with) == (0.0, "text")
    spelt = heard_back.score_english(line, "For example, a five twelve by five twelve image becomes a sixty four by sixty four latent.")
    assert (spelt.cer, spelt.compared_with) == (0.0, "say")
    wrong = heard_back.score_english(line, "For example, a 512x512 image becomes a 64x64 layer.")
    assert wrong.cer == round(1 / 13, 3)  # one word of the text's thirteen (512 x 512 is three)
