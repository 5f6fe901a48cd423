"""build/index.html: the video with its tracks, the transcript, the cue strip, the chapters and the
quality report, in one HTML file (its style and script inlined) that refers to the video and the
pictures beside it by relative paths: it works from file:// and from any static host.

The page is laid out in page.html.j2 (Jinja2, every value escaped); this module hands it the
record, the report and the few values worked out from them."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup

from ..core.build_layout import BuildLayout
from ..screenplay import format_clock
from .record import ReviewRecord

FASTEST_LINES_SHOWN = 8
# The page's own words in the video's language (the quality report below them is in English).
UI_LABELS = {
    "ja": {"play": "再生", "pause": "一時停止", "seek": "再生位置", "mute": "消音", "unmute": "音を出す",
           "fullscreen": "全画面", "noscript": "字幕・チャプター・説明のトラックと文字起こしの連動には JavaScript が必要です。",
           "chapters": "チャプター", "youtube": "YouTube 概要欄用", "copy": "コピー", "copied": "コピーしました",
           "transcript": "文字起こし", "cues": "キュー", "cues_heading": "キュー（アニメーション）",
           "captions": "日本語", "descriptions": "アニメーションの説明"},
    "en": {"play": "Play", "pause": "Pause", "seek": "Position", "mute": "Mute", "unmute": "Unmute",
           "fullscreen": "Full screen", "noscript": "The caption, chapter and description tracks and the transcript "
           "that follows the video need JavaScript.", "chapters": "Chapters", "youtube": "For the YouTube description",
           "copy": "Copy", "copied": "Copied", "transcript": "Transcript", "cues": "Cues",
           "cues_heading": "Cues (animation)", "captions": "English", "descriptions": "What the animation shows"},
}


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(__package__, ""), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters.update(
        clock=format_clock,  # whole seconds -> m:ss
        clock_ms=lambda ms: format_clock(ms // 1000),
        seconds=lambda ms: f"{ms / 1000:.3f}",  # what the page's script seeks to
    )
    return environment.get_template("page.html.j2")


def render_page(record: ReviewRecord, report: dict, tracks: dict[str, str], build: BuildLayout) -> str:
    ui = UI_LABELS[record.language]
    review_data = json.dumps({"tracks": tracks, "language": record.language, "labels": ui},
                             ensure_ascii=False).replace("</", "<\\/")
    return _template().render(
        record=record, report=report, video=record.files["video"], report_file=build.relative(build.report), ui=ui,
        youtube_chapters=(build.output / record.files["chapters"]).read_text(encoding="utf-8"),
        cue_images=[build.relative(build.cue_image(c.scene_id, c.cue_id)) for c in record.cues],
        facts=_facts(report),
        fastest_lines=sorted(report["reading_speed"]["lines"], key=lambda s: -s["cps"])[:FASTEST_LINES_SHOWN],
        fastest_english_lines=sorted(report["reading_speed"].get("english", {}).get("lines", []),
                                     key=lambda s: -s["cps"])[:FASTEST_LINES_SHOWN],
        css=Markup(_asset("page.css")), js=Markup(_asset("page.js")), review_data=Markup(review_data),
    )


def _facts(report: dict) -> list[tuple[str, str]]:
    """The report table's rows: the file's numbers and its loudness."""
    facts, loud = report["video"], report["loudness"]
    return [
        ("duration", f"{facts['duration_s']} s, {facts['frames']} frames at {facts['fps']:g} fps, {facts['size']}"),
        ("video", f"{facts['video_codec']} {facts['video_profile']} {facts['pixel_format']}"),
        ("audio", (f"{facts['audio_codec']} {facts['audio_profile']}, {facts['audio_rate']} Hz, "
                   f"{facts['audio_channels']} ch")),
        ("fast start", "yes (moov before mdat)" if facts["fast_start"] else "NO"),
        ("chapters in the MP4", f"{len(facts['chapters'])}: " + ", ".join(
            f"{format_clock(int(c['start_s']))} {c['title']}" for c in facts["chapters"])),
        ("loudness", "silent" if loud["integrated_lufs"] is None else
         f"{loud['integrated_lufs']} LUFS integrated, true peak {loud['true_peak_dbtp']} dBTP "
         f"(target {loud['target_lufs']} LUFS, ceiling {loud['true_peak_ceiling_dbtp']} dBTP)"),
        ("file size", f"{facts['bytes'] / 1e6:.1f} MB"),
    ]
