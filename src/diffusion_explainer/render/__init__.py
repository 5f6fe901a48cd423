"""Rendering the whole video: the eight scenes in parallel Manim processes, each reused while its
inputs are unchanged, joined into one file with its narration, checked, and the side files
(captions, chapters, thumbnail, contact sheet) written beside it.

    render_video(settings)   the `render` command (pipeline.py)
    run_bench(settings)      the `bench` command (bench.py)
"""
