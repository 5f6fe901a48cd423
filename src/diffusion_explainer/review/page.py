"""build/index.html: the video with its tracks, the transcript, the cue strip, the chapters and the
quality report, in one HTML file (its style and script inlined) that refers to the video and the
pictures beside it by relative paths: it works from file:// and from any static host."""

from __future__ import annotations

import json
from html import escape
from importlib import resources

from ..screenplay import format_clock
from ..core.build_layout import BuildLayout
from .record import ReviewRecord


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _clock(ms: int) -> str:
    return format_clock(ms // 1000)


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


def render_page(record: ReviewRecord, report: dict, tracks: dict[str, str], files: BuildLayout) -> str:
    script_data = json.dumps({"tracks": tracks}, ensure_ascii=False).replace("</", "<\\/")
    video = record.files["video"]
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(record.title)}</title>
<link rel="icon" href="data:,">
<style>
{_asset("page.css")}</style>
</head>
<body>
<header>
<h1>{escape(record.title)}</h1>
<p class="meta">{escape(record.subtitle)} · {format_clock(record.duration_s)} · {escape(record.settings)} ·
<a href="{escape(video)}">{escape(video)}</a> · <a href="{escape(record.files['captions'])}">WebVTT</a> ·
<a href="{escape(record.files['contact_sheet'])}">contact sheet</a> ·
<a href="{escape(files.relative(files.report))}">report.json</a></p>
</header>
<main>
<div class="player">
<div class="screen" id="screen">
<video id="video" controls preload="metadata" playsinline tabindex="0" poster="{escape(record.files['thumbnail'])}" src="{escape(video)}"></video>
<div class="controls" id="controls" hidden>
<button type="button" id="play">再生</button>
<input type="range" id="seek" min="0" max="{record.duration_s}" step="0.1" value="0" aria-label="再生位置">
<span id="clock" class="clock">0:00 / {format_clock(record.duration_s)}</span>
<button type="button" id="mute">消音</button>
<button type="button" id="fullscreen">全画面</button>
</div>
</div>
<p id="description" class="description" aria-live="polite"></p>
<noscript><p>字幕・チャプター・説明のトラックと文字起こしの連動には JavaScript が必要です。</p></noscript>
{_chapters(record, files)}
</div>
{_transcript(record)}
</main>
{_cue_strip(record, files)}
{_report(report, files)}
<footer>{escape(record.title)} — {escape(report.get("generated_at", ""))}</footer>
<script type="application/json" id="review-data">{script_data}</script>
<script>
{_asset("page.js")}</script>
</body>
</html>
"""


def _transcript(record: ReviewRecord) -> str:
    parts = ['<aside class="transcript" aria-label="文字起こし"><h2>文字起こし</h2><div id="transcript-lines">']
    for scene in record.scenes:
        parts.append(f'<h3 class="scene-heading" data-start="{_seconds(scene.start_ms)}">'
                     f'{scene.number}. {escape(scene.title)} <span class="time">{_clock(scene.start_ms)}</span></h3>')
        for line in (line for line in record.lines if line.scene_id == scene.scene_id):
            colour = record.characters.get(line.speaker, "#f8fafc")
            parts.append(
                f'<span class="line" tabindex="0" role="button" data-line="{escape(line.scene_id)}/{escape(line.line_id)}" '
                f'data-start="{_seconds(line.start_ms)}" data-end="{_seconds(line.end_ms)}">'
                f'<span class="time">{_clock(line.start_ms)}</span>'
                f'<span class="speaker" style="color:{escape(colour)}">{escape(line.speaker)}</span>{escape(line.text)}</span>')
    parts.append("</div></aside>")
    return "\n".join(parts)


def _cue_strip(record: ReviewRecord, files: BuildLayout) -> str:
    parts = ['<section aria-label="キュー"><h2>キュー（アニメーション）</h2><div class="strip">']
    for cue in record.cues:
        image = files.relative(files.cue_image(cue.scene_id, cue.cue_id))
        parts.append(
            f'<button class="cue" data-start="{_seconds(cue.start_ms)}" title="{escape(cue.animation)}">'
            f'<img src="{escape(image)}" alt="{escape(cue.animation)}" loading="lazy">'
            f'<span class="label">{_clock(cue.start_ms)} · {escape(cue.scene_id)} / {escape(cue.cue_id)}</span>'
            f'<span class="animation">{escape(cue.animation)}</span></button>')
    parts.append("</div></section>")
    return "\n".join(parts)


def _chapters(record: ReviewRecord, files: BuildLayout) -> str:
    items = "\n".join(f'<li><a href="#" data-start="{_seconds(s.start_ms)}">{_clock(s.start_ms)} {escape(s.title)}</a></li>'
                      for s in record.scenes)
    youtube = (files.root / record.files["chapters"]).read_text(encoding="utf-8")
    return f"""<section class="chapters columns" aria-label="チャプター">
