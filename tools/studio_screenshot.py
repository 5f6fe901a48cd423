"""The studio's screenshot for the README (docs/studio.png) and its speed: from a save to the page
playing the new preview.

    .venv/bin/python tools/studio_screenshot.py [--quality l|tiny] [--speech] [--edits N] [--out docs/studio.png]

It starts the studio as `make studio` does, on a copy of the two-scene example
(tests/data/two_scenes/) in a temporary folder, opens its page in headless Chromium, and then:
1. changes a cue method of a scene file N times and times each from the write to the player playing;
2. rewords a line in the page N times (a new wording each time) and times each from the click on
   Save to the player playing the new preview (the page's own clock);
3. takes the screenshot (the page after the last edit, the player paused on a frame with a
   subtitle), reduced to a palette PNG under 150 KB.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.review.browser import chromium, wait_for  # (the checkout's own helpers, found by the path above)
from tests.studio.studio_process import TINY, start_studio

WORDINGS = ["なるほど！", "なるほど、よくわかった！", "へえ、なるほどね！", "そういうことか！", "なるほど、おもしろい！"]


def played(driver, version: int) -> dict:
    wait_for(driver, f"window.studioPlaying && window.studioPlaying.version >= {version}", 300,
             f"preview {version} never played")
    return driver.execute_script("return window.studioPlaying;")


def version(driver) -> int:
    return driver.execute_script("return state.preview ? state.preview.version : 0;")


def edit_in_page(driver, text: str) -> float:
    """Reword s02_noise's line02 in the page; seconds from the click on Save to the new preview playing."""
    before = version(driver)
    row = driver.find_element("css selector", '.beat.line[data-scene="s02_noise"][data-line="line02"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", row)
    row.find_element("css selector", ".text").click()
    box = row.find_element("css selector", "textarea.edit-text")
    box.clear()
    box.send_keys(text)
    clicked = driver.execute_script("return Date.now();")
    row.find_element("css selector", "button.save").click()
    return (played(driver, before + 1)["wall"] - clicked) / 1000


def save_scene_file(driver, scene: Path, n: int) -> float:
    """Change s02_noise's last cue (how long its stage takes to clear) and save; seconds from the
    write to the new preview playing. (A comment alone changes no chunk: render/cue_code.py.)"""
    before = version(driver)
    code = scene.read_text(encoding="utf-8")
    cleared = re.search(r"self\.clear_stage\(run_time=([0-9.]+)\)", code)
    if cleared is None:
        raise LookupError(f"{scene} has no self.clear_stage(run_time=...) to change")
    changed = code[: cleared.start(1)] + ("0.9" if cleared.group(1) != "0.9" else "0.8") + code[cleared.end(1):]
    saved = driver.execute_script("return Date.now();")
    scene.write_text(changed, encoding="utf-8")
    return (played(driver, before + 1)["wall"] - saved) / 1000


def shrink(png: Path, width: int = 1100) -> None:
    from PIL import Image

    image = Image.open(png).convert("RGB")
    image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(png, optimize=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", choices=("l", "tiny"), default="l", help="l: 480p15 (make studio's); tiny: 256x144 10 fps")
    parser.add_argument("--speech", action="store_true", help="narrated (an edited line is spoken anew); default silent")
    parser.add_argument("--edits", type=int, default=3, help="edits timed of each kind (default 3)")
    parser.add_argument("--out", type=Path, help="where to write the screenshot (default: none)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="studio-shot-") as tmp:
        studio = start_studio(Path(tmp), TINY if args.quality == "tiny" else ("--quality", "l"), silent=not args.speech)
        try:
            with chromium() as driver:
                driver.set_window_size(1440, 900)
                t = time.monotonic()
                driver.get(studio.url)
                played(driver, 1)
                print(f"first preview playing {time.monotonic() - t:.1f} s after the page opened")
                saves = [save_scene_file(driver, studio.folder / "scenes" / "s02_noise.py", i) for i in range(args.edits)]
                edits = [edit_in_page(driver, WORDINGS[(i + 1) % len(WORDINGS)]) for i in range(args.edits)]
                for name, times in (("line edited in the page", edits), ("scene file saved", saves)):
                    print(f"{name}: save -> playing {', '.join(f'{s:.2f}' for s in times)} s "
                          f"(median {statistics.median(times):.2f} s)")
                print("the studio's own figure (save -> joined video):",
                      driver.execute_script("return state.preview.render_s;"), "s;",
                      driver.execute_script("return state.preview.jobs;"), "jobs,",
                      driver.execute_script("return state.preview.job_cpu_s;"), "CPU-s in them")
                if args.out:
                    driver.execute_script("const p = document.getElementById('player'); p.pause();"
                                          "p.currentTime = 11.5; document.querySelector('details.log').open = true;")
                    wait_for(driver, "document.getElementById('player').readyState >= 2 && "
                                     "!document.getElementById('player').seeking")
                    args.out.parent.mkdir(parents=True, exist_ok=True)
                    driver.save_screenshot(str(args.out))
                    shrink(args.out)
                    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")
        finally:
            studio.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
