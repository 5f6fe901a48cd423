"""The review page of the tiny test render, opened from file:// in headless Chromium: it loads with
no console error, the video plays from it with the right duration, its three tracks carry the
right numbers of cues, and the transcript, cue strip and chapter list seek the video; served by a
static web server on this machine it works the same. A screenshot is saved to
build/test-screenshots/ for a person to look at."""

import functools
import http.server
import threading

import numpy as np
import pytest
import srt
from PIL import Image
from selenium.webdriver.common.keys import Keys

from diffusion_explainer.core import runtime
from diffusion_explainer.timing.video_plan import plan_video

from .browser import chromium, wait_for

pytestmark = [pytest.mark.render, pytest.mark.full_video]
SCREENSHOTS = runtime.build_dir() / "test-screenshots"


@pytest.fixture(scope="module")
def page(tiny_render):
    outputs = tiny_render[0]
    with chromium() as driver:
        driver.get(outputs.page.as_uri())
        wait_for(driver, "document.getElementById('video').readyState >= 1", message="the video's metadata never loaded")
        wait_for(driver, "Array.from(document.getElementById('video').textTracks)"
                         ".every(t => t.cues && t.cues.length > 0)", message="a track loaded no cues")
        yield driver, outputs


def click(driver, element):
    """A click where a person would click: the element scrolled into the middle of its box (the
    transcript's sticky scene headings would cover it at the edge)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def track_cues(driver, kind):
    return driver.execute_script(
        "const t = Array.from(document.getElementById('video').textTracks).find(t => t.kind === arguments[0]);"
        "return Array.from(t.cues).map(c => [c.startTime, c.endTime, c.text]);", kind)


def test_the_page_loads_from_file_with_no_console_error(page):
    driver, _ = page
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    assert driver.title == "拡散モデルによる画像生成"


def test_the_video_plays_its_600_seconds(page):
    driver, _ = page
    duration = driver.execute_script("return document.getElementById('video').duration;")
    assert duration == pytest.approx(600.0, abs=0.05)


def test_the_tracks_have_a_cue_per_caption_page_scene_and_animation(page, screenplay):
    driver, outputs = page
    captions = list(srt.parse(outputs.srt.read_text(encoding="utf-8")))
    caption_cues = track_cues(driver, "captions")
    assert len(caption_cues) == len(captions)
    assert [round(c[0], 3) for c in caption_cues] == [c.start.total_seconds() for c in captions]

    chapters = track_cues(driver, "chapters")
    assert [c[2] for c in chapters] == [s.title for s in screenplay.scenes]
    assert [c[0] for c in chapters] == [s.start_s for s in screenplay.scenes]

    descriptions = track_cues(driver, "descriptions")
    assert [c[2] for c in descriptions] == [cue.animation for s in screenplay.scenes for cue in s.cues]


def test_clicking_a_transcript_line_seeks_to_its_start_and_highlights_it(page, screenplay):
    driver, outputs = page
    captions = list(srt.parse(outputs.srt.read_text(encoding="utf-8")))
    lines = driver.find_elements("css selector", "#transcript-lines .line")
    assert len(lines) == sum(len(s.lines) for s in screenplay.scenes)
    for element in [lines[1], lines[len(lines) // 3], lines[2 * len(lines) // 3], lines[-1]]:
        click(driver, element)
        now = driver.execute_script("return document.getElementById('video').currentTime;")
        speaker = element.find_element("css selector", ".speaker").text
        text = element.text.split(speaker, 1)[1]
        # the line's first caption page: the same speaker, the same first characters
        starts = [c.start.total_seconds() for c in captions if c.content.startswith(f"{speaker}: {text[:4]}")]
        assert starts, f"no caption starts with {speaker}: {text[:4]}"
        assert min(abs(now - s) for s in starts) <= 0.1, f"{text[:20]}: currentTime {now}, captions at {starts}"
        wait_for(driver, f"document.querySelectorAll('#transcript-lines .line')[{lines.index(element)}]"
                         ".classList.contains('current')", timeout_s=5, message="the clicked line is not highlighted")


def test_while_the_video_plays_the_spoken_line_is_highlighted(page):
    driver, _ = page
    lines = driver.find_elements("css selector", "#transcript-lines .line")
    click(driver, lines[5])
    driver.execute_script("const v = document.getElementById('video'); v.muted = true; v.play();")
    wait_for(driver, f"document.getElementById('video').currentTime > {float(lines[5].get_attribute('data-start')) + 1.0}",
             timeout_s=10, message="the video does not play")
    now, highlighted = driver.execute_script(
        "const v = document.getElementById('video'); v.pause();"
        "const c = document.querySelector('#transcript-lines .line.current');"
        "return [v.currentTime, c ? [parseFloat(c.dataset.start), parseFloat(c.dataset.end)] : null];")
    assert highlighted is not None and highlighted[0] <= now < highlighted[1]


def test_the_players_controls_are_under_the_picture_and_work(page):
    """The browser's own controls cover the bottom of a paused video, where the burned-in subtitles
    are: the page draws its own under it."""
    driver, _ = page
    video, bar = (driver.find_element("id", name) for name in ("video", "controls"))
    assert driver.execute_script("return arguments[0].controls;", video) is False
    picture = driver.execute_script("return arguments[0].getBoundingClientRect().bottom;", video)
    assert bar.is_displayed() and bar.rect["y"] >= picture - 1, "the controls overlap the picture"

    mute = driver.find_element("id", "mute")
    for _ in range(2):  # (an earlier test may have muted it)
        before = driver.execute_script("return arguments[0].muted;", video)
        click(driver, mute)
        assert driver.execute_script("return arguments[0].muted;", video) is (not before)
        label = "消音" if before else "音を出す"  # set on the volumechange event, which comes after the click
        wait_for(driver, f"document.getElementById('mute').textContent === '{label}'", timeout_s=5,
                 message=f"the mute button does not say {label}")
        if not before:
            break  # muted: it may play without a gesture's sound permission
    started = driver.execute_script("return arguments[0].currentTime;", video)
    click(driver, driver.find_element("id", "play"))
    wait_for(driver, f"document.getElementById('video').currentTime > {started + 0.5}", timeout_s=10,
             message="the play button does not play")
    assert driver.find_element("id", "play").text == "一時停止"
    click(driver, driver.find_element("id", "play"))
    assert driver.execute_script("return arguments[0].paused;", video) is True

    driver.execute_script("const s = document.getElementById('seek'); s.value = 300;"
                          "s.dispatchEvent(new Event('input'));")
    assert driver.execute_script("return arguments[0].currentTime;", video) == pytest.approx(300.0, abs=0.2)
    wait_for(driver, "document.getElementById('clock').textContent === '5:00 / 10:00'", timeout_s=5,
             message="the clock does not show the new time")
    video.send_keys(Keys.ARROW_RIGHT)
    assert driver.execute_script("return arguments[0].currentTime;", video) == pytest.approx(305.0, abs=0.2)


def test_the_cue_strip_and_the_chapters_seek_to_their_starts(page):
    driver, outputs = page
    plan = plan_video(outputs.settings)  # (scene 3: no other test edits it)
    forward = plan.scene_plan("s03_forward")
    first_cue = forward.timeline.cues[0]
    expected = (plan.start_frame("s03_forward") + first_cue.span.start) / plan.fps
    button = driver.find_element("css selector", f".cue[data-start='{expected:.3f}']")
    click(driver, button)
    assert driver.execute_script("return document.getElementById('video').currentTime;") == pytest.approx(expected, abs=0.1)
    image_loaded = driver.execute_script("const i = arguments[0].querySelector('img'); return i.complete && i.naturalWidth > 0;",
                                         button)
    assert image_loaded, "the cue's picture did not load"

    chapter = next(a for a in driver.find_elements("css selector", ".chapters a") if "前方過程" in a.text)
    click(driver, chapter)
    assert driver.execute_script("return document.getElementById('video').currentTime;") == pytest.approx(75.0, abs=0.1)


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the browser drops its range requests for the video early: not an error of the page


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_the_page_works_from_a_static_web_server_too(tiny_render):
    handler = functools.partial(QuietHandler, directory=str(tiny_render[0].output))
    server = QuietServer(("127.0.0.1", 0), handler)  # this machine only, any free port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with chromium() as driver:
            driver.get(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            wait_for(driver, "document.getElementById('video').readyState >= 1")
            wait_for(driver, "Array.from(document.getElementById('video').textTracks).every(t => t.cues && t.cues.length > 0)")
            assert driver.execute_script("return document.getElementById('video').duration;") == pytest.approx(600, abs=0.05)
            assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        server.shutdown()
        server.server_close()


def test_a_screenshot_of_the_page_is_saved(page):
    driver, _ = page
    lines = driver.find_elements("css selector", "#transcript-lines .line")
    click(driver, lines[len(lines) // 2])  # a picture with a caption in it, and a highlighted line
    driver.execute_script("window.scrollTo(0, 0);")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "review_page.png"
    driver.save_screenshot(str(path))
    with Image.open(path) as shot:
        pixels = np.asarray(shot.convert("L"), dtype=float)
    assert pixels.std() > 10, "the screenshot is blank"
    print(f"screenshot: {path}")
