"""A scene's state where a cue starts, saved to a file and restored from it.

A chunk deep in a scene would otherwise run the scene's whole story up to its first frame
(skipping is cheaper than drawing, but making every text and copying every mobject for every
animation is not free: 10-15 CPU-seconds before the last chunk of a long scene). A job saves the
state at each cue start it passes; a later job restores the last one before its chunk and runs
the story from that cue on. The state is what the story built: the mobjects on the stage (in
their order) and the attributes the cue methods set on the scene (the things later cues use).
The subtitle band and page are the scene's own and are not saved. Whether a saved state still
holds for a new plan is decided like a chunk's video (chunks.py: what the story read before it).
"""

from __future__ import annotations

import pickle
from pathlib import Path

from ..core.files import write_bytes

# What Scene.play leaves on the scene besides what the story made.
_MANIM_PLAY_STATE = frozenset({"animations", "duration", "time_progression", "moving_mobjects", "static_mobjects",
                               "stop_condition", "last_t", "cue"})
BAND, PAGE = "<band>", "<page>"


def story_attributes(scene) -> dict:
    """The attributes the cue methods set (public names that setup did not make)."""
    return {k: v for k, v in scene.__dict__.items()
            if not k.startswith("_") and k not in scene._framework_keys and k not in _MANIM_PLAY_STATE}


def save(scene, path: Path) -> bool:
    """Save the state; False (nothing written) if something in it cannot be pickled."""
    mobjects = [BAND if m is scene._band else PAGE if m is scene._shown else m for m in scene.mobjects]
    state = {"mobjects": [m for m in mobjects if not (isinstance(m, str) and m == PAGE)],
             "foreground": list(scene.foreground_mobjects),
             "story": story_attributes(scene)}
    try:
        data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    write_bytes(Path(path), data)  # (a temporary name of this process's own: two jobs may save the same state)
    return True


def restore(scene, path: Path) -> None:
    state = pickle.loads(Path(path).read_bytes())
    scene.mobjects = [scene._band if isinstance(m, str) else m for m in state["mobjects"]]
    scene.foreground_mobjects = state["foreground"]
    scene.__dict__.update(state["story"])
