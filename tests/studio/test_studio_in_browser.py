"""The studio as an author uses it, in headless Chromium: a studio process on a copy of the two-scene
example (256x144, 10 fps, silent), its page opened with the printed address. The tests run in order
on the one studio: the first preview plays; a line reworded in the page changes exactly that line of
the YAML and the player reloads and plays from that line; a saved scene file is rendered again and
reloaded, and that edit undone draws nothing and reloads the earlier drawing; a broken screenplay
shows its problem with file:line while the last preview stays; nothing answers without the token,
nothing outside the build folder is served; Ctrl-C leaves no process."""

import http.client
import json
import time

import pytest

from ..review.browser import chromium, wait_for
from .studio_process import changed_lines, start_studio

pytestmark = pytest.mark.render
RENDER_S = 90  # the longest a preview may take on a loaded machine (it takes a few seconds)


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    running = start_studio(tmp_path_factory.mktemp("studio"))
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()
        print("".join(running.output))


@pytest.fixture(scope="module")
def page(studio):
    with chromium() as driver:
        driver.get(studio.url)
        yield driver


def state(driver) -> dict:
    return driver.execute_script("return state;")


def wait_for_preview(driver, version: int) -> dict:
    """Until the page's player plays preview `version`; what it said when it started."""
    wait_for(driver, f"window.studioPlaying && window.studioPlaying.version >= {version}", RENDER_S,
             f"preview {version} never played: {state(driver)['status']} {state(driver)['problems']}")
    return driver.execute_script("return window.studioPlaying;")


def test_the_first_preview_plays_from_the_start(page):
    played = wait_for_preview(page, 1)
    assert played["at"] < 0.5
    assert page.execute_script("return document.getElementById('player').duration;") == pytest.approx(20, abs=0.1)
    assert page.current_url.endswith("/")  # the token went into a cookie, out of the address


def test_a_line_reworded_in_the_page_changes_that_line_and_plays_from_it(page, studio, tmp_path):
    original = tmp_path / "before.yaml"
    original.write_bytes(studio.screenplay.read_bytes())
    row = page.find_element("css selector", '.beat.line[data-scene="s02_noise"][data-line="line02"]')
    page.execute_script("arguments[0].scrollIntoView({block: 'center'});", row)
    row.find_element("css selector", ".text").click()
    text = row.find_element("css selector", "textarea.edit-text")
    text.clear()
    text.send_keys("なるほど、よくわかった！")
    row.find_element("css selector", "button.save").click()

    played = wait_for_preview(page, 2)
    assert changed_lines(original, studio.screenplay) == ["-        text: なるほど！", "+        text: なるほど、よくわかった！"]
    line = next(b for s in state(page)["scenes"] if s["id"] == "s02_noise" for b in s["beats"] if b.get("id") == "line02")
    assert line["text"] == "なるほど、よくわかった！"
    preview = state(page)["preview"]
    assert preview["start_ms"] <= line["start_ms"]  # from the edited line (or an earlier redrawn chunk)
    assert played["at"] == pytest.approx(preview["start_ms"] / 1000, abs=0.2)
    assert "line02" in preview["why"] or "redrawn" in preview["why"]


def test_a_saved_scene_file_is_rendered_again_and_reloaded(page, studio):
    scene = studio.folder / "scenes" / "s02_noise.py"
    video = studio.folder.parent / "build" / "noise_in_two_scenes" / "studio" / "scenes" / "256x144p10-silent" / \
        "s02_noise.mp4"
    before = video.stat().st_mtime_ns
    version = state(page)["preview"]["version"]
    code = scene.read_text(encoding="utf-8")
    assert "self.clear_stage(run_time=1.0)" in code
    # a change to a cue method's code (a comment alone changes no chunk: render/cue_code.py)
    scene.write_text(code.replace("self.clear_stage(run_time=1.0)", "self.clear_stage(run_time=0.9)"), encoding="utf-8")
    wait_for_preview(page, version + 1)
    assert video.stat().st_mtime_ns != before
    assert "redrawn" in state(page)["preview"]["why"]


def test_a_scene_file_edit_undone_draws_nothing_and_plays_the_earlier_drawing(page, studio):
    scene = studio.folder / "scenes" / "s02_noise.py"
    edited = state(page)["preview"]
    code = scene.read_text(encoding="utf-8")
    assert "self.clear_stage(run_time=0.9)" in code  # (the test before changed it)
    scene.write_text(code.replace("self.clear_stage(run_time=0.9)", "self.clear_stage(run_time=1.0)"), encoding="utf-8")
    played = wait_for_preview(page, edited["version"] + 1)
    undone = state(page)["preview"]
    assert undone["jobs"] == 0 and "earlier drawing" in undone["why"]
    assert undone["start_ms"] == edited["start_ms"] and played["at"] == pytest.approx(edited["start_ms"] / 1000, abs=0.5)
    assert f"v={undone['version']}" in page.execute_script("return document.getElementById('player').src;")


