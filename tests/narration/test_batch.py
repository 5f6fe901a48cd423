"""A whole screenplay at once: order kept, cache used, progress reported, two processes."""

import io
import re

from diffusion_explainer.narration import SpeechRequest, synthesize_many

from .signals import SHORT_LINES

MEI_LINES = ["一つ目の台詞です。", "二つ目の台詞です。", "三つ目は少しだけ長い台詞です。"]


def test_cached_and_new_lines_in_two_processes_come_back_in_order(real_speech):
    requests = [SpeechRequest(text, "mei", engine="openjtalk") for text in MEI_LINES]
    requests.insert(1, SpeechRequest(SHORT_LINES["jf_alpha"], "jf_alpha"))  # already cached
    progress = io.StringIO()
    speeches = synthesize_many(requests, jobs=2, progress=progress)

    assert speeches[1].path == real_speech["jf_alpha"].path
    assert [s.cached for s in speeches] == [False, True, False, False]
    assert all(s.path.parent.name.startswith("openjtalk-mei-") for s in speeches[:1] + speeches[2:])
    # a longer line makes a longer clip: results are matched to their requests, not to finish order
    assert speeches[3].duration_s > max(speeches[0].duration_s, speeches[2].duration_s)
    lines = progress.getvalue().splitlines()
    assert [re.match(r"speech (\d)/4 +[\d.]+ s (\w+)", line).groups() for line in lines[:4]] == [
        ("1", "cached"), ("2", "synthesised"), ("3", "synthesised"), ("4", "synthesised")
    ]
    assert lines[4].startswith("speech: 4 lines, 3 synthesised")

    again = synthesize_many(requests, jobs=2, progress=None)
    assert all(s.cached for s in again) and [s.path for s in again] == [s.path for s in speeches]


def test_silent_batch_estimates_without_synthesis(monkeypatch, speech_cache):
    monkeypatch.setenv("DIFFUSION_EXPLAINER_SILENT", "1")
    requests = [SpeechRequest("まだ誰も合成していない台詞。", "jm_kumo"), SpeechRequest("これも。", "jf_alpha", 1.2)]
    files = set(speech_cache.glob("*"))
    speeches = synthesize_many(requests, progress=None)
    assert all(s.silent for s in speeches) and speeches[0].duration_s > speeches[1].duration_s
    assert set(speech_cache.glob("*")) == files
