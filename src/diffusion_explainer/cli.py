"""The command line: `python -m diffusion_explainer check|render|...`.

User errors (a bad screenplay, a missing font) are caught here, once, and printed as one
paragraph with exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys

from .screenplay import ScreenplayError, format_clock, load_screenplay


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
    screenplay = load_screenplay(args.file)
    print(f"{screenplay.path}: valid — {screenplay.title}, {len(screenplay.scenes)} scenes, "
          f"{sum(len(s.lines) for s in screenplay.scenes)} lines, {sum(len(s.cues) for s in screenplay.scenes)} cues")
    print(scene_table(screenplay))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="diffusion-explainer", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate the screenplay and print its scene table")
    check.add_argument("file", nargs="?", help="screenplay YAML (default: script/diffusion_explainer.yaml)")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ScreenplayError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
