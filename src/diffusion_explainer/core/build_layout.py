"""Where every file of a render goes in its build folder: one map of build/.

Two folders: the build folder (`root`), whose scene videos, chunks and caches every render of
the screenplay shares (the scene videos and chunks under `scenes/<size>/`, one folder per frame
size, rate and language; what is safe to delete under `cache/`); and the render's output folder
(`output`), with the joined video and its side files at its top, so that it can be published as
it is (the review page refers to everything by a relative path), and the page's own files under
`review/`. Each quality and language has its own output folder, so a preview never overwrites
the final video: the default quality in the screenplay's language (1080p60, Japanese) writes
into the build folder itself, any other into a folder named after it (`output_folder`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import runtime
from .settings import DEFAULT_LANGUAGE, RenderSettings

VIDEO_NAME = "diffusion_explainer"


def output_folder(settings: RenderSettings) -> str:
    """The output folder of a render, relative to its build folder: "" (the build folder itself)
    for the default quality in Japanese; `480p15`, `256x144p10` for another size; `en` for the
    English video at the default quality, `en/480p15` at another. A silent draft or one without
    music writes where the full render of its size and language does."""
    parts = ([] if settings.language == DEFAULT_LANGUAGE else [settings.language]) + \
        ([] if settings.default_size else [settings.size_key])
    return "/".join(parts)


def build_root(screenplay_path: str | Path, name: str, project_screenplay: Path) -> Path:
    """build/ for the project's screenplay, build/<name>/ for any other (so that two screenplays
    never share scene videos or their manifest)."""
    own = Path(screenplay_path).resolve() == Path(project_screenplay).resolve()
    return runtime.build_dir() if own else runtime.build_dir() / name


@dataclass(frozen=True)
class BuildLayout:
    root: Path  # the build folder: build/ (build/<name>/ for another screenplay)
    # The render's settings name the folders of one size (scenes, chunks, stills, jobs), the
    # output folder, and say which stems a render writes; reading back a finished render (the
    # review page, `finished`) needs none.
    settings: RenderSettings | None = None
    name: str = VIDEO_NAME  # the screenplay file's stem: it names the video and its captions
    output_dir: Path | None = None  # a finished render's output folder, given (else from the settings)

    @classmethod
    def finished(cls, folder: Path) -> BuildLayout:
        """A finished render read back from its output folder (its page, record and report; its
        files by the record's relative paths)."""
        return cls(Path(folder), output_dir=Path(folder))

    @property
    def output(self) -> Path:
        """Where the joined video and its side files are (see `output_folder`)."""
        if self.output_dir is not None:
            return self.output_dir
        return self.root / output_folder(self._settings())

    # The video and its side files

    @property
    def video(self) -> Path:
        return self.output / f"{self.name}.mp4"

    @property
    def narration_stem(self) -> Path:
        """The speech alone, for checks and for anyone who re-mixes or dubs."""
        return self.output / "narration.wav"

    @property
    def music_stem(self) -> Path:
        """The music and effects alone."""
        return self.output / "music.wav"

    @property
    def srt(self) -> Path:
        """The captions in the video's own language (the Japanese video's: Japanese), plain-named."""
        return self.output / f"{self.name}.srt"

    @property
    def vtt(self) -> Path:
        return self.output / f"{self.name}.vtt"

    @property
    def en_srt(self) -> Path:
        """The Japanese video's English captions: `<name>.en.srt`, which players load beside the
        video as English (the English video's own captions are its `srt`)."""
        return self.output / f"{self.name}.en.srt"

    @property
    def en_vtt(self) -> Path:
        return self.output / f"{self.name}.en.vtt"

    @property
    def chapters(self) -> Path:
        return self.output / "chapters.txt"

    @property
    def thumbnail(self) -> Path:
        return self.output / "thumbnail.png"

    @property
    def contact_sheet(self) -> Path:
        return self.output / "contact_sheet.png"

    @property
    def manifest(self) -> Path:
        """What the joined video was made from."""
        return self.output / "render_manifest.json"

    @property
    def page(self) -> Path:
        """The review and publishing page."""
        return self.output / "index.html"

    @property
    def report(self) -> Path:
        """The quality report's numbers."""
        return self.output / "report.json"

    def translated_captions(self) -> bool:
        """Whether the render writes captions translated from its language (the Japanese video's
        English ones)."""
        return self._settings().language == DEFAULT_LANGUAGE

    def all_files(self) -> list[Path]:
        """The video first, then every side file this render's settings write."""
        settings = self._settings()
        stems = [] if settings.silent else [self.narration_stem] + ([self.music_stem] if settings.music else [])
        captions = [self.srt, self.vtt] + ([self.en_srt, self.en_vtt] if self.translated_captions() else [])
        return [self.video, *captions, self.chapters, self.thumbnail, self.contact_sheet, *stems, self.page, self.report]

    # The review page's own files

    @property
    def review_folder(self) -> Path:
        """The page's record, cue pictures, plots, OCR crops and extra tracks."""
        return self.output / "review"

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
        """`path` as the page refers to it: relative to the output folder, with forward slashes."""
        return Path(path).relative_to(self.output).as_posix()

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
                             f"size, the output folder and the stems a render writes depend on them")
        return self.settings
