"""The soundtrack encoded in segments: it decodes like one whole encode (no click where two
encoders meet), to the exact length, and a change inside one segment re-encodes that segment only."""

import av
import numpy as np
import pytest

from diffusion_explainer.sound import aac_segments
from diffusion_explainer.sound.aac_segments import SegmentedEncoder, SegmentWorkers, segment_borders
from diffusion_explainer.sound.soundtrack import AAC_OPTIONS, AUDIO_BITRATE

RATE = 48000
SCENE_STARTS = [0, round(3.3 * RATE), round(7.1 * RATE)]  # not on AAC frames: borders are rounded up
TOTAL = 10 * RATE


def programme(seed=3):
    """Ten seconds of something like the mix: a chord with vibrato, and bursts of noise (consonants)
    that the encoder must code with short windows, one of them right at a scene change."""
    rng = np.random.default_rng(seed)
    t = np.arange(TOTAL) / RATE
    tones = sum(np.sin(2 * np.pi * hz * t + 3 * np.sin(2 * np.pi * 5 * t)) for hz in (220, 277, 330, 440))
    signal = 0.08 * tones
    for burst_s in (1.0, 3.3, 5.5, 7.1, 9.0):
        a = round(burst_s * RATE) - 300
        signal[a : a + 2400] += 0.1 * rng.standard_normal(2400) * np.hanning(2400)
    return np.column_stack([signal, 0.8 * signal]).astype(np.float32)


def encode(samples, cache, path):
    encoder = SegmentedEncoder(segment_borders(SCENE_STARTS, len(samples)), cache, RATE, AUDIO_BITRATE, AAC_OPTIONS)
    for i in range(0, len(samples), 30011):  # pushed in uneven blocks, as the limiter gives them
        encoder.push(samples[i : i + 30011])
    encoder.finish(path)
    return encoder


def decoded(path):
    """The samples, to the track's exact length: its duration says where the sound ends (a
    decoder hands out the last frame whole, padding and all)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = np.concatenate([f.to_ndarray() for f in container.decode(stream)], axis=1).T
        length = stream.duration * stream.time_base * RATE
    assert length.denominator == 1 and length <= len(samples) < length + 1024
    return samples[: int(length)]


def error_db(a, b):
    return 10 * np.log10(np.mean((a - b) ** 2) + 1e-20)


def junction_errors(tmp_path, source, name):
    encode(source, tmp_path / f"cache-{name}", tmp_path / f"{name}.m4a")
    spliced = decoded(tmp_path / f"{name}.m4a")
    assert spliced.shape == source.shape  # the exact length: priming and the short last frame handled
    borders = segment_borders(SCENE_STARTS, TOTAL)[1:-1]
    return [error_db(spliced[b - 512 : b + 512], source[b - 512 : b + 512]) for b in borders], spliced


def test_segments_meet_without_a_click(tmp_path):
    source = programme()
    encode(source, tmp_path / "cache", tmp_path / "spliced.m4a")
    whole = decoded(tmp_path / "spliced.m4a")
    # the same samples as one segment (no scene starts after 0): one encoder from start to end
    one = SegmentedEncoder([0, TOTAL], tmp_path / "one", RATE, AUDIO_BITRATE, AAC_OPTIONS)
    one.push(source)
    one.finish(tmp_path / "one.m4a")
    whole_once = decoded(tmp_path / "one.m4a")
    assert whole.shape == whole_once.shape == source.shape
    borders = segment_borders(SCENE_STARTS, TOTAL)[1:-1]
    assert borders == [158720, 340992]  # the first AAC frame border at or after 3.3 s and 7.1 s
    for b in borders:
        near = slice(b - 512, b + 512)
        # around each junction the spliced track is as close to the source as one encode is
        # (measured: the same to 0.1 dB, about -32 dB with the noise bursts there)
        assert error_db(whole[near], source[near]) <= error_db(whole_once[near], source[near]) + 1.0
    assert error_db(whole, source) <= error_db(whole_once, source) + 1.0


def test_without_the_post_roll_the_junction_clicks(tmp_path, monkeypatch):
    """The check above can fail: an encoder that does not see the frame after its segment leaves
    its last packet's window unfinished, and the junction's error rises far above the codec's."""
    source = programme()
    good, _ = junction_errors(tmp_path, source, "good")
    monkeypatch.setattr(aac_segments, "POST_ROLL", 0)
    bad, _ = junction_errors(tmp_path, source, "bad")
    assert min(b - g for g, b in zip(good, bad)) > 6.0  # measured: about 10 dB worse at both junctions