def test_a_broken_screenplay_shows_its_problem_and_keeps_the_last_preview(page, studio):
    source = studio.screenplay.read_text(encoding="utf-8")
    playing = page.execute_script("return document.getElementById('player').src;")
    studio.screenplay.write_text(source.replace("- cue: closing", "- cue: sparkle"), encoding="utf-8")
    wait_for(page, "document.body.dataset.status === 'problems'", RENDER_S, "no problem was shown")
    shown = page.find_element("css selector", "#problem-list").text
    line = source[: source.index("- cue: closing")].count("\n") + 1
    assert f"noise_in_two_scenes.yaml:{line}" in shown and "sparkle" in shown, shown
    assert page.find_element("css selector", "#problems").is_displayed()
    player = page.execute_script("const p = document.getElementById('player');"
                                 "return {src: p.src, error: p.error, ready: p.readyState};")
    assert player == {"src": playing, "error": None, "ready": player["ready"]} and player["ready"] >= 2
    studio.screenplay.write_text(source, encoding="utf-8")  # fixed: the studio is ready again
    wait_for(page, "document.body.dataset.status === 'ready'", RENDER_S, "the studio did not recover")
    assert page.find_element("css selector", "#problems").is_displayed() is False


def request(studio, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """A raw request: the path goes out exactly as written (no client normalises `..`)."""
    connection = http.client.HTTPConnection("127.0.0.1", studio.port, timeout=30)
    connection.request(method, path, body=body, headers={"Host": f"127.0.0.1:{studio.port}", **(headers or {})})
    response = connection.getresponse()
    return response.status, response.read()


def test_nothing_answers_or_changes_without_the_token(page, studio):
    cookie = {"Cookie": f"studio_token={studio.token}"}
    before = studio.screenplay.read_bytes()
    edit = json.dumps({"scene": "s01_hello", "line": "line01", "was": "ねえ、今日は何の話？", "text": "変えた",
                       "say": ""}).encode()
    assert request(studio, "GET", "/api/state")[0] == 403
    assert request(studio, "GET", "/")[0] == 403
    assert request(studio, "GET", "/?token=wrong")[0] == 403
    assert request(studio, "GET", "/build/noise_in_two_scenes.mp4")[0] == 403
    assert request(studio, "POST", "/api/line", {"Content-Type": "application/json"}, edit)[0] == 403
    assert request(studio, "POST", "/api/line", {**cookie, "Content-Type": "application/json"}, edit)[0] == 403
    assert request(studio, "POST", "/api/line", {**cookie, "X-Studio-Token": "wrong"}, edit)[0] == 403
    assert request(studio, "GET", "/api/state", {**cookie, "Host": "attacker.example"})[0] == 403
    assert studio.screenplay.read_bytes() == before
    assert request(studio, "GET", "/api/state", cookie)[0] == 200  # the control: with the token it answers


@pytest.mark.parametrize("path", [
    "/build/../../screenplay/noise_in_two_scenes.yaml",
    "/build/..%2F..%2F..%2Fscreenplay%2Fnoise_in_two_scenes.yaml",
    "/build/%2e%2e/%2e%2e/%2e%2e/screenplay/noise_in_two_scenes.yaml",
    "/build/..%252F..%252Fscreenplay%252Fnoise_in_two_scenes.yaml",
    "/build//etc/passwd",
    "/build/%2Fetc%2Fpasswd",
    "/build/.render.lock",
    "/build/..%2Fscenes%2F256x144p10-silent%2Fmanifest.json",  # the studio's build folder, not the preview's own
    "/static/..%2Fserver.py",
    "/static/%2e%2e%2fserver.py",
])
def test_a_path_outside_the_build_is_refused(page, studio, path):
    status, body = request(studio, "GET", path, {"Cookie": f"studio_token={studio.token}"})
    assert status in (403, 404), (path, status, body[:200])
    assert b"root:" not in body and "ノイズ".encode() not in body and b"import" not in body


def test_the_build_serves_its_video_with_ranges(page, studio):
    status, body = request(studio, "GET", "/build/noise_in_two_scenes.mp4",
                           {"Cookie": f"studio_token={studio.token}", "Range": "bytes=0-99"})
    assert status == 206 and len(body) == 100


def test_ctrl_c_stops_it_with_no_process_left(page, studio):
    page.get("about:blank")  # (its event stream would end anyway)
    assert len(studio.marked_processes()) >= 2  # the studio and its forkserver, at least
    started = time.monotonic()
    assert studio.stop() == 0
    deadline = time.monotonic() + 20
    while studio.marked_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert studio.marked_processes() == []
    assert "studio: stopped" in "".join(studio.output)
    print(f"stopped in {time.monotonic() - started:.1f} s")
