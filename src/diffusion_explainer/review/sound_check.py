"""`python -m diffusion_explainer.review.sound_check --quality l`: measures the rendered video's
sound against what it must meet, and draws an excerpt to look at.

Read back from the files beside the video (its decoded AAC track, narration.wav, music.wav):
- no stretch of 2 s or more under -50 dBFS, except in the first and last half second;
- integrated loudness -16 LUFS within 1 LU, true peak at most -1 dBTP;
- the music and effects at least 20 dB under every utterance of the narration;
- each line's voice (onsets in narration.wav) within 0.1 s of its first subtitle.
Prints the numbers, writes a spectrogram and level plot of `--excerpt-seconds` from `--excerpt`,
and exits 1 if anything is off.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import av
import numpy as np

from ..core.build_layout import BuildLayout, build_root
from ..core.settings import DEFAULT_LANGUAGE, DEFAULT_QUALITY, LANGUAGES, QUALITIES, RenderSettings
from ..media.probe import AUDIO_RATE
from ..narration.audio_files import read_wav
from ..narration.loudness import integrated_loudness, true_peak_db
from ..screenplay import DEFAULT_PATH, Screenplay, load_screenplay
from ..sound import measure
from ..sound.excerpt_plot import excerpt_plot
from ..sound.score import chords_for
from ..timing.sound_marks import from_json
from ..timing.video_plan import VideoPlan, plan_video

LOUDNESS_LUFS, LOUDNESS_TOLERANCE_LU, TRUE_PEAK_DBTP = -16.0, 1.0, -1.0
UNDER_SPEECH_DB = 20.0
ONSET_TOLERANCE_S = 0.1


def decoded_audio(video: Path) -> np.ndarray:
    with av.open(str(video)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1).T.astype(np.float64)


def first_subtitles_s(plan: VideoPlan) -> list[tuple[str, float]]:
    """(scene/line, second in the video) of every line's first subtitle page."""
    return [(f"{p.scene.id}/{t.line.id}", (plan.start_frame(p.scene.id) + t.pages[0].span.start) / plan.fps)
            for p in plan.scenes for t in p.timeline.lines]


