"""The command line: `python -m diffusion_explainer <command>`, every command of the project.

User errors (a bad screenplay, a missing font) are caught here, once, and printed as one
paragraph with exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .core.errors import CheckFailed, RenderError, SetupError, UsageError
from .screenplay import format_clock, load_screenplay
from .screenplay.errors import ScreenplayError
from .timing.sync import SyncError
from .timing.timeline import TimelineError

# Errors a user can cause: caught once here and shown as one paragraph each.
USER_ERRORS = (UsageError, CheckFailed, ScreenplayError, TimelineError, SetupError, RenderError, SyncError)


def scene_table(screenplay) -> str:
    """The scene table as the screenplay's シーン対応表 lays it out."""
    rows = ["| シーン番号 | タイトル | 時間 | 秒数 |", "|-----------|---------|------|------|"]
    for s in screenplay.scenes:
        rows.append(
            f"| Scene {s.number:02d} | {s.title} | {format_clock(s.start_s)}〜{format_clock(s.end_s)} | {s.duration_s}s |"
        )
    total = sum(s.duration_s for s in screenplay.scenes)
    rows.append(f"| **合計** | | | **{total}s ({format_clock(total)})** |")
    return "\n".join(rows)


def cmd_check(args) -> int:
    """Everything a render would refuse, in seconds: the screenplay, its scene files, voices,
    readings, the font and LaTeX, and whether each scene's speech fits (see checks/problems.py)."""
    from .checks import problems as checks
    from .checks.reading_drift import reading_drift

    screenplay = load_screenplay(args.file or args.screenplay)
    problems = checks.static_problems(screenplay)
    fits, fit_problems = checks.speech_fit(screenplay)
    problems += fit_problems
    print(f"{screenplay.path}: {screenplay.title}, {len(screenplay.scenes)} scenes, "
          f"{sum(len(s.lines) for s in screenplay.scenes)} lines, {sum(len(s.cues) for s in screenplay.scenes)} cues, "
          f"scene files in {checks.display(screenplay.scene_dir)}")
    print(scene_table(screenplay))
    print()
    print(checks.fit_table(fits))
    for warning in checks.translation_problems(screenplay):  # the English version: never refused here
        print(f"warning: {warning}")
    for warning in reading_drift(screenplay):
        print(f"warning: {warning}")
    onscreen = checks.onscreen_text_problems(screenplay)  # the scene files' texts: never refused either
    if onscreen:
        count = f"{len(onscreen)} on-screen text{'s' if len(onscreen) > 1 else ''}"
        print(f"warning — {count} without English (they stay Japanese in the English video), each where it is:")
        print("".join(f"  {problem}\n" for problem in onscreen), end="")
    checks.refuse_problems(problems)
    print("check: no problems; a render would start")
    return 0


def render_settings(args):
    """The render's settings from --quality, or from --resolution and --fps."""
    from .core.settings import RenderSettings
    from .timing.scene_plan import silent_by_default

    silent = getattr(args, "silent", False) or silent_by_default()
    jobs = getattr(args, "jobs", 0) or os.cpu_count() or 1
    how = dict(silent=silent, jobs=jobs, music=not getattr(args, "no_music", False), language=args.language)
    try:
        if args.resolution or args.fps:
            if not (args.resolution and args.fps):
                raise ValueError("--resolution and --fps go together (e.g. --resolution 256,144 --fps 10)")
            return RenderSettings.custom(args.resolution, args.fps, **how)
        return RenderSettings.from_quality(args.quality, **how)
    except ValueError as e:
        raise UsageError(str(e)) from None


