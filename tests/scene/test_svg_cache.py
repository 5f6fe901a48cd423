"""Parsed SVGs kept on disk give the frames that parsing them gives."""

import pytest

from diffusion_explainer.core.runtime import CACHE_ENV, FRAME_LOG_ENV
from diffusion_explainer.core.settings import RenderSettings
from diffusion_explainer.render.pipeline import render_video
from diffusion_explainer.render.progress import Progress
from diffusion_explainer.screenplay import load_screenplay
from tests.render.test_any_screenplay import SMALL

pytestmark = pytest.mark.render
SETTINGS = RenderSettings.custom("256,144", 10, silent=True, jobs=1)


def test_a_scene_drawn_from_kept_svgs_has_the_frames_of_one_that_parsed_them(tmp_path):
    cache = tmp_path / "cache"  # the scene processes' own, empty at first
    hashes = []
    for name in ("cold", "warm"):
        log = tmp_path / f"{name}.log"
        render_video(SETTINGS, screenplay=load_screenplay(SMALL), root=tmp_path / "build", force=True,
                     progress=Progress(quiet=True), only=["s01_hello"], chunks_per_job=1000,
                     job_environment={FRAME_LOG_ENV: str(log), CACHE_ENV: str(cache)})
        hashes.append([h for f in sorted(tmp_path.glob(f"{name}.log.*")) for h in f.read_text().split()])
        if name == "cold":
            kept = {p.name: p.stat().st_ino for p in (cache / "svg").glob("*.blob")}
            assert len(kept) >= 3, "the title, the word and the subtitle pages were kept"
    assert len(hashes[0]) == 80 and hashes[0] == hashes[1]
    assert {p.name: p.stat().st_ino for p in (cache / "svg").glob("*.blob")} == kept, \
        "the warm run parsed nothing again (a put replaces the file)"


def test_formulas_and_texts_from_the_kept_svgs_have_the_parsed_curves(tmp_path, monkeypatch, caplog):
    import numpy as np
    from manim import Text
    from manim.mobject.svg.svg_mobject import SVGMobject

    from diffusion_explainer.scene import svg_cache
    from diffusion_explainer.visuals.formulas import CLOSED_FORM, formula

    monkeypatch.setattr(SVGMobject, "generate_mobject", SVGMobject.generate_mobject)  # undone after the test
    monkeypatch.setattr(SVGMobject, "init_svg_mobject", SVGMobject.init_svg_mobject)
    monkeypatch.setattr(svg_cache, "_memory", {})
    monkeypatch.chdir(tmp_path)  # Manim writes the SVG files of texts and formulas under ./media
    make = [lambda: formula(*CLOSED_FORM),
            lambda: Text("ノイズを足す", font="Noto Sans CJK JP")]
    parsed = [m() for m in make]  # Manim's own parse
    svg_cache.install(tmp_path / "svg")
    cold = [m() for m in make]  # parsed, and kept
    svg_cache._memory.clear()
    warm = [m() for m in make]  # from the files

    def curves(mobject):
        return [p.points for p in mobject.family_members_with_points()]

    kept = {p: p.stat().st_size for p in (tmp_path / "svg").glob("*.blob")}
    assert len(kept) == 2
    # a damaged entry: found, reported, parsed again and kept again
    for path, size in kept.items():
        with open(path, "r+b") as f:
            f.truncate(size // 2)
    svg_cache._memory.clear()
    with caplog.at_level("WARNING", logger="diffusion_explainer.cache"):
        healed = [m() for m in make]
    healing = [r for r in caplog.records if r.name == "diffusion_explainer.cache"]  # (not Manim's LaTeX lines)
    assert sorted(r.getMessage() for r in healing) == sorted(
        f"cache: svg/{p.stem} was damaged (size {size // 2:,} of {size:,} bytes); made again" for p, size in kept.items())
    assert {p: p.stat().st_size for p in kept} == kept
    svg_cache._memory.clear()
    again = [m() for m in make]  # from the files written by the healing parse
    assert [r for r in caplog.records if r.name == "diffusion_explainer.cache"][2:] == []
    for a, b, c, d, e in zip(parsed, cold, warm, healed, again):
        assert len(curves(a)) == len(curves(b)) == len(curves(c)) == len(curves(d)) == len(curves(e)) > 3
        assert all(np.array_equal(x, y) and np.array_equal(x, z) and np.array_equal(x, u) and np.array_equal(x, v)
                   for x, y, z, u, v in zip(curves(a), curves(b), curves(c), curves(d), curves(e)))
        assert [m.fill_color for m in a.family_members_with_points()] == [m.fill_color for m in c.family_members_with_points()]


def test_a_text_keeps_no_parsed_paths_so_its_copy_is_cheap_and_the_same(tmp_path, monkeypatch):
    import copy

    import numpy as np
    from manim import Text
    from manim.mobject.svg.svg_mobject import SVGMobject

    from diffusion_explainer.scene import svg_cache

    monkeypatch.setattr(SVGMobject, "generate_mobject", SVGMobject.generate_mobject)  # undone after the test
    monkeypatch.setattr(SVGMobject, "init_svg_mobject", SVGMobject.init_svg_mobject)
    monkeypatch.setattr(svg_cache, "_memory", {})
    monkeypatch.chdir(tmp_path)
    parsed = Text("構図と色が先に決まる", font="Noto Sans CJK JP")  # Manim's own parse
    assert any(getattr(m, "path_obj", None) is not None for m in parsed.get_family())
    svg_cache.install(tmp_path / "svg")
    for text in (Text("構図と色が先に決まる", font="Noto Sans CJK JP"),  # parsed here, then from the kept entry
                 Text("構図と色が先に決まる", font="Noto Sans CJK JP")):
        reconstructed = []
        real = copy._reconstruct

        def counting(x, *args, **kwargs):
            reconstructed.append(type(x).__name__)
            return real(x, *args, **kwargs)

        monkeypatch.setattr(copy, "_reconstruct", counting)
        copied = text.copy()
        monkeypatch.setattr(copy, "_reconstruct", real)
        assert all(getattr(m, "path_obj", None) is None for m in text.get_family())
        # a copy reconstructs the colours and styles, not thousands of svgelements points and curves
        import svgelements

        assert not [name for name in reconstructed if hasattr(svgelements, name)]
        pairs = list(zip(parsed.family_members_with_points(), copied.family_members_with_points(), strict=True))
        assert len(pairs) > 5 and all(np.array_equal(a.points, b.points) for a, b in pairs)
