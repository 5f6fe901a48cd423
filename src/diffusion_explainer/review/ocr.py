"""The burned-in subtitles read back: Tesseract's Japanese model on the subtitle band at the middle
frame of every subtitle page, compared with the page's text.

The band is cut from the joined video where the layout puts it (style.Layout), turned into dark
text on white (the brightest channel, inverted: the speakers' coloured names stay as dark as the
white text), enlarged until the text is about `OCR_TEXT_PX` high, and read one row at a time
(rows found by where the ink is), each as a single line with a white margin: read as one block,
Tesseract loses the short, indented second row of a page now and then (6 of 82 pages at 480p,
similarity 0.82-0.90; all 1.0 read row by row).
Similarity is difflib's ratio (2 x matching characters / total) after NFKC, with white space
removed (Tesseract puts spaces between Japanese characters) and the dashes this font draws alike
(—, ー, 一, －) taken as one.
"""

from __future__ import annotations

import concurrent.futures
import difflib
import os
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from ..core.errors import RenderError, SetupError
from ..core.style import FRAME_HEIGHT, Layout
from ..media.stills import read_frames
from ..subtitles.fitting import NAME_SEPARATOR
from .record import LineRecord, PageRecord, ReviewRecord

OCR_TEXT_PX = 48
MARGIN_PX = 20
TESSERACT_ARGS = ("--psm", "7")  # one line of text (and `-l` the video's language: TESSERACT_LANGUAGES)
TESSERACT_LANGUAGES = {"ja": ("jpn", "tesseract-ocr-jpn", "Japanese"), "en": ("eng", "tesseract-ocr-eng", "English")}
ROW_GAP_PX = OCR_TEXT_PX // 6  # ink closer than this belongs to one row (a character's parts)
MIN_ROW_PX = OCR_TEXT_PX // 4  # thinner runs of ink are specks, not text
DASHES = str.maketrans({c: "-" for c in "—―ー一－‐-–"})
FRAMES_PER_READ = 8  # frames decoded and cut at a time (a 1080p frame is 6 MB)


class TesseractMissing(SetupError):
    """The OCR part of the report was asked for on a machine without Tesseract's Japanese model."""


@dataclass(frozen=True)
class PageReading:
    scene_id: str
    line_id: str
    page: int  # 1-based within its line
    frame: int  # in the joined video
    expected: str  # what the band should show: the speaker's name, the separator, the rows
    read: str  # what Tesseract read, white space removed
    similarity: float  # 0..1


def check_tesseract(language: str = "ja") -> None:
    """Tesseract and its model of the video's language are installed, or TesseractMissing says what to install."""
    model, package, name = TESSERACT_LANGUAGES[language]
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise TesseractMissing(f"Tesseract is not installed, so the burned-in subtitles cannot be read back: install the "
                               f"Debian packages tesseract-ocr and {package} (`make verify` does), or pass "
                               f"--no-ocr to skip that part of the report")
    languages = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True).stdout.split()
    if model not in languages:
        raise TesseractMissing(f"Tesseract has no {name} model: install the Debian package {package} "
                               f"(`make verify` does), or pass --no-ocr to skip that part of the report")


def band_box(record: ReviewRecord) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the subtitle band in the video's pixels."""
    band = Layout(FRAME_HEIGHT * record.width / record.height, record.subtitle_size).band_height
    return 0, record.height - round(band / FRAME_HEIGHT * record.height), record.width, record.height


def prepared(band: Image.Image, text_px: float) -> Image.Image:
    """Dark text on white at about `OCR_TEXT_PX` (stretching the contrast stopped Tesseract reading
    ？ as 2?)."""
    bright = Image.fromarray(np.asarray(band.convert("RGB")).max(axis=2))
    scale = max(1.0, OCR_TEXT_PX / text_px)
    if scale > 1.0:
        bright = bright.resize((round(bright.width * scale), round(bright.height * scale)), Image.LANCZOS)
    return ImageOps.autocontrast(ImageOps.invert(bright), cutoff=1)


def text_rows(image: Image.Image) -> list[Image.Image]:
    """The rows of text of a prepared band, top to bottom, each with a white margin."""
    ink = (np.asarray(image) < 128).any(axis=1)
    edges = np.diff(np.concatenate(([0], ink.astype(np.int8), [0])))
    runs: list[tuple[int, int]] = []
    for top, bottom in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if runs and top - runs[-1][1] < ROW_GAP_PX:
            runs[-1] = (runs[-1][0], bottom)
        else:
            runs.append((top, bottom))
    return [ImageOps.expand(image.crop((0, max(0, top - ROW_GAP_PX), image.width, min(image.height, bottom + ROW_GAP_PX))),
                            border=MARGIN_PX, fill=255)
            for top, bottom in runs if bottom - top >= MIN_ROW_PX]


def read_text(image: Image.Image, language: str = "ja") -> str:
    png = BytesIO()
    image.save(png, format="PNG")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # pages are read in parallel, one per core, already
    done = subprocess.run(["tesseract", "stdin", "stdout", "-l", TESSERACT_LANGUAGES[language][0], *TESSERACT_ARGS],
                          input=png.getvalue(), capture_output=True, env=env)
    if done.returncode != 0:
        raise RenderError(f"tesseract failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode("utf-8", errors="replace")


def normalised(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).translate(DASHES)


def similarity(expected: str, read: str) -> float:
    a, b = normalised(expected), normalised(read)
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def expected_text(line: LineRecord, page: PageRecord) -> str:
    return line.speaker + NAME_SEPARATOR.strip() + "".join(page.rows)


def read_subtitles(video: Path, record: ReviewRecord, workers: int = 2) -> tuple[list[PageReading], dict[int, Image.Image]]:
    """Every page read back, and the band image of each (by frame) to show the worst ones."""
    check_tesseract(record.language)
    box = band_box(record)
    text_px = record.subtitle_size * record.height
    pages = [(line, i, page) for line in record.lines for i, page in enumerate(line.pages, start=1)]
    bands: dict[int, Image.Image] = {}
    frames = sorted({page.middle_frame for _, _, page in pages})
    for start in range(0, len(frames), FRAMES_PER_READ):
        for number, image in read_frames(video, frames[start:start + FRAMES_PER_READ], record.fps).items():
            bands[number] = image.crop(box)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        texts = list(pool.map(lambda f: "".join(read_text(row, record.language)
                                                for row in text_rows(prepared(bands[f], text_px))),
                              [p.middle_frame for _, _, p in pages]))
    readings = []
    for (line, number, page), read in zip(pages, texts):
        expected = expected_text(line, page)
        readings.append(PageReading(line.scene_id, line.line_id, number, page.middle_frame, expected,
                                    "".join(read.split()), round(similarity(expected, read), 3)))
    return readings, bands
