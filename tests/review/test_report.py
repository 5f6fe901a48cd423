"""The quality report: its parts measured on real files (the tiny render, the small narrated
render, tone bursts at known times), the numbers checked against what they must be, and `verify`
as a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from diffusion_explainer.narration.audio_files import write_wav
from diffusion_explainer.narration.loudness import integrated_loudness, true_peak_db
from diffusion_explainer.narration.onsets import onsets_in
from diffusion_explainer.review.audio import sound_measures, video_sound
from diffusion_explainer.review.reading_speed import characters, reading_speeds
from diffusion_explainer.review.record import LineRecord, PageRecord, ReviewRecord
from diffusion_explainer.review.voice_timing import voice_onsets
from diffusion_explainer.screenplay import load_screenplay
from tests.conftest import REPO, SMALL_SCREENPLAY, TINY_RENDER
from tests.video_files import write_video


def record_with(lines, fps=10, duration_s=20):
    return ReviewRecord("t", "", "test", 256, 144, fps, duration_s, False, 0.055, {"video": "v.mp4"},
                        {"A": "#3b82f6"}, (), tuple(lines), ())


def line(line_id, start_ms, end_ms, *rows_and_spans):
    pages = tuple(PageRecord(tuple(rows), a * 10 // 1000, b * 10 // 1000, a, b) for rows, a, b in rows_and_spans)
    return LineRecord("s", line_id, "A", "".join("".join(p.rows) for p in pages), start_ms, end_ms, end_ms, pages)


def test_characters_count_full_width_as_one_and_half_width_as_a_half():
    assert characters("拡散モデル") == 5
    assert characters("AI で") == 0.5 + 0.5 + 0.5 + 1  # A, I and the space: a half each
    assert characters("x₀ から") == 0.5 + 0.5 + 0.5 + 2  # the subscript zero is not full-width either


def test_a_line_reads_as_fast_as_its_fastest_page():
    slow_then_fast = line("l1", 0, 5000, (["あいうえお"], 0, 4000), (["かきくけこさしすせそ"], 4000, 5000))
    steady = line("l2", 5000, 10000, (["あいうえおかきくけこ"], 5000, 10000))
    first, second = reading_speeds(record_with([slow_then_fast, steady]))
    assert first.cps == 10.0 and first.mean_cps == 3.0 and first.flagged  # 10 characters in its last second
    assert second.cps == 2.0 and not second.flagged


def test_the_english_videos_subtitles_are_counted_in_english_units_and_flagged_over_20():
    from dataclasses import replace

    fast = line("fast", 0, 2000, (["If you keep adding a little noise", "to a picture, in the end"], 0, 2000))
    easy = line("easy", 2000, 6000, (["I see!"], 2000, 6000))
    untranslated = line("ja", 6000, 8000, (["あいうえおかきくけこ"], 6000, 8000))  # a line without English yet
    first, second, third = reading_speeds(replace(record_with([fast, easy, untranslated]), language="en"))
    assert (first.language, first.characters, first.cps) == ("en", 58, 29.0) and first.flagged  # 58 over 2 s
    assert (second.characters, second.cps, second.flagged) == (6, 1.5, False)
    assert (third.language, third.cps, third.flagged) == ("ja", 5.0, False)  # Japanese units, Japanese bound
    assert reading_speeds(record_with([fast]))[0].cps == 14.25  # in the Japanese video: half-width halves


def bursts(starts_s, duration_s=20, rate=48000):
    """Where sound starts in silence with a 0.6 s voiced burst (a noisy tone) from each start."""
    t = np.arange(duration_s * rate) / rate
    rng = np.random.default_rng(0)
    signal = np.zeros_like(t)
    for start in starts_s:
        on = (t >= start) & (t < start + 0.6)
        signal[on] = 0.3 * np.sin(2 * np.pi * 220 * t[on]) + 0.05 * rng.standard_normal(on.sum())
    return onsets_in(np.stack([signal, signal], 1), rate)


def test_voice_onsets_are_matched_to_subtitles_and_late_or_missing_voices_flagged():
    lines = [line("on_time", 1000, 4000, (["あ"], 1000, 4000)),
             line("late", 4000, 8000, (["い"], 4000, 8000)),
             line("early", 8000, 12000, (["う"], 8000, 12000)),
             line("silent", 12000, 16000, (["え"], 12000, 16000))]
    onsets = bursts([1.0, 4.3, 7.9])  # the second voice 300 ms late, the third 100 ms early, no fourth
    found = {o.line_id: o for o in voice_onsets(record_with(lines), onsets)}
    assert abs(found["on_time"].offset_ms) <= 6 and not found["on_time"].flagged
    assert found["late"].offset_ms == pytest.approx(300, abs=6) and found["late"].flagged
    assert found["early"].offset_ms == pytest.approx(-100, abs=6) and found["early"].flagged
    assert found["silent"].voice_s is None and found["silent"].flagged


def test_voice_onsets_come_from_the_narration_stem_when_the_render_left_one(tmp_path):
    video = write_video(tmp_path / "video.mp4", 50, audio_s=5.0)  # 5 s with a silent soundtrack
    t = np.arange(5 * 48000) / 48000
    voice = np.where(((t >= 1.0) & (t < 1.6)) | ((t >= 3.0) & (t < 3.6)), 0.3 * np.sin(2 * np.pi * 220 * t), 0.0)
    write_wav(tmp_path / "narration.wav", np.stack([voice, voice], 1), 48000)
    measured = sound_measures(video, tmp_path / "narration.wav", 5, tmp_path / "measured.json")
    assert measured.onsets_source.startswith("narration.wav")
    assert measured.onsets_s == pytest.approx((1.0, 3.0), abs=0.006)
    assert measured.loudness["integrated_lufs"] is None  # loudness is the video's own sound: silent
    kept = sound_measures(video, tmp_path / "narration.wav", 5, tmp_path / "measured.json")
    assert (kept.onsets_s, kept.loudness, kept.other_threads_cpu_s) == (measured.onsets_s, measured.loudness, 0.0)

    write_wav(tmp_path / "narration.wav", np.stack([voice, voice], 1)[: 4 * 48000], 48000)  # another render's
    measured = sound_measures(video, tmp_path / "narration.wav", 5, tmp_path / "measured.json")
    assert "video.mp4" in measured.onsets_source and measured.onsets_s == ()


def test_a_sound_measured_before_is_read_back_from_the_store(tmp_path, monkeypatch):
    """Undoing an edit brings back a soundtrack measured two renders ago: the store has it."""
    from diffusion_explainer.core.store import Store
    from diffusion_explainer.review import audio

    first = write_video(tmp_path / "first.mp4", 50, audio_s=5.0)
    second = write_video(tmp_path / "second.mp4", 50, audio_s=4.0)
    store, kept = Store(tmp_path / "store"), tmp_path / "measured.json"
    measures = [sound_measures(video, None, 5, kept, store=store) for video in (first, second)]
    assert audio._digest(first, None) != audio._digest(second, None)
    assert json.loads(kept.read_text(encoding="utf-8"))["key"] == audio._digest(second, None)

    def measured_again(*args, **kwargs):
        raise AssertionError("measured again")

    monkeypatch.setattr(audio, "integrated_loudness", measured_again)
    back = sound_measures(first, None, 5, kept, store=store)
    assert (back.loudness, back.onsets_s) == (measures[0].loudness, measures[0].onsets_s)
    assert json.loads(kept.read_text(encoding="utf-8"))["key"] == audio._digest(first, None)
    with pytest.raises(AssertionError, match="measured again"):  # a sound never measured is measured
        sound_measures(write_video(tmp_path / "third.mp4", 50, audio_s=3.0), None, 5, kept, store=store)


@pytest.mark.render
@pytest.mark.full_video
def test_the_render_writes_the_page_and_the_cheap_report(tiny_render, screenplay):
    outputs = tiny_render[0]
    report = json.loads(outputs.report.read_text(encoding="utf-8"))
    facts = report["video"]
    assert (facts["frames"], facts["duration_s"], facts["size"]) == (6000, 600.0, "256x144")
    assert (facts["video_codec"], facts["video_profile"], facts["fast_start"]) == ("h264", "High", True)
    with av.open(str(outputs.video)) as container:  # the MP4's own chapters, read back by PyAV
        titles = [c["metadata"]["title"] for c in container.chapters()]
    assert titles == [s.title for s in screenplay.scenes] == [c["title"] for c in facts["chapters"]]
    assert report["loudness"]["integrated_lufs"] is None  # a silent render
    assert "silent" in report["voice_timing"]["skipped"]
    assert "make verify" in report["subtitles_read_back"]["skipped"]
    speeds = report["reading_speed"]["lines"]
    assert len(speeds) == sum(len(s.lines) for s in screenplay.scenes)
    assert all(0 < s["mean_cps"] <= s["cps"] for s in speeds)
    for name, path in report["plots"].items():
        assert (outputs.output / path).stat().st_size > 10_000, name
    page = outputs.page.read_text(encoding="utf-8")
    assert page.count('class="line"') == len(speeds)
    assert page.count('class="cue"') == sum(len(s.cues) for s in screenplay.scenes)
    assert all(outputs.cue_image(s.id, c.id).exists() for s in screenplay.scenes for c in s.cues)


@pytest.mark.render
def test_on_a_narrated_render_every_voice_starts_with_its_subtitle(small_narrated_render):
    outputs = small_narrated_render[0]
    report = json.loads(outputs.report.read_text(encoding="utf-8"))
    timing = report["voice_timing"]
    assert timing["source"] == "narration.wav (the narration stem)"  # not the video's sound, with music under it
    lines = sum(len(s.lines) for s in load_screenplay(SMALL_SCREENPLAY).scenes)
    assert len(timing["lines"]) == lines and timing["flagged"] == []
    assert timing["max_abs_offset_ms"] <= 45  # the voices were placed on their subtitles' frames
    loudness = report["loudness"]
    assert loudness["integrated_lufs"] == pytest.approx(-16, abs=1) and loudness["true_peak_dbtp"] <= -0.9
    # measured as the soundtrack was encoded, segment by segment, and as a decoder gives the whole video's sound
    assert loudness["source"].endswith("(its soundtrack, measured as it was encoded)"), loudness["source"]
    sound = video_sound(outputs.video)
    assert loudness["integrated_lufs"] == pytest.approx(integrated_loudness(sound.samples, sound.rate), abs=0.02)
    assert loudness["true_peak_dbtp"] == pytest.approx(true_peak_db(sound.samples), abs=0.03)
    assert (outputs.output / report["plots"]["voice_timing"]).stat().st_size > 10_000


TINY_SIZE = ("--resolution", TINY_RENDER["resolution"], "--fps", str(TINY_RENDER["fps"]))  # the tiny render's


def run_verify(*args, **env):
    return subprocess.run([sys.executable, "-m", "diffusion_explainer", "verify", *args], cwd=REPO,
                          env=dict(os.environ, **env), capture_output=True, text=True, timeout=600)


@pytest.mark.render
@pytest.mark.full_video
def test_verify_without_ocr_rewrites_the_report_and_says_what_it_skipped(tiny_render):
    outputs = tiny_render[0]
    result = run_verify("--build", str(outputs.root), *TINY_SIZE, "--no-ocr")
    assert result.returncode == 0, result.stderr
    assert "subtitles read back: skipped (--no-ocr)" in result.stdout
    report = json.loads(outputs.report.read_text(encoding="utf-8"))
    assert report["subtitles_read_back"]["skipped"].startswith("skipped (--no-ocr)")


def test_verify_with_no_render_says_so(tmp_path):
    result = run_verify("--build", str(tmp_path), *TINY_SIZE, "--no-ocr")
    assert result.returncode == 2
    assert result.stderr.startswith("error: no render to verify in") and "make render" in result.stderr


@pytest.mark.render
@pytest.mark.full_video
def test_verify_without_tesseract_says_what_to_install(tiny_render):
    outputs = tiny_render[0]
    result = run_verify("--build", str(outputs.root), *TINY_SIZE, PATH=str(Path(sys.executable).parent))  # no tesseract
    assert result.returncode == 2
    assert "tesseract-ocr-jpn" in result.stderr and "--no-ocr" in result.stderr
