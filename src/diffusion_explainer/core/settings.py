"""What a render is asked for: frame size, frame rate, narrated or silent, how many processes,
and the Manim command line that renders one scene fast.

Why these Manim settings (measured, see README "What `make render` writes" and `make bench`):
- `--disable_caching`: Manim's partial-movie cache hashes every mobject of every play; with the
  subtitle pages changing mid-animation a scene is dozens of plays, and the hashing cost more than
  the cache ever saved. Scene-level reuse is done here instead (inputs.py), which is exact.
- `--progress_bar none` and `-v WARNING`: the log goes to a file, not a terminal.
- x264 `preset=ultrafast` with CABAC and 8x8 transforms put back (`x264-params`), crf 23: at
  `veryfast`, encoding is the largest part of a scene's CPU time, because x264 spends ~13 ms on
  every 1080p frame even when it repeats the last one, and most frames here are held. Measured on 240 frames of
  Scene 03 at 1080p (one thread): veryfast 14-18 ms per frame, 53 dB PSNR, 93 kB; this 6-8 ms,
  64 dB, 227 kB. The stream stays High profile (CABAC, 8x8 transforms), which plain
  `ultrafast` would drop to Constrained Baseline; the file is about twice as large, still small
  for an upload. Held frames at the end of a call do not reach x264 at all (scene/launcher.py,
  scene/held_frames.py).
  No B-frames (`ultrafast` has none): the skipped pictures that hold a frame (held_frames.py) need
  picture order count type 2, which x264 uses only without them.
- x264 `threads=1`: scenes render in parallel, one process per core, so x264's own frame threads
  only add overhead; one thread measured 12.5 instead of 18.4 CPU ms per 1080p frame (veryfast).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .style import FRAME_HEIGHT

# Manim's quality letters (manim.constants.QUALITIES), without importing Manim.
QUALITIES: dict[str, tuple[int, int, int]] = {
    "l": (854, 480, 15),
    "m": (1280, 720, 30),
    "h": (1920, 1080, 60),
    "p": (2560, 1440, 60),
    "k": (3840, 2160, 60),
}
DEFAULT_QUALITY = "h"
# The video's languages: the screenplay's own (Japanese) and its English version (`en:` beside
# every line, cue, scene and character). A render speaks, subtitles and labels in one of them.
LANGUAGES: dict[str, str] = {"ja": "Japanese", "en": "English"}
DEFAULT_LANGUAGE = "ja"

ENCODER_OPTIONS: dict[str, str] = {"preset": "ultrafast", "x264-params": "cabac=1:8x8dct=1", "crf": "23",
                                   "threads": "1"}
MANIM_FLAGS: tuple[str, ...] = ("--disable_caching", "--progress_bar", "none", "-v", "WARNING", "--format", "mp4")


@dataclass(frozen=True)
class RenderSettings:
    width: int
    height: int
    fps: int
    silent: bool = False
    jobs: int = 1
    quality: str | None = None  # the Manim letter when the size came from one
    music: bool = True  # the music bed and effects under the narration (the scenes do not depend on it)
    language: str = DEFAULT_LANGUAGE  # what the video speaks, subtitles and labels in (LANGUAGES)

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language '{self.language}': use one of {', '.join(LANGUAGES)} "
                             f"({', '.join(LANGUAGES.values())})")

    @classmethod
    def from_quality(cls, letter: str, *, silent: bool = False, jobs: int = 1, music: bool = True,
                     language: str = DEFAULT_LANGUAGE) -> RenderSettings:
        if letter not in QUALITIES:
            raise ValueError(f"unknown quality '{letter}': use one of {', '.join(QUALITIES)} (Manim's letters)")
        width, height, fps = QUALITIES[letter]
        return cls(width, height, fps, silent, jobs, letter, music, language)

    @classmethod
    def custom(cls, resolution: str, fps: int, *, silent: bool = False, jobs: int = 1, music: bool = True,
               language: str = DEFAULT_LANGUAGE) -> RenderSettings:
        """From Manim's `-r W,H` notation."""
        try:
            width, height = (int(v) for v in resolution.replace("x", ",").split(","))
        except ValueError:
            raise ValueError(f"resolution '{resolution}' is not W,H (e.g. 256,144)") from None
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError(f"resolution {width}x{height}: both sides must be positive and even (4:2:0 video)")
        if fps <= 0:
            raise ValueError(f"frame rate {fps} must be a positive whole number")
        return cls(width, height, int(fps), silent, jobs, None, music, language)

    @property
    def size_key(self) -> str:
        """The frame size and rate: 1080p60, 480p15, 256x144p10."""
        size = f"{self.height}p" if (self.width, self.height) in {(w, h) for w, h, _ in QUALITIES.values()} else f"{self.width}x{self.height}p"
        return f"{size}{self.fps}"

    @property
    def key(self) -> str:
        """The name of the folder of this render's scene videos and chunks: 1080p60,
        256x144p10-silent, 480p15-en (an English render's scenes never mix with the Japanese ones)."""
        return (self.size_key + ("-silent" if self.silent else "")
                + ("" if self.language == DEFAULT_LANGUAGE else f"-{self.language}"))

    @property
    def default_size(self) -> bool:
        """Whether this is the default quality's frame size and rate (1080p60), however it was asked for."""
        return (self.width, self.height, self.fps) == QUALITIES[DEFAULT_QUALITY]

    @property
    def frame_width(self) -> float:
        """Manim's frame width in units for this aspect ratio (its frame is 8 units high)."""
        return FRAME_HEIGHT * self.width / self.height

    @property
    def frame_duration(self) -> Fraction:
        return Fraction(1, self.fps)

    def manim_size_args(self) -> list[str]:
        return ["-r", f"{self.width},{self.height}", "--fps", str(self.fps)]

    def manim_args(self) -> list[str]:
        """Everything but the media dir, the output name and the file."""
        args = self.manim_size_args() + list(MANIM_FLAGS)
        for key, value in ENCODER_OPTIONS.items():
            args += ["--encoder-option", f"{key}={value}"]
        return args

    def command_options(self) -> list[str]:
        """The options of `python -m diffusion_explainer render` that ask for these settings."""
        size = (["--quality", self.quality] if self.quality
                else ["--resolution", f"{self.width},{self.height}", "--fps", str(self.fps)])
        return [*size, "--language", self.language, "--jobs", str(self.jobs),
                *(["--silent"] if self.silent else []), *([] if self.music else ["--no-music"])]

    def describe(self) -> str:
        sound = ", silent" if self.silent else ", narrated" + ("" if self.music else ", no music")
        return f"{self.width}x{self.height} at {self.fps} fps{sound}, {LANGUAGES[self.language]}"
