"""The review and publishing page (build/index.html) and the quality report (build/report.json).

- publish: after every render, the record of what was planned, the cue pictures, the extra
  tracks and the page with the cheap parts of the report (the file's numbers, loudness, voice
  onsets against the subtitles, reading speed, plots);
- verify: the full report on the last render, with the burned-in subtitles read back by OCR and
  every line of the narration heard back by speech recognition.
"""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from ..core.build_layout import BuildLayout
from ..core.errors import RenderError
from ..core.files import atomic_path, write_text
from ..narration.hearing import whisper_folder
from .audio import sound_measures
from .ocr import check_tesseract
from .page import render_page
from .record import ReviewRecord, record_of
from .report import measure
from .tracks import chapters_vtt, descriptions_vtt

CUE_IMAGE_WIDTH = 320


def publish(plan, build: BuildLayout, cue_stills) -> None:
    """Write the page and the cheap report for a render just joined."""
    record = publish_record(plan, build)
    for still in cue_stills:
        image = still.image.resize((CUE_IMAGE_WIDTH, round(CUE_IMAGE_WIDTH * still.image.height / still.image.width)),
                                   Image.LANCZOS)
        with atomic_path(build.cue_image(still.scene_id, still.cue_id)) as tmp:
            image.save(tmp, format="JPEG", quality=85)
    write_text(build.chapters_vtt, chapters_vtt(record))
    write_text(build.descriptions_vtt, descriptions_vtt(record))
    _write(record, measure(record, build, ocr=False), build)


def publish_record(plan, build: BuildLayout) -> ReviewRecord:
    """Write what the render planned (the record the page, the report and the studio read)."""
    translated = (("english_captions", build.en_vtt), ("english_subrip", build.en_srt)) if build.translated_captions() else ()
    record = record_of(plan, {name: build.relative(path) for name, path in (
        ("video", build.video), ("captions", build.vtt), ("subrip", build.srt), *translated, ("chapters", build.chapters),
        ("thumbnail", build.thumbnail), ("contact_sheet", build.contact_sheet),
        ("narration_stem", build.narration_stem))})
    write_text(build.record, record.to_json())
    return record


def measure_soundtrack(sound, build: BuildLayout, duration_s: float):
    """Measure a render's soundtrack (sound.soundtrack.Soundtrack) for its page before the video
    is joined: see audio.sound_measures."""
    return sound_measures(sound.audio, sound.narration, duration_s, build.sound_measures, video_name=build.video.name,
                          heard=sound.heard())


def verify(folder: Path, *, ocr: bool = True, hearing: bool = True) -> dict:
    """The full report on the render whose output folder is `folder`; the page shows it."""
    build = BuildLayout.finished(folder)
    if not build.record.exists():
        raise RenderError(f"no render to verify in {build.output}: {build.record} is missing (run `make render` "
                          f"first, with the quality and language asked for)")
    record = ReviewRecord.load(build.record)
    if ocr:
        check_tesseract(record.language)  # before ten minutes of sound are measured for nothing
    if hearing and not record.silent:
        whisper_folder()  # the same: Whisper base is installed (the `verify` extra), its halves joined
    skipped = "" if ocr else "skipped (--no-ocr): the burned-in subtitles were not read back"
    report = measure(record, build, ocr=ocr, ocr_skipped=skipped, hearing=hearing,
                     hearing_skipped="" if hearing else "skipped (--no-hearing): the narration was not heard back")
    _write(record, report, build)
    return report


def _write(record: ReviewRecord, report: dict, build: BuildLayout) -> None:
    english = build.output / record.files.get("english_captions", "-")  # (a render before the English captions: none)
    tracks = {"captions": (build.output / record.files["captions"]).read_text(encoding="utf-8"),
              "english_captions": english.read_text(encoding="utf-8") if english.is_file() else "",
              "chapters": build.chapters_vtt.read_text(encoding="utf-8"),
              "descriptions": build.descriptions_vtt.read_text(encoding="utf-8")}
    write_text(build.report, json.dumps(report, ensure_ascii=False, indent=1))
    write_text(build.page, render_page(record, report, tracks, build))


def summary(report: dict) -> str:
    """A few lines for the terminal; the page and report.json have the rest."""
    facts, loud = report["video"], report["loudness"]
    lines = [(f"verify: {facts['file']} — {facts['duration_s']} s, {facts['frames']} frames, {facts['size']}, "
              f"{facts['video_codec']} {facts['video_profile']}, fast start {'yes' if facts['fast_start'] else 'NO'}, "
              f"{len(facts['chapters'])} chapters"),
             f"  loudness {loud['integrated_lufs']} LUFS, true peak {loud['true_peak_dbtp']} dBTP"]
    timing = report["voice_timing"]
    lines.append("  voice timing: " + (timing["skipped"] if "skipped" in timing else
                 f"median |voice - subtitle| {timing['median_abs_offset_ms']} ms, largest {timing['max_abs_offset_ms']} ms, "
                 f"{len(timing['flagged'])} flagged ({timing['source']})"))
    speed = report["reading_speed"]
    lines.append(f"  reading speed: median {speed['median_cps']} chars/s, {speed['over_comfortable']} lines over "
                 f"{speed['comfortable_cps']:g}, {len(speed['flagged'])} over {speed['max_cps']:g}")
    english = speed.get("english")
    if english and english["lines"]:
        lines.append(f"  English captions: median {english['median_cps']} chars/s, {english['over_comfortable']} lines "
                     f"over {english['comfortable_cps']:g}, {len(english['flagged'])} over {english['max_cps']:g}")
    dead = report["dead_air"]
    lines.append(f"  dead air: {dead['count']} spans of a still picture with no voice, {dead['total_s']} s in all"
                 + "".join(f"; {s['start']}-{s['end']}" for s in dead["spans"][:6]) + ("; ..." if dead["count"] > 6 else ""))
    heard = report["narration_heard_back"]
    lines.append("  narration heard back: " + (heard["skipped"] if "skipped" in heard else
                 f"{heard['lines_heard']} lines, mean {heard.get('unit', 'character')} error rate {heard['mean_cer']}, "
                 f"worst {heard['max_cer']}, "
                 f"{len(heard['flagged'])} flagged ({heard['seconds']} s)"))
    ocr = report["subtitles_read_back"]
    lines.append("  subtitles read back: " + (ocr["skipped"] if "skipped" in ocr else
                 f"{ocr['pages']} pages, mean similarity {ocr['mean_similarity']}, lowest {ocr['min_similarity']}, "
                 f"{ocr['pages_below']['count']} below {ocr['pages_below']['similarity']} ({ocr['seconds']} s)"))
    lines.append(f"  {len(report['problems'])} problems" + "".join(f"\n    - {p}" for p in report["problems"][:20]))
    return "\n".join(lines)