def _interrupt_on_sigterm() -> None:
    """A render stopped with SIGTERM cleans up as for Ctrl-C: its manim processes are stopped."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def cmd_render(args) -> int:
    _preload_speech(args)
    from .render.pipeline import render_video

    _interrupt_on_sigterm()
    screenplay = load_screenplay(args.screenplay)
    report = render_video(render_settings(args), screenplay=screenplay, force=args.force, only=args.scene,
                          executor=args.executor)
    if args.timings:
        from .core.files import write_text
        from .render.pipeline import timings_json

        write_text(Path(args.timings), timings_json(report))
    return 0


def _preload_speech(args) -> None:
    """The speech model loads in the background while the render imports and checks, if a line
    has no speech in the cache (a render with nothing to speak, an edit undone, leaves the cores
    to its planning)."""
    from .narration.engines import preload
    from .timing.scene_plan import ENGINES

    settings = render_settings(args)
    if settings.silent or settings.language not in ENGINES:
        return

    def needed() -> bool:
        from .screenplay import load_screenplay
        from .timing.video_plan import speech_to_make

        return speech_to_make(load_screenplay(args.screenplay), settings.language)

    preload(ENGINES[settings.language], needed)


def cmd_bench(args) -> int:
    from .bench.benchmark import run_bench

    _interrupt_on_sigterm()
    run_bench(render_settings(args), baseline_scene=args.baseline_scene)
    return 0


def cmd_verify(args) -> int:
    from . import review
    from .render.pipeline import layout_for

    outputs = layout_for(load_screenplay(args.screenplay), render_settings(args), args.build)
    report = review.verify(outputs.output, ocr=not args.no_ocr, hearing=not args.no_hearing)
    print(review.summary(report))
    return 1 if args.strict and report["problems"] else 0


def cmd_studio(args) -> int:
    from .screenplay import DEFAULT_PATH
    from .studio.run import run_studio

    run_studio(args.screenplay or DEFAULT_PATH, render_settings(args), host=args.host, port=args.port)
    return 0


def cmd_train(args) -> int:
    from .engine.report import train_all

    train_all(force=args.force)
    return 0


def cmd_edit_bench(args) -> int:
    from .bench.edit_loop import edit_bench

    return edit_bench(render_settings(args))


def cmd_engine_bench(args) -> int:
    from .engine.report import print_timings

    print_timings(retrain=args.retrain, n_pictures=args.pictures, repeats=args.repeats)
    return 0


def cmd_engine_metrics(args) -> int:
    from .engine.report import print_quality

    print_quality()
    return 0


def cmd_studio_loop(args, forwarded: list[str]) -> int:
    from .bench.studio_loop import main as studio_loop

    return studio_loop(forwarded)


def cmd_sound_check(args, forwarded: list[str]) -> int:
    from .review.sound_check import main as sound_check

    return sound_check(forwarded)


def cmd_speech_times(args) -> int:
    from .narration.measure import speech_times

    print(speech_times(load_screenplay(args.file), jobs=args.jobs))
    return 0


def _add_size_options(parser: argparse.ArgumentParser, quality: str | None = None) -> None:
    """Which video: its quality (or custom size) and its language."""
    from .core.settings import DEFAULT_LANGUAGE, DEFAULT_QUALITY, LANGUAGES, QUALITIES

    quality = quality or DEFAULT_QUALITY
    sizes = ", ".join(f"{k} {w}x{h} {fps} fps" for k, (w, h, fps) in QUALITIES.items())
    parser.add_argument("-q", "--quality", choices=list(QUALITIES), default=quality,
                        help=f"Manim's quality letter ({sizes}); default {quality}")
    parser.add_argument("-r", "--resolution", help="a custom frame size W,H instead of --quality (with --fps)")
    parser.add_argument("--fps", type=int, help="a custom frame rate (with --resolution)")
    parser.add_argument("--language", choices=list(LANGUAGES), default=DEFAULT_LANGUAGE,
                        help=f"the video's language ({', '.join(f'{k} {v}' for k, v in LANGUAGES.items())}); "
                             f"default {DEFAULT_LANGUAGE}. The English video speaks and subtitles the screenplay's en: "
                             f"texts and goes to its own folder, build/en/")


def _add_render_options(parser: argparse.ArgumentParser, quality: str | None = None) -> None:
    _add_size_options(parser, quality)
    parser.add_argument("--silent", action="store_true",
                        help="no speech: line lengths estimated, a silent audio track (also DIFFUSION_EXPLAINER_SILENT=1)")
    parser.add_argument("--no-music", action="store_true",
                        help="narration only: no music bed or sound effects (the scenes are not rendered again)")
    parser.add_argument("-j", "--jobs", type=int, default=0, help="scenes rendered at once (default: the number of cores)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="diffusion-explainer", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the screenplay and print its scene table")
    check.add_argument("file", nargs="?", help="screenplay YAML (default: script/diffusion_explainer.yaml)")
    check.add_argument("--screenplay", help=argparse.SUPPRESS)  # the same as FILE, as render spells it
    check.set_defaults(func=cmd_check)

    render = sub.add_parser("render", help="render the scenes that changed and join the video: "
                                           "build/diffusion_explainer.mp4 at the default quality in Japanese, "
                                           "build/<quality>/, build/en/, build/en/<quality>/ otherwise")
    _add_render_options(render)
    render.add_argument("--force", action="store_true", help="render every scene again, even unchanged ones")
    render.add_argument("--screenplay", metavar="FILE",
                        help="the screenplay to render (default: script/diffusion_explainer.yaml); another "
                             "screenplay's video goes to build/<its name>/")
    render.add_argument("--executor", choices=("local", "ray"), default="local",
                        help="where the chunks render: local processes (default), or Ray tasks on the cluster "
                             "in RAY_ADDRESS (a Ray instance on this machine when it is not set)")
    render.add_argument("--scene", action="append", metavar="ID",
                        help="render only this scene (repeatable), for a quick look: no join, no side files")
    render.add_argument("--timings", metavar="FILE",
                        help="also write what the render did and how long each part took, as JSON (the benches read it)")
    render.set_defaults(func=cmd_render)

    bench = sub.add_parser("bench", help="the render's speed figures, under build/bench/: from scratch, nothing "
                                         "changed, one line edited, chunks as jobs, a naive baseline scene")
    _add_render_options(bench)
    bench.add_argument("--baseline-scene", default="s03_forward",
                       help="the scene rendered the naive way for comparison (default s03_forward); 'none' skips it")
    bench.set_defaults(func=cmd_bench)

    edit_bench = sub.add_parser("edit-bench", help="the one-line edit and its undo, each timed from the render "
                                                   "command, under build/bench/ (480p15 unless told)")
    _add_render_options(edit_bench, quality="l")
    edit_bench.set_defaults(func=cmd_edit_bench)

    verify = sub.add_parser("verify", help="the full quality report on the last render (reads the subtitles back by "
                                           "OCR, hears the narration back by speech recognition)")
    verify.add_argument("--screenplay", metavar="FILE", help="the screenplay whose last render to check (default: "
                                                             "script/diffusion_explainer.yaml, in build/)")
    _add_size_options(verify)
    verify.add_argument("--build", help="the build folder of the render (default: build/ for the project's "
                                        "screenplay, build/<name>/ for another); the video of the quality and "
                                        "language asked is in its output folder there")
    verify.add_argument("--no-ocr", action="store_true", help="skip reading the burned-in subtitles back (no Tesseract)")
    verify.add_argument("--no-hearing", action="store_true", help="skip hearing every line of the narration back "
                                                                  "(Whisper base; about 0.6 s per second of speech)")
    verify.add_argument("--strict", action="store_true", help="exit with 1 when the report lists any problem")
    verify.set_defaults(func=cmd_verify)

    studio = sub.add_parser("studio", help="a live preview in a local web page: every save of the screenplay or a "
                                           "scene file is checked, rendered (what changed) and played from the "
                                           "first changed moment; lines can be reworded in the page")
    _add_render_options(studio, quality="l")  # previews: 480p15
    studio.add_argument("--screenplay", metavar="FILE",
                        help="the screenplay to preview and edit (default: script/diffusion_explainer.yaml)")
    studio.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this "
                                                            "machine only)")
    studio.add_argument("--port", type=int, default=8700, help="the port (default 8700; 0: any free port)")
    studio.set_defaults(func=cmd_studio)

    train = sub.add_parser("train", help="train the engine's models into the cache, or confirm they are there "
                                         "(a render does it when they are missing)")
    train.add_argument("--force", action="store_true", help="train again and replace the cached models")
    train.set_defaults(func=cmd_train)

    engine_bench = sub.add_parser("engine-bench", help="the engine's timings: each model's training, and "
                                                       "DDPM-1000 against DDIM-50 sampling")
    engine_bench.add_argument("--retrain", action="store_true",
                              help="measure training afresh in a temporary cache (and say whether the weights "
                                   "come out bit-identical to the cached ones) instead of reading the recorded times")
    engine_bench.add_argument("--pictures", type=int, default=16, help="pictures sampled per timing (default 16)")
    engine_bench.add_argument("--repeats", type=int, default=3, help="time each sampler this often, keep the best "
                                                                     "(default 3)")
    engine_bench.set_defaults(func=cmd_engine_bench)

    engine_metrics = sub.add_parser("engine-metrics", help="the trained models' quality numbers: fidelity, the "
                                                           "guidance sweep, the autoencoder's PSNR")
    engine_metrics.set_defaults(func=cmd_engine_metrics)

    # Its options are bench/studio_loop.py's own. Run as this package's __main__, so that the scene
    # jobs forked for it do not import the bench again (multiprocessing re-imports any other main module).
    studio_loop = sub.add_parser("studio-loop", add_help=False,
                                 help="the author's loop timed: edits made to a copy of the screenplay and its "
                                      "scene files, from the save to the studio's new preview (studio-loop --help)")
    studio_loop.set_defaults(func=cmd_studio_loop, forwards=True)

    # Its options are review/sound_check.py's own: everything after the command is handed to it.
    sound_check = sub.add_parser("sound-check", add_help=False,
                                 help="the last render's soundtrack against its targets: silences, loudness, true "
                                      "peak, the music under each voice, voice onsets; a spectrogram excerpt "
                                      "(sound-check --help for its options)")
    sound_check.set_defaults(func=cmd_sound_check, forwards=True)

    speech = sub.add_parser("speech-times", help="speak every line with the real voices: speaking rates, synthesis "
                                                 "time, the silent-mode estimate's error")
    speech.add_argument("file", nargs="?", help="screenplay YAML (default: script/diffusion_explainer.yaml)")
    speech.add_argument("-j", "--jobs", type=int, default=2, help="speech processes at once (default 2)")
    speech.set_defaults(func=cmd_speech_times)
    return parser


def _parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """The options, and what a forwarding command (sound-check) hands on; anything unknown to
    another command is refused as argparse refuses it."""
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and not getattr(args, "forwards", False):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    return args, rest


def main(argv: list[str] | None = None) -> int:
    args, forwarded = _parse(argv)
    try:
        return args.func(args, forwarded) if getattr(args, "forwards", False) else args.func(args)
    except CheckFailed as e:
        for problem in e.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(e.problems)} problem{'s' if len(e.problems) > 1 else ''}: nothing was rendered", file=sys.stderr)
        return 2
    except USER_ERRORS as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished files were kept, nothing half-written replaced them", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
