"""The quality report: measured from the rendered files (the video, its soundtrack, its pictures)
against the record of what was planned. `cheap` parts run after every render (dead air among
them); the OCR of every subtitle page (a minute or two at 1080p) and the narration heard back by
speech recognition (about 0.6 s per second of speech on two cores) only in `verify`.
"""

from __future__ import annotations

import shutil
import statistics
import time
from dataclasses import asdict

from ..core.build_layout import BuildLayout
from ..core.errors import RenderError
from . import heard_back, ocr
from . import report_plots as plots
from .audio import sound_measures, usable_stem, video_sound
from .dead_air import block_power, clock, dead_air, wav_block_power
from .file_facts import file_facts
from .reading_speed import ENGLISH_MAX_CPS, bounds, english_reading_speeds, reading_speeds
from .record import ReviewRecord
from .voice_timing import SEARCH_S, VOICE_EARLY_S, VOICE_LATE_S, voice_onsets

WORST_PAGES_SHOWN = 6
OCR_GOOD = 0.8  # pages below this similarity are listed as problems


def measure(record: ReviewRecord, build: BuildLayout, *, ocr: bool, ocr_skipped: str = "", hearing: bool = False,
            hearing_skipped: str = "") -> dict:
    video = build.output / record.files["video"]
    report: dict = {"generated_at": time.strftime("%Y-%m-%d %H:%M:%S"), "settings": record.settings,
                    "video": file_facts(video), "problems": [], "plots": {}}
    expected_frames = record.duration_s * record.fps
    if report["video"]["frames"] != expected_frames:
        raise RenderError(f"{video} has {report['video']['frames']} frames but its record ({build.record}) plans "
                          f"{expected_frames}: they are from different renders; render again")
    report["problems"] += _file_problems(report["video"], record)

    stem = build.output / record.files["narration_stem"] if "narration_stem" in record.files else None
    sound = sound_measures(video, stem, record.duration_s, build.sound_measures)
    report["loudness"] = sound.loudness
    if record.silent:
        report["voice_timing"] = {"skipped": "a silent render: there is no voice to measure"}
    else:
        report["voice_timing"] = _voice_timing(record, build, sound, report)
        if not sound.loudness["within_target"]:
            report["problems"].append(
                f"loudness {sound.loudness['integrated_lufs']} LUFS, true peak {sound.loudness['true_peak_dbtp']} "
                f"dBTP (target {sound.loudness['target_lufs']} LUFS, ceiling {sound.loudness['true_peak_ceiling_dbtp']} dBTP)")
    report["dead_air"] = _dead_air(record, video, stem, report)
    report["reading_speed"] = _reading_speed(record, build, report)
    shutil.rmtree(build.ocr_folder, ignore_errors=True)  # the worst pages of an earlier reading
    if ocr:
        report["subtitles_read_back"] = _subtitles_read_back(record, build, video, report)
    else:
        report["subtitles_read_back"] = {"skipped": ocr_skipped or "not run after a render: `make verify` reads "
                                                                   "the burned-in subtitles back"}
    report["narration_heard_back"] = _narration_heard_back(record, stem, report, hearing, hearing_skipped)
    return report


def _file_problems(facts: dict, record: ReviewRecord) -> list[str]:
    problems = []
    if not facts["fast_start"]:
        problems.append("the index (moov) is not at the front: no fast start")
    if (facts["video_codec"], facts["video_profile"]) != ("h264", "High"):
        problems.append(f"video codec {facts['video_codec']} {facts['video_profile']}, not H.264 High")
    if abs(facts["duration_s"] - record.duration_s) > 0.05:
        problems.append(f"the file lasts {facts['duration_s']} s, not {record.duration_s} s")
    if [c["title"] for c in facts["chapters"]] != [s.title for s in record.scenes]:
        problems.append(f"the file's chapters ({len(facts['chapters'])}) are not the {len(record.scenes)} scenes")
    return problems


def _dead_air(record: ReviewRecord, video, stem, report: dict) -> dict:
    """A still picture while nobody speaks, 3 s or more (review.dead_air)."""
    if record.silent:
        power, source = None, "none: a silent render has no voice"
    elif (usable := usable_stem(stem, record.duration_s)) is not None:
        power, source = wav_block_power(usable), f"{usable.name} (the narration stem)"
    else:
        sound = video_sound(video)
        power, source = block_power(sound.samples, sound.rate), sound.source
    found = dead_air(video, record.duration_s, power, source)
    for span in found.spans:
        report["problems"].append(f"dead air {clock(span.start_s)}–{clock(span.end_s)} ({span.duration_s:.1f} s): "
                                  "the picture stands still and nobody speaks")
    return found.to_report()