<div><h2>チャプター</h2><ol>
{items}
</ol></div>
<div><h2>YouTube 概要欄用</h2>
<textarea id="youtube-chapters" readonly rows="{len(record.scenes) + 1}">{escape(youtube)}</textarea>
<button class="copy" id="copy-chapters" type="button">コピー</button></div>
</section>"""


def _yes(ok: bool, text: str) -> str:
    return f'<span class="{"ok" if ok else "bad"}">{escape(text)}</span>'


def _report(report: dict, files: BuildLayout) -> str:
    facts, loud = report["video"], report["loudness"]
    rows = [
        ("duration", f"{facts['duration_s']} s, {facts['frames']} frames at {facts['fps']:g} fps, {facts['size']}"),
        ("video", f"{facts['video_codec']} {facts['video_profile']} {facts['pixel_format']}"),
        ("audio", f"{facts['audio_codec']} {facts['audio_profile']}, {facts['audio_rate']} Hz, {facts['audio_channels']} ch"),
        ("fast start", "yes (moov before mdat)" if facts["fast_start"] else "NO"),
        ("chapters in the MP4", f"{len(facts['chapters'])}: " + ", ".join(
            f"{format_clock(int(c['start_s']))} {c['title']}" for c in facts["chapters"])),
        ("loudness", "silent" if loud["integrated_lufs"] is None else
         f"{loud['integrated_lufs']} LUFS integrated, true peak {loud['true_peak_dbtp']} dBTP "
         f"(target {loud['target_lufs']} LUFS, ceiling {loud['true_peak_ceiling_dbtp']} dBTP)"),
        ("file size", f"{facts['bytes'] / 1e6:.1f} MB"),
    ]
    table = "\n".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    problems = report["problems"]
    problem_list = ("<p class='ok'>nothing flagged</p>" if not problems else
                    "<ul>" + "".join(f"<li class='bad'>{escape(p)}</li>" for p in problems) + "</ul>")
    return f"""<section class="report" id="report" lang="en" aria-label="quality report">
<h2>Quality report</h2>
<p class="note">Measured from the rendered files on {escape(report.get("generated_at", ""))}
(<a href="{escape(files.relative(files.report))}">report.json</a> has every number).</p>
<table>{table}</table>
<h3>Flagged ({len(problems)})</h3>
{problem_list}
{_timing_section(report)}
{_reading_section(report)}
{_ocr_section(report)}
</section>"""


def _plot(report: dict, name: str, alt: str) -> str:
    path = report["plots"].get(name)
    return f'<div class="plots"><img src="{escape(path)}" alt="{escape(alt)}"></div>' if path else ""


def _timing_section(report: dict) -> str:
    timing = report["voice_timing"]
    if "skipped" in timing:
        return f"<h3>Voice against subtitles</h3><p class='note'>{escape(timing['skipped'])}</p>"
    early, late = timing["allowed_ms"]
    return f"""<h3>Voice against subtitles</h3>
<p>{len(timing['lines'])} lines, measured in {escape(timing['source'])}: median |voice − subtitle| {timing['median_abs_offset_ms']} ms,
largest {timing['max_abs_offset_ms']} ms; allowed {early:g} to +{late:g} ms ({escape(timing['reason'])}).
{_yes(not timing['flagged'], f"{len(timing['flagged'])} flagged")}</p>
{_plot(report, "voice_timing", "voice onset minus subtitle start, per line")}"""


def _reading_section(report: dict) -> str:
    speed = report["reading_speed"]
    rows = "".join(f"<tr><td>{escape(s['scene_id'])}/{escape(s['line_id'])}</td><td>{s['cps']:.1f}</td>"
                   f"<td>{s['characters']:g}</td><td>{s['shown_s']:.1f} s</td></tr>"
                   for s in sorted(speed["lines"], key=lambda s: -s["cps"])[:8])
    return f"""<h3>Reading speed</h3>
<p>median {speed['median_cps']} characters per second; {speed['over_comfortable']} of {len(speed['lines'])} lines over
{speed['comfortable_cps']:g}/s, {_yes(not speed['flagged'], f"{len(speed['flagged'])} over {speed['max_cps']:g}/s")}.
<span class="note">{escape(speed['reason'])}.</span></p>
{_plot(report, "reading_speed", "characters per second per line")}
<table><tr><th>fastest lines</th><th>chars/s</th><th>chars</th><th>shown</th></tr>{rows}</table>"""


def _ocr_section(report: dict) -> str:
    ocr = report["subtitles_read_back"]
    if "skipped" in ocr:
        return f"<h3>Burned-in subtitles read back (OCR)</h3><p class='note'>{escape(ocr['skipped'])}</p>"
    worst = "\n".join(
        f'<div class="ocr-page"><img src="{escape(w["image"])}" alt="subtitle band of {escape(w["scene_id"])}/{escape(w["line_id"])}">'
        f'<p>{escape(w["scene_id"])}/{escape(w["line_id"])} page {w["page"]} · similarity {w["similarity"]:.2f}<br>'
        f'expected: {escape(w["expected"])}<br>read: {escape(w["read"])}</p></div>' for w in ocr["worst"])
    below = ocr["pages_below"]
    return f"""<h3>Burned-in subtitles read back (OCR)</h3>
<p>{ocr['pages']} pages read back with {escape(ocr['engine'])} ({escape(ocr['measure'])}): mean similarity
{ocr['mean_similarity']}, median {ocr['median_similarity']}, lowest {ocr['min_similarity']};
{_yes(below['count'] == 0, f"{below['count']} pages below {below['similarity']}")}.</p>
{_plot(report, "ocr_similarity", "OCR similarity per subtitle page")}
<h3>The worst-read pages</h3>
{worst}"""