def effects_s(plan: VideoPlan, build: BuildLayout) -> list[float]:
    """When each sound effect sounds, in seconds of the video: the effects each scene marks, kept
    with its video in the scenes' manifest."""
    try:
        scenes = json.loads(build.scenes_manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        scenes = {}
    return [(plan.start_frame(p.scene.id) + e.frame) / plan.fps for p in plan.scenes
            for e in from_json(scenes.get(p.scene.id, {}).get("sounds", []))]


def check(build: BuildLayout, screenplay: Screenplay, excerpt_s: float, excerpt_seconds: float,
          png: Path | None) -> list[str]:
    """Print the measurements; return what fails."""
    settings = build.settings
    plan = plan_video(settings, screenplay)
    mix = decoded_audio(build.video)[: plan.total_frames * AUDIO_RATE // plan.fps]
    narration, _ = read_wav(build.narration_stem)
    music = read_wav(build.music_stem)[0] if settings.music else None
    failures = []

    stretches = measure.silent_stretches(mix, AUDIO_RATE)
    print(f"silence: {len(stretches)} stretches of {measure.SILENCE_S:g} s or more under {measure.SILENCE_DB:g} dBFS"
          + "".join(f"\n  {a:7.2f}-{b:7.2f} s" for a, b in stretches))
    quiet = float(np.min(measure.levels_db(mix, AUDIO_RATE)[round(0.5 / measure.WINDOW_S) : -round(0.5 / measure.WINDOW_S)]))
    print(f"  quietest 50 ms of the mix (edges left out): {quiet:.1f} dBFS")
    failures += [f"silent {a:.2f}-{b:.2f} s" for a, b in stretches]

    lufs, peak = integrated_loudness(mix, AUDIO_RATE), true_peak_db(mix)
    print(f"loudness: {lufs:.2f} LUFS integrated, true peak {peak:.2f} dBTP")
    if abs(lufs - LOUDNESS_LUFS) > LOUDNESS_TOLERANCE_LU:
        failures.append(f"loudness {lufs:.2f} LUFS")
    if peak > TRUE_PEAK_DBTP:
        failures.append(f"true peak {peak:.2f} dBTP")

    if music is not None:
        ducking = measure.music_under_speech(narration, music, AUDIO_RATE)
        under = sorted(ducking.per_utterance_db)
        print(f"ducking: music {ducking.overall_db:.1f} dB against the speech over all speaking time; per utterance "
              f"worst {under[-1]:.1f}, median {under[len(under) // 2]:.1f} dB ({len(under)} utterances); "
              f"{ducking.pauses_db:.1f} dB louder in the pauses than under the voices")
        failures += [f"music only {-d:.1f} dB under an utterance" for d in under if d > -UNDER_SPEECH_DB]

    lines = first_subtitles_s(plan)
    errors = measure.onset_errors(narration, AUDIO_RATE, [s for _, s in lines])
    worst = max(range(len(lines)), key=lambda i: errors[i])
    print(f"onsets (narration.wav): {len(lines)} lines, worst {errors[worst]:.3f} s ({lines[worst][0]}), "
          f"mean {np.mean(errors):.3f} s")
    failures += [f"{name}: voice {e:.3f} s from its subtitle" for (name, _), e in zip(lines, errors) if e > ONSET_TOLERANCE_S]

    if png is not None:
        scenes = [(plan.start_frame(p.scene.id) * AUDIO_RATE // plan.fps, p.timeline.total_frames * AUDIO_RATE // plan.fps)
                  for p in plan.scenes]
        marks = {"scene changes": [p.scene.start_s for p in plan.scenes[1:]],
                 "chord changes": [c.start / AUDIO_RATE for c in chords_for(scenes, AUDIO_RATE)[1:]],
                 "effects": effects_s(plan, build)}
        excerpt_plot(mix, narration, music, AUDIO_RATE, excerpt_s, excerpt_seconds, png, marks)
        print(f"plot: {png}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sound_check", description=__doc__.splitlines()[0])
    parser.add_argument("screenplay", nargs="?", help="the screenplay rendered (default: the project's)")
    parser.add_argument("-q", "--quality", choices=list(QUALITIES), default=DEFAULT_QUALITY)
    parser.add_argument("-r", "--resolution", help="W,H of a custom render (with --fps)")
    parser.add_argument("--fps", type=int)
    parser.add_argument("--language", choices=list(LANGUAGES), default=DEFAULT_LANGUAGE,
                        help="the language of the render (default ja)")
    parser.add_argument("--no-music", action="store_true", help="the render was made with --no-music")
    parser.add_argument("--excerpt", type=float, default=60.0, help="where the plotted excerpt starts (s)")
    parser.add_argument("--excerpt-seconds", type=float, default=60.0)
    parser.add_argument("--build", type=Path, help="the render's build folder (default: build/ for the project's "
                        "screenplay, build/<name>/ for another); the video is in its quality's and language's "
                        "output folder there")
    parser.add_argument("--png", type=Path, help="the plot (default: sound_check.png beside the video)")
    args = parser.parse_args(argv)
    music = not args.no_music
    settings = (RenderSettings.custom(args.resolution, args.fps, music=music, language=args.language) if args.resolution
                else RenderSettings.from_quality(args.quality, music=music, language=args.language))
    screenplay = load_screenplay(args.screenplay)
    root = args.build or build_root(screenplay.path, screenplay.name, DEFAULT_PATH)
    build = BuildLayout(root, settings, screenplay.name)
    png = args.png or build.output / "sound_check.png"
    failures = check(build, screenplay, args.excerpt, args.excerpt_seconds, png)
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
