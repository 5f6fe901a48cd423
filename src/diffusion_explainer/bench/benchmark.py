"""`bench`: how fast the whole video renders, and against what.

In one run, under build/bench/ (the real build is not touched):
1. the whole video rendered from scratch (every scene forced, and the soundtrack, its segments,
   its music bed, its measures and the cue stills made anew: only the speech, the trained models
   and the demos' results stay cached), end to end: wall seconds per second of video for each
   scene and the whole, CPU seconds, peak memory of the manim processes;
2. the same command again with nothing changed (the incremental path), then with the last line of
   Scene 05 reworded in a copy of the screenplay, in words spoken for the first time (only the
   chunks from that line on should render again), and back: both timed from the command, in a
   process of their own, as an author runs them (edit_loop.py);
3. every chunk rendered again as its own job, as on a cluster (stories resumed from the states
   the first render saved): the CPU seconds of each chunk, and from them the wall time predicted
   at 2, 8, 32 and 128 CPUs (schedule.py), for chunks and for whole scenes as jobs;
4. one scene's chunks rendered by the local pool and by a local Ray instance: the same jobs;
5. one scene rendered alone our way, and alone the naive way (baseline.py: updater-driven
   subtitles, Manim's own play/wait, Manim's defaults), reported as a ratio.
The machine's load average is printed with the numbers: on a shared machine they move with it.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ..core import runtime
from ..core.files import write_text
from ..core.runtime import SILENT_ENV
from ..core.settings import RenderSettings
from ..media.probe import probe
from ..render.jobs import watch
from ..render.pipeline import layout_for, render_video
from ..render.progress import Progress, clock
from ..screenplay import load_screenplay
from ..timing.video_plan import plan_video
from .baseline import BASELINE_ENV
from .edit_loop import run_edit_loop
from .edit_loop import summary as edit_summary
from .predictions import predictions

BASELINE_FILE = Path(__file__).with_name("baseline_scene.py")


def _load() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


CPUS = (2, 8, 32, 128)


def run_bench(settings: RenderSettings, baseline_scene: str | None = "s03_forward", root: Path | None = None,
              ray_scene: str = "s03_forward") -> dict:
    root = Path(root) if root is not None else runtime.build_dir() / "bench"
    progress = Progress()
    results: dict = {"settings": settings.key, "jobs": settings.jobs, "load_before": os.getloadavg()}
    progress.say(f"bench: {settings.describe()}, {settings.jobs} at a time, in {root} ({_load()})")

    # 1. everything from scratch: the scenes are forced; the sound and stills made from them too
    outputs = layout_for(load_screenplay(), settings, root)
    for made in (outputs.sound_cache, outputs.stills_cache):
        shutil.rmtree(made, ignore_errors=True)
    outputs.sound_measures.unlink(missing_ok=True)
    full = render_video(settings, root=root, force=True, progress=progress)
    peak_children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results["scenes"] = per_scene(full.rendered, settings.fps)
    video_s = sum(s["video_s"] for s in results["scenes"])
    results["full"] = dict(video_s=video_s, wall_s=round(full.wall_s, 1), wall_per_video_s=round(full.wall_s / video_s, 3),
                           scenes_wall_s=round(full.scenes_wall_s, 1), join_s=round(full.join_s, 1),
                           side_files_s=round(full.side_files_s, 1), cpu_s=round(sum(r.cpu_s for r in full.rendered), 1),
                           sound_cpu_s=round(full.sound_cpu_s, 1), sound_segments_cpu_s=full.sound_segments_cpu_s,
                           peak_rss_mb=round(max(r.peak_rss_mb for r in full.rendered)),
                           peak_rss_children_mb=round(peak_children_mb), jobs=len(full.rendered))

    # 2. nothing changed. In a checkout others are editing, code can change during the long run
    # above: a first pass catches up (and says what it rendered), the second is the measurement.
    again = render_video(settings, root=root, progress=Progress(quiet=True))
    results["catch_up"] = {sid: list(why) for sid, why in again.reasons.items()}
    if again.reasons:
        progress.say(f"  (the checkout changed during the bench: {len(again.reasons)} scenes rendered again)")
        again = render_video(settings, root=root, progress=Progress(quiet=True))
    results["no_change_s"] = round(again.wall_s, 2)
    results["no_change_rendered"] = {sid: list(why) for sid, why in again.reasons.items()}  # should be empty

    edit = run_edit_loop(settings, root)
    if edit:
        results["one_line_edit"] = edit

    # 3. what each chunk costs as a job of its own, and what that predicts on more CPUs
    # The soundtrack (mix, encode) and the page's sound measures run beside the scenes on the
    # machine that joins: the mix, then the measures, one after the other (more CPUs do not
    # shorten them), and the segments the mix hands to processes of their own as it goes. So the
    # chain is one job (the mix, its longest segment, the measures) and each other segment one more.
    serial_s = results["full"]["join_s"] + results["full"]["side_files_s"]
    sound_jobs = sound_chain(results["full"]["sound_cpu_s"], results["full"]["sound_segments_cpu_s"])
    results["chunks"] = _chunk_costs(settings, root, progress)
    results["predicted"] = {
        "serial_s": round(serial_s, 1), "sound_job_s": sound_jobs[0], "sound_segment_jobs_s": sound_jobs[1:],
        "chunks": predictions([j["cpu_s"] for j in results["chunks"]["jobs"]] + sound_jobs, CPUS, serial_s),
        "whole_scenes": predictions([s["cpu_s"] for s in results["scenes"]] + sound_jobs, CPUS, serial_s)}

    # 4. the same jobs on the local pool and on Ray
    results["local_vs_ray"] = _local_vs_ray(settings, root / "executors", ray_scene, progress)

    # 5. one scene alone, ours and naive
    if baseline_scene and baseline_scene != "none":
        results["baseline"] = _baseline(settings, baseline_scene, root, progress)
    results["load_after"] = os.getloadavg()

    write_text(root / f"bench-{settings.key}.json", json.dumps(results, indent=1))
    progress.say(summary(results))
    return results


def sound_chain(total_s: float, segments_s: list[float]) -> list[float]:
    """The soundtrack's work as jobs: first the chain that cannot be split (all but the segments
    encoded apart, and the longest of those, which ends it at the latest), then the other segments."""
    rest = sorted(segments_s, reverse=True)
    return [round(total_s - sum(rest[1:]), 1)] + [round(s, 1) for s in rest[1:]]


def _chunk_costs(settings: RenderSettings, root: Path, progress: Progress) -> dict:
    """Every chunk drawn again as a job of its own (a start-up, the story resumed from the last
    state saved before it, its frames): what one CPU of a cluster spends on it."""
    progress.say("  every chunk again as its own job (what each costs on a cluster's CPU)")
    report = render_video(settings, root=root, force=True, keep_states=True, chunks_per_job=1, progress=progress)
    jobs = [dict(job=r.name, scene=r.scene_id, video_s=round(r.frames / settings.fps, 2), cpu_s=round(r.cpu_s, 2),
                 wall_s=round(r.wall_s, 2), peak_rss_mb=round(r.peak_rss_mb)) for r in report.rendered]
    costs = sorted(j["cpu_s"] for j in jobs)
    return dict(wall_s=round(report.wall_s, 1), jobs=jobs, count=len(jobs), cpu_s=round(sum(costs), 1),
                largest_cpu_s=costs[-1], median_cpu_s=costs[len(costs) // 2],
                largest=max(jobs, key=lambda j: j["cpu_s"])["job"])


def _local_vs_ray(settings: RenderSettings, root: Path, scene_id: str, progress: Progress) -> dict | None:
    """One scene's chunks, each its own job, by the local pool and then by a local Ray instance
    (started here, so its start-up is in its time)."""
    try:
        import ray  # noqa: F401  (the optional extra)
    except ImportError:
        progress.say("  (Ray is not installed: `pip install -e '.[ray]'` to compare the executors)")
        return None
    out = {"scene": scene_id}
    render_video(settings, root=root, only=[scene_id], progress=Progress(quiet=True))  # its states, saved once
    for name in ("local", "ray"):
        progress.say(f"  {name:<7} {scene_id}, every chunk its own job")
        report = render_video(settings, root=root, force=True, keep_states=True, chunks_per_job=1, only=[scene_id],
                              executor=name, progress=Progress(quiet=True))
        out[name] = dict(wall_s=round(report.wall_s, 1), jobs=len(report.rendered),
                         cpu_s=round(sum(r.cpu_s for r in report.rendered), 1))
    out["ratio_wall"] = round(out["ray"]["wall_s"] / max(out["local"]["wall_s"], 1e-9), 2)
    return out


def _baseline(settings: RenderSettings, scene_id: str, root: Path, progress: Progress) -> dict:
    # ours, alone: the same command the render uses, into a scratch directory
    scratch = root / "baseline"
    shutil.rmtree(scratch / "ours", ignore_errors=True)
    plan = plan_video(settings, only=[scene_id])
    started = time.monotonic()
    alone = render_video(settings, root=scratch / "ours", force=True, progress=Progress(quiet=True), only=[scene_id])
    ours = type("Ours", (), dict(wall_s=time.monotonic() - started, cpu_s=sum(r.cpu_s for r in alone.rendered),
                                 peak_rss_mb=max(r.peak_rss_mb for r in alone.rendered)))
    frames = plan.scene_plan(scene_id).timeline.total_frames

    # naive, alone: one manim process with Manim's defaults (cache on, default encoder)
    media = scratch / "naive"
    shutil.rmtree(media, ignore_errors=True)
    command = [sys.executable, "-m", "manim", "render", *settings.manim_size_args(), "--media_dir", str(media),
               "-o", f"naive_{scene_id}", str(BASELINE_FILE), "NaiveScene"]
    env = dict(os.environ, **{BASELINE_ENV: scene_id, SILENT_ENV: "1" if settings.silent else "0"})
    progress.say(f"  naive   {scene_id} (the baseline: updater subtitles, Manim's defaults)")
    started = time.monotonic()
    log_path = scratch / f"naive_{scene_id}.log"
    with open(log_path, "w", encoding="utf-8") as log:
        child = subprocess.Popen(command, cwd=runtime.REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
        status, cpu_s, peak_mb = watch(child)
    wall = time.monotonic() - started
    naive: dict = dict(wall_s=round(wall, 1), cpu_s=round(cpu_s, 1), peak_rss_mb=round(peak_mb), exit=status,
                       log=str(log_path))
    videos = [p for p in media.rglob(f"naive_{scene_id}.mp4") if "partial_movie_files" not in p.parts]
    if videos:
        naive["frames"] = probe(videos[0]).frames
    progress.say(f"  done    naive {scene_id} in {clock(wall)} (exit {status})")
    complete = status == 0 and naive.get("frames") == frames  # a naive run that failed has no ratio
    return dict(scene=scene_id, video_s=frames / settings.fps, planned_frames=frames,
                ours=dict(wall_s=round(ours.wall_s, 1), cpu_s=round(ours.cpu_s, 1), peak_rss_mb=round(ours.peak_rss_mb)),
                naive=naive, ratio_wall=round(wall / ours.wall_s, 2) if complete else None,
                ratio_cpu=round(cpu_s / max(ours.cpu_s, 1e-9), 2) if complete else None)


def per_scene(runs, fps: int) -> list[dict]:
    """The jobs of a render summed per scene: video seconds, wall (the longest job), CPU, peak."""
    scenes: dict[str, list] = {}
    for run in runs:
        scenes.setdefault(run.scene_id, []).append(run)
    rows = []
    for scene_id, jobs in scenes.items():
        video_s = sum(j.frames for j in jobs) / fps
        wall = max(j.wall_s for j in jobs)
        rows.append(dict(scene=scene_id, video_s=round(video_s, 1), wall_s=round(wall, 1), jobs=len(jobs),
                         wall_per_video_s=round(wall / max(video_s, 1e-9), 3), cpu_s=round(sum(j.cpu_s for j in jobs), 1),
                         peak_rss_mb=round(max(j.peak_rss_mb for j in jobs))))
    return rows


def summary(results: dict) -> str:
    rows = [f"bench {results['settings']} ({results['jobs']} at a time; load average before "
            f"{results['load_before'][0]:.1f}, after {results['load_after'][0]:.1f}):",
            f"  {'scene':<16} {'video s':>7} {'wall s':>7} {'s/s':>6} {'cpu s':>7} {'peak MB':>8}"]
    for s in results["scenes"]:
        rows.append(f"  {s['scene']:<16} {s['video_s']:>7} {s['wall_s']:>7} {s['wall_per_video_s']:>6.2f} "
                    f"{s['cpu_s']:>7} {s['peak_rss_mb']:>8}")
    f = results["full"]
    rows.append(f"  {'whole video':<16} {f['video_s']:>7} {f['wall_s']:>7} {f['wall_per_video_s']:>6.2f} {f['cpu_s']:>7} "
                f"{f['peak_rss_mb']:>8}   (scenes {f['scenes_wall_s']} s, join {f['join_s']} s, side files "
                f"{f['side_files_s']} s; soundtrack and its measures {f.get('sound_cpu_s', '?')} CPU s beside the scenes)")
    rows.append(f"  peak MB: each manim process's own VmHWM; getrusage(RUSAGE_CHILDREN) says "
                f"{f['peak_rss_children_mb']} MB, which also counts this process's memory at each fork")
    if results.get("catch_up"):
        what = "; ".join(f"{scene} ({', '.join(why)})" for scene, why in results["catch_up"].items())
        rows.append(f"  (changed in the checkout during the bench and rendered again before measuring: {what})")
    moved = results.get("no_change_rendered") or {}
    if moved:  # the checkout changed while the bench ran (others at work): say what moved
        what = "; ".join(f"{scene} ({', '.join(why)})" for scene, why in moved.items())
        rows.append(f"  no-change re-render: {results['no_change_s']} s, but it rendered {what}")
    else:
        rows.append(f"  no-change re-render: {results['no_change_s']} s, nothing rendered")
    if results.get("one_line_edit"):
        rows += edit_summary(results["one_line_edit"])
    c = results.get("chunks")
    if c:
        rows.append(f"  every chunk its own job: {c['count']} jobs, {c['cpu_s']} CPU s in all (whole scenes: "
                    f"{results['full']['cpu_s']}), median {c['median_cpu_s']} s, largest {c['largest_cpu_s']} s "
                    f"({c['largest']}); {c['wall_s']} s wall here")
        p = results["predicted"]
        apart = p.get("sound_segment_jobs_s") or []
        rows.append(f"  predicted wall s (longest first; the soundtrack's mix and its measures one more job of "
                    f"{p.get('sound_job_s', '?')} s" + (f" and {len(apart)} segment encodes of {sum(apart):.1f} s" if apart else "")
                    + f"; + {p['serial_s']} s join and side files):")
        rows.append("    CPUs          " + "".join(f"{n:>8}" for n in CPUS))
        for what in ("chunks", "whole_scenes"):
            rows.append(f"    {what.replace('_', ' '):<14}" + "".join(f"{p[what].get(n, p[what].get(str(n))):>8}" for n in CPUS))  # (str: read back from JSON)
    r = results.get("local_vs_ray")
    if r:
        rows.append(f"  same jobs ({r['scene']}, {r['local']['jobs']} chunks): local pool {r['local']['wall_s']} s, "
                    f"Ray {r['ray']['wall_s']} s incl. its start-up (ray/local = {r['ratio_wall']}x)")
    b = results.get("baseline")
    if b and b["ratio_wall"] is None:
        rows.append(f"  baseline {b['scene']}: the naive run FAILED (exit {b['naive']['exit']}, "
                    f"{b['naive'].get('frames', 0)} of {b['planned_frames']} frames; {b['naive']['log']}): no ratio")
    elif b:
        rows.append(f"  baseline {b['scene']} alone: ours {b['ours']['wall_s']} s wall / {b['ours']['cpu_s']} s CPU, "
                    f"naive {b['naive']['wall_s']} s / {b['naive']['cpu_s']} s ({b['naive'].get('frames', '?')} frames "
                    f"of {b['planned_frames']} planned): naive/ours = {b['ratio_wall']}x wall, {b['ratio_cpu']}x CPU")
    return "\n".join(rows)
