"""Parsed SVGs kept on disk, so that the processes rendering a video parse each text and formula once.

Every `Text`, `MathTex` and subtitle page is an SVG file that Manim parses into curves
(`SVGMobject.generate_mobject`: the XML, then svgelements, then a VMobject per path), 0.05-0.4
CPU-seconds each. A chunk's process builds every mobject of the cues it runs through, so a video
rendered in chunks parsed the same files many times over. Manim keeps parsed SVGs in memory for
the life of a process (`SVG_HASH_TO_MOB_MAP`, a deep copy to keep and one per use); this keeps them
pickled, in memory and in the cache's store (core/store.py), keyed by the file's bytes, the style
Manim parses it with and Manim's version, and hands out a fresh copy of them, as Manim's own cache
does. A pickled copy holds the same float arrays, so the frames are the same
(tests/scene/test_svg_cache.py renders a scene with the cache cold and warm).

Each of a text's glyphs also keeps the svgelements path it was made from (`path_obj`: thousands of
small Python objects for a line of text), which Manim reads only while it makes the glyph's
curves. Kept, it is copied with every copy of the text: 29 ms to copy one caption of 27 glyphs,
and a FadeIn or Transform copies what it moves, so about a fifth of a scene job's CPU (measured on
s05) goes to copying paths nobody reads. The paths are let go once the curves are made
(`_drop_paths`): the copy takes 2-3 ms, and the pickles kept here are smaller.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from ..core.keys import digest
from ..core.store import Store

VERSION = 2  # 2: the glyphs' svgelements paths are not kept (_drop_paths)
# What cache/svg may hold, the least recently used let go first (each Manim process prunes as it
# starts: 20 ms for 2,000 entries). Measured on the two-scene example: 17 texts, 10-220 kB each,
# 1 MB in all; the video's 82 subtitle pages with its titles, labels and formulas are a few
# hundred, a few tens of MB: the budget holds the entries of many edits.
MAX_BYTES = 256 * 2**20
_memory: dict[str, bytes] = {}  # what this process read or made, pickled


def _key(mobject) -> str | None:
    import manim
    from manim import config

    try:
        data = mobject.get_file_path().read_bytes()
    except (OSError, ValueError):
        return None
    seed = repr((VERSION, manim.__version__, type(mobject).__name__, mobject.svg_default, mobject.path_string_config,
                 mobject.generate_config_style_dict(), str(config.renderer)))
    return digest(seed.encode() + data)


def _keep(store: Store, key: str, mobject) -> bytes | None:
    try:
        data = pickle.dumps(mobject, protocol=pickle.HIGHEST_PROTOCOL)
        store.put_bytes(key, data)
        return data
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return None  # not kept: the next process parses it again


def _drop_paths(mobject) -> None:
    """Let go of the svgelements path each glyph was parsed from (VMobjectFromSVGPath.path_obj): Manim
    reads it only in generate_points, when the glyph is made, and every copy of the glyph copied it."""
    for part in mobject.get_family():
        if getattr(part, "path_obj", None) is not None:
            part.path_obj = None


def install(folder: Path) -> None:
    """Make every SVGMobject of this process take its parsed curves from the store in `folder`
    when there, and let the least recently used go beyond MAX_BYTES."""
    from manim.mobject.svg.svg_mobject import SVGMobject

    if getattr(SVGMobject.generate_mobject, "_disk_cached", False):
        return
    store = Store(folder, max_bytes=MAX_BYTES)
    store.prune()
    parse = SVGMobject.generate_mobject

    def generate_mobject(self):
        key = _key(self)
        data = None if key is None else _memory.get(key) or store.get_bytes(key)
        if data is not None:
            try:
                # a fresh copy, as Manim's own cache hands one out; unpickling is about ten times
                # faster than Mobject.copy's deep copy
                kept = pickle.loads(data)
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
                store.discard(key, "cannot be unpickled")  # parsed again below, and kept again
                kept = None
            if kept is not None:
                _memory[key] = data
                self.add(*kept.submobjects)
                self.id_to_vgroup_dict = kept.id_to_vgroup_dict
                return self
        parse(self)
        _drop_paths(self)
        if key is not None:
            data = _keep(store, key, self)
            if data is not None:
                _memory[key] = data
        return self

    def init_svg_mobject(self, use_svg_cache: bool):
        # in place of Manim's in-memory cache, which deep-copies every SVG it parses to keep it
        return self.generate_mobject()

    generate_mobject._disk_cached = True
    SVGMobject.generate_mobject = generate_mobject
    SVGMobject.init_svg_mobject = init_svg_mobject
