"""Where the review page and the report go: beside the video, so the folder can be published as
it is (the page refers to everything by a relative path)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReviewFiles:
    root: Path  # the build folder: the video and its side files

    @property
    def page(self) -> Path:
        return self.root / "index.html"

    @property
    def report(self) -> Path:
        return self.root / "report.json"

    @property
    def folder(self) -> Path:
        """The page's own files: its record, cue pictures, plots, OCR crops and the extra tracks."""
        return self.root / "review"

    @property
    def record(self) -> Path:
        return self.folder / "record.json"

    def cue_image(self, scene_id: str, cue_id: str) -> Path:
        return self.folder / "cues" / f"{scene_id}-{cue_id}.jpg"

    def plot(self, name: str) -> Path:
        return self.folder / "plots" / f"{name}.png"

    @property
    def ocr_folder(self) -> Path:
        return self.folder / "ocr"

    def ocr_image(self, frame: int) -> Path:
        return self.ocr_folder / f"frame-{frame:06d}.png"

    @property
    def sound_measures(self) -> Path:
        """The last loudness and voice onsets measured, under the digest of the sound measured."""
        return self.folder / "sound_measures.json"

    @property
    def chapters_vtt(self) -> Path:
        return self.folder / "chapters.vtt"

    @property
    def descriptions_vtt(self) -> Path:
        return self.folder / "descriptions.vtt"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()