def _narration_heard_back(record: ReviewRecord, stem, report: dict, hearing: bool, skipped: str) -> dict:
    if record.silent:
        return {"skipped": "a silent render: there is no voice to hear"}
    if not hearing:
        return {"skipped": skipped or "not run after a render: `make verify` hears every line back"}
    usable = usable_stem(stem, record.duration_s)
    if usable is None:
        return {"skipped": "no narration stem of the video's length beside it (narration.wav): render again"}
    heard = heard_back.hear_lines(record, usable)
    for line in heard["lines"]:
        if line["flagged"]:
            report["problems"].append(
                f"{line['scene_id']}/{line['line_id']}: the voice is heard as 「{line['heard']}」, {heard['unit']} error "
                f"rate {line['cer']:.2f} against its {line['compared_with']} (over {line['threshold']:.2f})")
    return heard


def _voice_timing(record: ReviewRecord, build: BuildLayout, sound, report: dict) -> dict:
    onsets = voice_onsets(record, sound.onsets_s)
    offsets = [abs(o.offset_ms) for o in onsets if o.offset_ms is not None]
    flagged = [o for o in onsets if o.flagged]
    for o in flagged:
        report["problems"].append(f"{o.scene_id}/{o.line_id}: " + (
            f"no voice within {SEARCH_S:g} s of its subtitle" if o.offset_ms is None
            else f"voice {o.offset_ms:+.0f} ms from its subtitle"))
    report["plots"]["voice_timing"] = build.relative(plots.voice_timing(record, onsets, build.plot("voice_timing")))
    return {
        "source": sound.onsets_source,
        "allowed_ms": [-VOICE_EARLY_S * 1000, VOICE_LATE_S * 1000],
        "reason": "ITU-R BT.1359: sound up to 45 ms before or 125 ms after the picture is not noticed",
        "median_abs_offset_ms": round(statistics.median(offsets), 1) if offsets else None,
        "max_abs_offset_ms": round(max(offsets), 1) if offsets else None,
        "flagged": [f"{o.scene_id}/{o.line_id}" for o in flagged],
        "lines": [asdict(o) | {"flagged": o.flagged} for o in onsets],
    }


def _reading_speed(record: ReviewRecord, build: BuildLayout, report: dict) -> dict:
    speeds = reading_speeds(record)
    flagged = [s for s in speeds if s.flagged]
    for s in flagged:
        report["problems"].append(f"{s.scene_id}/{s.line_id}: {s.cps:.1f} characters per second (over {s.max_cps:g})")
    report["plots"]["reading_speed"] = build.relative(plots.reading_speed(record, speeds, build.plot("reading_speed")))
    english = english_reading_speeds(record)
    for s in english:
        if s.flagged:
            report["problems"].append(f"{s.scene_id}/{s.line_id}: its English captions {s.cps:.1f} characters per "
                                      f"second (over {ENGLISH_MAX_CPS:g})")
    return _speed_summary(speeds, *bounds(record.language)) | {
        "english": _speed_summary(english, *bounds("en"))}


def _speed_summary(speeds, comfortable: float, most: float, reason: str) -> dict:
    return {
        "comfortable_cps": comfortable, "max_cps": most, "reason": reason,
        "median_cps": round(statistics.median(s.cps for s in speeds), 2) if speeds else None,
        "over_comfortable": sum(s.cps > comfortable for s in speeds),
        "flagged": [f"{s.scene_id}/{s.line_id}" for s in speeds if s.flagged],
        "lines": [asdict(s) | {"flagged": s.flagged} for s in speeds],
    }


def _subtitles_read_back(record: ReviewRecord, build: BuildLayout, video, report: dict) -> dict:
    started = time.monotonic()
    readings, bands = ocr.read_subtitles(video, record)
    worst = sorted(readings, key=lambda r: r.similarity)[:WORST_PAGES_SHOWN]
    build.ocr_folder.mkdir(parents=True)
    shown = []
    for r in worst:
        path = build.ocr_image(r.frame)
        bands[r.frame].save(path)
        shown.append(asdict(r) | {"image": build.relative(path)})
    for r in readings:
        if r.similarity < OCR_GOOD:
            report["problems"].append(f"{r.scene_id}/{r.line_id} page {r.page}: the picture reads "
                                      f"「{r.read}」, similarity {r.similarity:.2f}")
    report["plots"]["ocr_similarity"] = build.relative(plots.ocr_similarity(record, readings, build.plot("ocr_similarity")))
    similarities = [r.similarity for r in readings]
    return {
        "engine": f"Tesseract ({ocr.TESSERACT_LANGUAGES[record.language][0]}), " + " ".join(ocr.TESSERACT_ARGS),
        "measure": "difflib ratio after NFKC, white space removed, look-alike dashes as one (1.0 = the same text)",
        "pages": len(readings),
        "mean_similarity": round(statistics.fmean(similarities), 3) if similarities else None,
        "median_similarity": round(statistics.median(similarities), 3) if similarities else None,
        "min_similarity": round(min(similarities), 3) if similarities else None,
        "pages_below": {"similarity": OCR_GOOD, "count": sum(s < OCR_GOOD for s in similarities)},
        "seconds": round(time.monotonic() - started, 1),
        "worst": shown,
        "readings": [asdict(r) for r in readings],
    }
