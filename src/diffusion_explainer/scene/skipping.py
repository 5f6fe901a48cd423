"""Animations played to their end without being played, for the calls a chunk skips.

Before the frames a chunk draws, its scene runs through the story without drawing; Manim still
begins every animation (copying its mobjects, often twice) and interpolates it to its end. For
the common animations the end is known exactly without that:
- fades, creations, writes, growths and indications end with their mobject as it was made: they
  end on an interpolation at alpha 1 towards a copy of it ((1 - 1) * start + 1 * end is exactly the
  end), and a fade out restores its mobject before removing it;
- `mobject.animate.<methods>` ends with the methods applied to the mobject (Manim applies them
  to a copy and interpolates to it; applied to the mobject they give the same numbers).
So such a play is only its bookkeeping: what the play animates is put in the scene, what it
introduces is added, the methods are applied, what it removes goes, each in Manim's order. In a
play that mixes them with others (a Transform), Manim plays only the others, skipped. The frames drawn after are the same
(tests/render/test_chunks.py compares them with a scene rendered whole).
"""

from __future__ import annotations

from manim import (
    AnimationGroup,
    Create,
    DrawBorderThenFill,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromCenter,
    GrowFromPoint,
    Indicate,
    LaggedStart,
    Write,
)
from manim.animation.transform import _MethodAnimation

UNCHANGED_AT_END = (FadeIn, FadeOut, Create, Write, DrawBorderThenFill, GrowArrow, GrowFromCenter, GrowFromPoint,
                    Indicate)
GROUPS = (AnimationGroup, LaggedStart)


def _leaves(animation, remover: bool = False):
    """(animation, whether it removes its mobject at the end), groups opened (a group that
    removes makes its members remove, as AnimationGroup.clean_up_from_scene does)."""
    if type(animation) in GROUPS:
        return [leaf for a in animation.animations for leaf in _leaves(a, remover or animation.remover)]
    return [(animation, remover or animation.is_remover())]


def _known(animation) -> bool:
    return all(type(leaf) in UNCHANGED_AT_END or type(leaf) is _MethodAnimation for leaf, _ in _leaves(animation))


def split(animations) -> tuple[list, list] | None:
    """(the animations whose end is known, the others for Manim to play), or None if the others
    cannot be played apart: an introducer among them would be added again, out of its place."""
    known = [a for a in animations if _known(a)]
    others = [a for a in animations if not _known(a)]
    if any(a.is_introducer() for a in others):
        return None
    return known, others


def start(scene, animations) -> None:
    """What Scene.play does before the first frame, but begin."""
    scene.add_mobjects_from_animations(animations)
    for animation in animations:
        animation._setup_scene(scene)


def end(scene, animations) -> None:
    """What finish and clean-up leave, per animation in order."""
    for animation in animations:
        for leaf, removes in _leaves(animation):
            if type(leaf) is _MethodAnimation:
                for item in leaf.methods:
                    item.method.__func__(leaf.mobject, *item.args, **item.kwargs)
            if removes:
                scene.remove(leaf.mobject)