def test_a_change_inside_one_segment_encodes_that_segment_only(tmp_path):
    cache = tmp_path / "cache"
    source = programme()
    first = encode(source, cache, tmp_path / "a.m4a")
    assert first.encoded == [0, 1, 2] and first.reused == []
    again = encode(source, cache, tmp_path / "b.m4a")
    assert again.encoded == [] and again.reused == [0, 1, 2]
    assert (tmp_path / "a.m4a").read_bytes() == (tmp_path / "b.m4a").read_bytes()

    edited = source.copy()
    edited[5 * RATE : 6 * RATE] *= 0.5  # inside the second segment (3.3 s to 7.1 s), far from its borders
    changed = encode(edited, cache, tmp_path / "c.m4a")
    assert changed.encoded == [1] and changed.reused == [0, 2]
    out = decoded(tmp_path / "c.m4a")
    assert error_db(out, edited) == pytest.approx(error_db(decoded(tmp_path / "a.m4a"), source), abs=1.5)
    quieter = slice(5 * RATE + 2048, 6 * RATE - 2048)
    assert np.sqrt(np.mean(out[quieter] ** 2)) == pytest.approx(0.5 * np.sqrt(np.mean(source[quieter] ** 2)), rel=0.05)


def test_a_damaged_segment_is_reported_and_encoded_again_into_the_same_track(tmp_path, caplog):
    cache = tmp_path / "cache"
    source = programme()
    encode(source, cache, tmp_path / "a.m4a")
    kept = sorted(cache.glob("*.blob"), key=lambda p: p.stat().st_mtime_ns)
    assert len(kept) == 3
    damaged, size = kept[1], kept[1].stat().st_size  # the second segment's, the second one written
    with open(damaged, "r+b") as f:
        f.truncate(size // 3)
    with caplog.at_level("WARNING", logger="diffusion_explainer.cache"):
        again = encode(source, cache, tmp_path / "b.m4a")
    assert again.encoded == [1] and again.reused == [0, 2]
    assert [r.getMessage() for r in caplog.records] == [
        f"cache: cache/{damaged.stem} was damaged (size {size // 3:,} of {size:,} bytes); made again"]
    assert (tmp_path / "a.m4a").read_bytes() == (tmp_path / "b.m4a").read_bytes()
    assert damaged.stat().st_size == size


def test_a_track_not_fully_pushed_is_refused(tmp_path):
    encoder = SegmentedEncoder(segment_borders(SCENE_STARTS, TOTAL), tmp_path, RATE, AUDIO_BITRATE, AAC_OPTIONS)
    encoder.push(programme()[: TOTAL // 2])
    with pytest.raises(ValueError, match="samples"):
        encoder.finish(tmp_path / "x.m4a")
    assert not (tmp_path / "x.m4a").exists()


def test_the_last_stage_runs_on_each_segment_with_its_reach_and_only_when_encoding(tmp_path):
    """The true-peak limiter as the last stage: each segment is limited on its own window with the
    limiter's reach either side, which gives what limiting the whole would; a kept segment is not
    limited again."""
    from diffusion_explainer.narration.loudness import limit_true_peak, true_peak_db
    from diffusion_explainer.sound.limiter import limited, reach

    source = 4.0 * programme()  # loud: the limiter works at every burst, junctions included
    ceiling = 10 ** (-3.0 / 20)
    windows = []

    def shape(window):
        windows.append(len(window))
        return limited(window, RATE, ceiling)

    def encode_shaped(path):
        encoder = SegmentedEncoder(segment_borders(SCENE_STARTS, TOTAL), tmp_path / "cache", RATE, AUDIO_BITRATE,
                                   AAC_OPTIONS, shape=shape, reach=reach(RATE))
        for i in range(0, TOTAL, 40009):
            encoder.push(source[i : i + 40009])
        encoder.finish(path)

    encode_shaped(tmp_path / "a.m4a")
    assert len(windows) == 3
    one = SegmentedEncoder([0, TOTAL], tmp_path / "one", RATE, AUDIO_BITRATE, AAC_OPTIONS)
    one.push(limit_true_peak(source, RATE, ceiling).astype(np.float32))  # the whole limited at once
    one.finish(tmp_path / "one.m4a")
    spliced, whole = decoded(tmp_path / "a.m4a"), decoded(tmp_path / "one.m4a")
    for b in segment_borders(SCENE_STARTS, TOTAL)[1:-1]:
        near = slice(b - 512, b + 512)
        assert error_db(spliced[near], whole[near]) < error_db(whole[near], 0 * whole[near]) - 30  # the same sound
    assert true_peak_db(spliced) < true_peak_db(source) - 6
    encode_shaped(tmp_path / "b.m4a")
    assert len(windows) == 3  # every segment kept: nothing limited again


def _slow_shape(window):
    """A last stage that takes a minute: the render is stopped while a worker runs it."""
    import time

    time.sleep(60)
    return window


def test_segments_encoded_in_worker_processes_are_the_same_packets(tmp_path):
    source = programme()
    here = encode(source, tmp_path / "here", tmp_path / "here.m4a")
    with SegmentedEncoder(segment_borders(SCENE_STARTS, TOTAL), tmp_path / "apart", RATE, AUDIO_BITRATE, AAC_OPTIONS,
                          workers=2, in_thread=0) as apart:
        for i in range(0, TOTAL, 30011):
            apart.push(source[i : i + 30011])
        apart.finish(tmp_path / "apart.m4a")
    assert apart.encoded == [0, 1, 2] and sorted(apart.cpu_s) == [0, 1, 2]
    assert all(cpu > 0 for cpu in apart.cpu_s.values())  # measured in the workers
    assert sorted(here.cpu_s) == [0, 1, 2]
    assert (tmp_path / "apart.m4a").read_bytes() == (tmp_path / "here.m4a").read_bytes()


def test_an_encoder_starts_its_processes_only_for_more_segments_than_it_encodes_itself(tmp_path):
    """An edit's one to three changed segments are encoded in the mixing thread: no process is
    started (each would spend about 2 CPU-s importing); beyond that, the rest go to processes."""
    source = programme()
    encode(source, tmp_path / "here", tmp_path / "here.m4a")
    for in_thread, started in ((3, False), (1, True)):
        with SegmentedEncoder(segment_borders(SCENE_STARTS, TOTAL), tmp_path / f"first {in_thread}", RATE,
                              AUDIO_BITRATE, AAC_OPTIONS, workers=2, in_thread=in_thread) as encoder:
            encoder.push(source)
            processes = encoder.workers.processes()
            encoder.finish(tmp_path / f"{in_thread}.m4a")
        assert encoder.encoded == [0, 1, 2] and bool(processes) == started
        assert (tmp_path / f"{in_thread}.m4a").read_bytes() == (tmp_path / "here.m4a").read_bytes()


def test_a_stop_kills_the_workers_and_leaves_no_segment(tmp_path):
    import time

    class Stop(Exception):
        pass

    stopping = []

    def check(position):
        if stopping:
            raise Stop

    cache = tmp_path / "cache"
    started = time.monotonic()
    encoder = SegmentedEncoder(segment_borders(SCENE_STARTS, TOTAL), cache, RATE, AUDIO_BITRATE, AAC_OPTIONS, check,
                               shape=_slow_shape, workers=2, in_thread=0)
    with pytest.raises(Stop), encoder:
        encoder.push(programme())
        processes = encoder.workers.processes()
        stopping.append(True)  # Ctrl-C while the workers encode
        encoder.finish(tmp_path / "x.m4a")
    assert time.monotonic() - started < 30  # not the workers' minute
    assert processes and not any(p.is_alive() for p in processes)
    assert [p for p in cache.rglob("*") if p.is_file()] == [] and not (tmp_path / "x.m4a").exists()


def test_kept_workers_encode_one_soundtrack_after_another_and_are_closed_by_their_owner(tmp_path):
    """The studio's: the processes started for one encode serve the next, and leaving an encoder
    does not stop them."""
    source = programme()
    here = encode(source, tmp_path / "here", tmp_path / "here.m4a")
    workers = SegmentWorkers(2)
    try:
        pids = []
        for n, cache in enumerate(["first", "second"]):
            with SegmentedEncoder(segment_borders(SCENE_STARTS, TOTAL), tmp_path / cache, RATE, AUDIO_BITRATE,
                                  AAC_OPTIONS, workers=workers) as encoder:
                encoder.push(source)
                encoder.finish(tmp_path / f"{cache}.m4a")
            assert encoder.encoded == [0, 1, 2]
            assert (tmp_path / f"{cache}.m4a").read_bytes() == (tmp_path / "here.m4a").read_bytes()
            pids.append(sorted(p.pid for p in workers.processes()))
            assert all(p.is_alive() for p in workers.processes())
        assert pids[0] == pids[1]  # the same processes
    finally:
        processes = workers.processes()
        workers.close()
    assert processes and not any(p.is_alive() for p in processes)
    assert sorted(here.cpu_s) == [0, 1, 2]


def test_long_scenes_are_cut_into_segments_from_their_own_start():
    frame = aac_segments.AAC_FRAME
    starts, total = [0, 100 * frame + 7, 350 * frame], 400 * frame
    borders = segment_borders(starts, total, longest=120 * frame + 5)
    assert borders == [0, 101 * frame, 221 * frame, 341 * frame, 350 * frame, total]  # from each scene's start
    # a scene made longer moves no border of the scenes before it, nor its own inner ones
    longer = segment_borders([0, 100 * frame + 7, 380 * frame], 430 * frame, longest=120 * frame + 5)
    assert longer == [0, 101 * frame, 221 * frame, 341 * frame, 380 * frame, 430 * frame]
    # no segment shorter than a frame at a scene's end
    assert segment_borders([0], 240 * frame + 1, longest=120 * frame) == [0, 120 * frame, 240 * frame + 1]
    assert segment_borders(starts, total) == [0, 101 * frame, 350 * frame, total]  # scenes only
