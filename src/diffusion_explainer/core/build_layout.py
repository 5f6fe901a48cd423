"""Where every file of a render goes in its build folder: one map of build/.

The video and its side files sit at the top, so the folder can be published as it is (the
review page refers to everything by a relative path); the scene videos and their chunks under
`scenes/<size>/`, the page's own files under `review/`, and what is safe to delete under `cache/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import runtime
from .settings import RenderSettings

VIDEO_NAME = "diffusion_explainer"


def build_root(screenplay_path: str | Path, name: str, project_screenplay: Path) -> Path:
    """build/ for the project's screenplay, build/<name>/ for any other (so that two screenplays
    never share scene videos or their manifest)."""
    own = Path(screenplay_path).resolve() == Path(project_screenplay).resolve()
    return runtime.build_dir() if own else runtime.build_dir() / name


@dataclass(frozen=True)
class BuildLayout:
    root: Path  # build/
    # The render's settings name the folders of one size (scenes, chunks, stills, jobs) and say
    # which stems a render writes; reading back a finished render (the review page) needs none.
    settings: RenderSettings | None = None
    name: str = VIDEO_NAME  # the screenplay file's stem: it names the video and its captions

    # The video and its side files

    @property
    def video(self) -> Path:
        return self.root / f"{self.name}.mp4"

    @property
    def narration_stem(self) -> Path:
        """The speech alone, for checks and for anyone who re-mixes or dubs."""
        return self.root / "narration.wav"

    @property
    def music_stem(self) -> Path:
        """The music and effects alone."""
        return self.root / "music.wav"

    @property
    def srt(self) -> Path:
        """The Japanese captions (the video's own language keeps the plain name)."""
        return self.root / f"{self.name}.srt"

    @property
    def vtt(self) -> Path:
        return self.root / f"{self.name}.vtt"

    @property
    def en_srt(self) -> Path:
        """The English captions: `<name>.en.srt`, which players load beside the video as English."""
        return self.root / f"{self.name}.en.srt"

    @property
    def en_vtt(self) -> Path:
        return self.root / f"{self.name}.en.vtt"

    @property
    def chapters(self) -> Path:
        return self.root / "chapters.txt"

    @property
    def thumbnail(self) -> Path:
        return self.root / "thumbnail.png"

    @property
    def contact_sheet(self) -> Path:
        return self.root / "contact_sheet.png"

    @property
    def manifest(self) -> Path:
        """What the joined video was made from."""
        return self.root / "render_manifest.json"

    @property
    def page(self) -> Path:
        """The review and publishing page."""
        return self.root / "index.html"

    @property
    def report(self) -> Path:
        """The quality report's numbers."""
        return self.root / "report.json"

    def all_files(self) -> list[Path]:
        """The video first, then every side file this render's settings write."""
        settings = self._settings()
        stems = [] if settings.silent else [self.narration_stem] + ([self.music_stem] if settings.music else [])
        return ([self.video, self.srt, self.vtt, self.en_srt, self.en_vtt, self.chapters, self.thumbnail, self.contact_sheet] + stems
                + [self.page, self.report])

    # The review page's own files

    @property
    def review_folder(self) -> Path:
        """The page's record, cue pictures, plots, OCR crops and extra tracks."""
        return self.root / "review"

    @property
    def record(self) -> Path:
        """What the render planned, as the page and the report read it."""
        return self.review_folder / "record.json"

    def cue_image(self, scene_id: str, cue_id: str) -> Path:
        return self.review_folder / "cues" / f"{scene_id}-{cue_id}.jpg"

    def plot(self, name: str) -> Path:
        return self.review_folder / "plots" / f"{name}.png"

    @property
    def ocr_folder(self) -> Path:
        return self.review_folder / "ocr"

    def ocr_image(self, frame: int) -> Path:
        return self.ocr_folder / f"frame-{frame:06d}.png"

    @property
    def sound_measures(self) -> Path:
        """The last loudness and voice onsets measured, under the digest of the sound measured."""
        return self.review_folder / "sound_measures.json"

    @property
    def chapters_vtt(self) -> Path:
        return self.review_folder / "chapters.vtt"

    @property
    def descriptions_vtt(self) -> Path:
        return self.review_folder / "descriptions.vtt"

    def relative(self, path: Path) -> str:
        """`path` as the page refers to it: relative to the build folder, with forward slashes."""
        return Path(path).relative_to(self.root).as_posix()

    # The scene videos of one size

    @property
    def scenes_dir(self) -> Path:
        return self.root / "scenes" / self._settings().key

    @property
    def scenes_manifest(self) -> Path:
        """Each scene video's input hashes and the sound effects it marks, by scene id."""
        return self.scenes_dir / "manifest.json"

    def scene_video(self, scene_id: str) -> Path:
        return self.scenes_dir / f"{scene_id}.mp4"

    @property
    def chunks_dir(self) -> Path:
        """The scenes' chunk videos, saved states and chunks.json (render.chunks.ChunkStore reads it)."""
        return self.scenes_dir / "chunks"

    # Caches: safe to delete, made again

    @property
    def sound_cache(self) -> Path:
        return self.root / "cache" / "audio"

    @property
    def stills_cache(self) -> Path:
        """Each scene's cue stills, kept while its video is unchanged."""
        return self.root / "cache" / "stills" / self._settings().key

    @property
    def manim_dir(self) -> Path:
        return self.root / "cache" / "manim"

    @property
    def jobs_dir(self) -> Path:
        """Each job's folder while it runs (Manim's media, the plan, the log)."""
        return self.manim_dir / "jobs" / self._settings().key

    def compiled_dir(self, scene_id: str) -> Path:
        """A scene's compiled formulas and texts, kept between renders and shared by its jobs."""
        return self.manim_dir / scene_id

    def _settings(self) -> RenderSettings:
        if self.settings is None:
            raise ValueError(f"the build layout of {self.root} has no render settings: the folders of one "
                             f"size and the stems a render writes depend on them")
        return self.settings
