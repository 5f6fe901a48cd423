"""The MP4's soft subtitle tracks (mov_text, one per language), read back with PyAV: on small real
H.264 files made with PyAV, and on the two-scene example rendered for real."""

import shutil
import subprocess

import av
import pytest
import srt

from diffusion_explainer.core.errors import RenderError
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.media.join import ScenePiece, SubtitleTrack
from diffusion_explainer.media.probe import probe, video_problems
from diffusion_explainer.render.pipeline import join_and_check

SETTINGS = RenderSettings.custom("256,144", 10, silent=True, music=False)

JAPANESE = SubtitleTrack("jpn", "Japanese", ((200, 1900, "シュウ: ノイズの話"), (2500, 4000, "ミク: {なるほど}\nふたつめ"),
                                             (4000, 5800, "シュウ: 三つ目")))
ENGLISH = SubtitleTrack("eng", "English", ((200, 1500, "Shu: About noise"), (2500, 3200, "Miku: I see!")))


def read_subtitles(path) -> dict[str, list[tuple[int, int, str]]]:
    """language -> (start ms, end ms, text) of every caption (the empty samples between them left out).
    A mov_text sample is its text's length in 2 bytes and the text (then any style boxes); PyAV's
    decoded `dialogue` would drop `{...}` as an ASS comment, which the file does not."""
    found = {}
    with av.open(str(path)) as container:
        streams = container.streams.subtitles
        for stream in streams:
            found[stream.metadata.get("language", "")] = []
        for packet in container.demux(*streams):
            sample = bytes(packet)
            if len(sample) <= 2:  # an empty sample (the gap before a caption) or the demuxer's flush
                continue
            length = int.from_bytes(sample[:2], "big")
            found[packet.stream.metadata.get("language", "")].append((
                round(packet.pts * packet.time_base * 1000), round((packet.pts + packet.duration) * packet.time_base * 1000),
                sample[2:2 + length].decode("utf-8")))
        for stream in streams:  # and PyAV's decoder reads every caption as text
            container.seek(0)
            texts = [s.dialogue.decode("utf-8") for p in container.demux(stream) if p.size > 2 for s in stream.decode(p)]
            assert len(texts) == len(found[stream.metadata.get("language", "")])
    return found


@pytest.fixture
def two_scenes(tiny_video):
    a, b = tiny_video("a.mp4", 20, colour=(200, 0, 0)), tiny_video("b.mp4", 40, colour=(0, 200, 0))
    return [ScenePiece("a", a, 0, 20, None), ScenePiece("b", b, 20, 40, None)]


def test_both_languages_come_back_tagged_and_timed_and_the_file_stays_on_spec(two_scenes, tmp_path):
    final = tmp_path / "out.mp4"
    facts = join_and_check(two_scenes, SETTINGS, 6, final, subtitles=[JAPANESE, ENGLISH])
    assert video_problems(facts, 256, 144, 10, 6) == []  # the text tracks change no length, grid or fast start
    assert [(t.language, t.codec, t.events) for t in facts.subtitles] == [("jpn", "mov_text", 3), ("eng", "mov_text", 2)]
    read = read_subtitles(final)
    assert read == {"jpn": list(JAPANESE.events), "eng": list(ENGLISH.events)}  # braces and rows as written
    with av.open(str(final)) as container:
        assert [s.metadata.get("handler_name") for s in container.streams.subtitles] == ["Japanese", "English"]
        assert len(container.streams.video) == len(container.streams.audio) == 1


@pytest.mark.skipif(not shutil.which("ffprobe"), reason="FFmpeg's command-line tools are not installed")
def test_ffprobe_sees_the_language_tags(two_scenes, tmp_path):
    final = tmp_path / "out.mp4"
    join_and_check(two_scenes, SETTINGS, 6, final, subtitles=[JAPANESE, ENGLISH])
    shown = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "s", "-show_entries",
                            "stream=codec_name:stream_tags=language", "-of", "csv=p=0", str(final)],
                           capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["mov_text,jpn", "mov_text,eng"]


def test_a_track_that_did_not_come_out_as_asked_refuses_the_file(two_scenes, tmp_path):
    final = tmp_path / "out.mp4"
    facts = join_and_check(two_scenes, SETTINGS, 6, final, subtitles=[JAPANESE])
    assert video_problems(facts, 256, 144, 10, 6, subtitles={"jpn": 3}) == []
    (problem,) = video_problems(facts, 256, 144, 10, 6, subtitles={"jpn": 3, "eng": 2})
    assert "jpn (3 captions)" in problem and "eng (2 captions)" in problem
    late = SubtitleTrack("eng", "English", ((5000, 6500, "Shu: past the end"),))
    with pytest.raises(RenderError, match="the eng subtitles end at 6.500 s, after the video"):
        join_and_check(two_scenes, SETTINGS, 6, tmp_path / "late.mp4", subtitles=[late])


@pytest.mark.render
def test_the_rendered_video_carries_the_japanese_and_english_captions(small_narrated_render):
    outputs = small_narrated_render[0]
    read = read_subtitles(outputs.video)
    assert list(read) == ["jpn", "eng"]
    for language, path in (("jpn", outputs.srt), ("eng", outputs.en_srt)):
        expected = [(s.start // srt.timedelta(milliseconds=1), s.end // srt.timedelta(milliseconds=1), s.content)
                    for s in srt.parse(path.read_text(encoding="utf-8"))]
        assert read[language] == expected and len(expected) >= 4, language
    assert outputs.en_vtt.read_text(encoding="utf-8").count("<v Shu>") == 3
    assert [(t.language, t.events) for t in probe(outputs.video).subtitles] == [("jpn", 4), ("eng", 5)]
