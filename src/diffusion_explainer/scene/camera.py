"""Manim's Cairo camera, with pictures composited only where they are.

Manim's `Camera.display_image_mobject` pastes each transformed picture into a transparent
canvas as large as the frame and alpha-composites that whole canvas over the frame: at 1080p,
about 20 ms per picture per frame, whatever the picture's size. This video shows computed
pictures in most frames (flip books, stages, sweeps), so with Manim's camera that is a large
part of a scene's time. `PictureCamera` computes the same transformed picture (the same perspective
coefficients, size and resampling) and composites it over its bounding box only. Outside the
box Manim's canvas is fully transparent, which leaves the frame unchanged, so the frames are
pixel-identical (tests/scene/test_camera.py compares the two).

It also keeps the Cairo paths it builds. Manim turns a VMobject's points into a Cairo path in
Python at every draw (`set_cairo_context_path`: the subpath splits in NumPy, then one call per
curve), about a third of a scene job's CPU; most of what it draws is drawn again unchanged (a
subtitle's glyphs, a label fading in: the same points at every frame and every call). The path
made from the same points under the same matrix is the same, so it is kept, as Cairo holds it
(in device space, fixed point: copied out and appended back exactly), under the points' bytes
and the context's matrix, and appended instead of being built again (`_paths`, the least
recently made let go beyond MAX_PATHS).
"""

from __future__ import annotations

import cairo
import numpy as np
from manim.camera.camera import Camera
from manim.mobject.types.vectorized_mobject import VMobject
from PIL import Image

MAX_PATHS = 8192  # Cairo paths kept by a camera (a subtitle page's glyphs are a few dozen)
_IDENTITY = cairo.Matrix()


class PictureCamera(Camera):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._paths: dict[tuple, cairo.Path] = {}

    def set_cairo_context_path(self, ctx: cairo.Context, vmobject) -> PictureCamera:
        points = vmobject.points
        kind = type(vmobject)
        if (len(points) == 0 or kind.get_subpath_split_indices_from_points is not _SPLITS
                or kind.consider_points_equals_2d is not _EQUALS_2D):
            return super().set_cairo_context_path(ctx, vmobject)  # (as Manim does it)
        paths, matrix = self._paths, ctx.get_matrix()
        key = (points.tobytes(), points.shape, vmobject.n_points_per_cubic_curve,
               vmobject.tolerance_for_point_equality, tuple(matrix))
        path = paths.get(key)
        if path is None:
            super().set_cairo_context_path(ctx, vmobject)
            ctx.set_matrix(_IDENTITY)  # copied in device space: what Cairo holds, exactly
            paths[key] = ctx.copy_path()
            if len(paths) > MAX_PATHS:
                del paths[next(iter(paths))]
        else:
            ctx.set_matrix(_IDENTITY)
            ctx.new_path()
            ctx.append_path(path)
        ctx.set_matrix(matrix)  # (a path is not changed by the matrix it was made under)
        return self

    def display_image_mobject(self, image_mobject, pixel_array: np.ndarray) -> None:
        placed = self._transformed_picture(image_mobject)
        if placed is None:
            return
        picture, (left, top) = placed
        height, width = pixel_array.shape[:2]
        x0, y0 = max(left, 0), max(top, 0)
        x1, y1 = min(left + picture.width, width), min(top + picture.height, height)
        if x1 <= x0 or y1 <= y0:
            return
        piece = picture.crop((x0 - left, y0 - top, x1 - left, y1 - top))
        region = Image.fromarray(np.ascontiguousarray(pixel_array[y0:y1, x0:x1]), mode="RGBA")
        pixel_array[y0:y1, x0:x1] = np.asarray(Image.alpha_composite(region, piece))

    def _transformed_picture(self, image_mobject) -> tuple[Image.Image, tuple[int, int]] | None:
        """The picture as Manim 0.22's display_image_mobject transforms it, and where its top-left
        corner goes (None where Manim draws nothing: a degenerate or edge-on picture)."""
        picture = Image.fromarray(image_mobject.get_pixel_array(), mode="RGBA")
        source = np.array([[0, 0], [picture.width, 0], [0, picture.height], [picture.width, picture.height]])
        target = self.points_to_subpixel_coords(image_mobject, image_mobject.points)
        int_target = target.astype(np.int64)
        shift = int_target.min(axis=0)
        target = target - shift
        int_target = int_target - shift
        size = (int(int_target[:, 0].max()), int(int_target[:, 1].max()))

        corners = [target[i] for i in (0, 1, 3, 2)]
        sides = [corners[(i + 1) % 4] - corners[i] for i in range(4)]
        lengths = np.linalg.norm(sides, axis=1)
        longest = int(np.argmax(lengths))
        if lengths[longest] == 0:
            return None
        neighbour = sides[(longest - 1) % 4]  # Manim uses the previous side for both heights
        cross = sides[longest][0] * neighbour[1] - sides[longest][1] * neighbour[0]
        if abs(cross) / lengths[longest] < 0.5:
            return None

        rows = []
        for (x, y), (u, v) in zip(target, source, strict=True):
            rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
            rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        try:
            coefficients = np.linalg.solve(np.array(rows, dtype=np.float64), source.reshape(8).astype(np.float64))
        except np.linalg.LinAlgError:
            return None
        picture = picture.transform(size=size, method=Image.Transform.PERSPECTIVE, data=coefficients,
                                    resample=image_mobject.resampling_algorithm)
        return picture, (int(shift[0]), int(shift[1]))


_SPLITS = VMobject.get_subpath_split_indices_from_points
_EQUALS_2D = VMobject.consider_points_equals_2d
