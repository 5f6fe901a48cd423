"""Syncing animation to the narration by name: a line's speech, a point within it, its pages.

Scene code never picks a line or a subtitle page by its position: an author who inserts a line
would silently move every animation after it onto the wrong words, and page numbers depend on
font metrics. Instead a line that code syncs to has an `id:` in the screenplay, and a point
within it is a phrase of its text (or a fraction of its speech):

    beta = self.line("beta_explained")
    self.wait_until(beta.start)                 # the voice starts the line
    self.wait_until(beta.at("その分だけ"))        # the voice reaches a phrase
    self.wait_until(beta.page("パラメータ").start)  # the subtitle page showing a phrase appears

A phrase is placed on the speech the way the subtitle pages are: in proportion to the text before
it, so a phrase that opens a page is reached exactly when that page appears. Anything not found
(an unnamed or unknown line, a phrase no longer in the text) is a `SyncError` naming the scene
file, and `check` finds the same references in the scene files without running them.

In the English video the pages show the line's English while scene code names a phrase of its
Japanese: the phrase is then placed at the same relative position in the English pages as it has
in the Japanese text (the screenplay gives no English phrase, and the two languages order a
sentence differently, so this is where the voice is about as far into the line, not the same
word). A phrase the English pages themselves contain is found in them as written.

Nothing here knows Manim: the scene base class and the checker both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .timeline import LineTiming, PageTiming, SceneTimeline

_IGNORED = re.compile(r"\*\*|\s")  # emphasis markers and white space: not part of what is said


class SyncError(Exception):
    """Scene code refers to a line or phrase the screenplay does not have (any more)."""


def searchable(text: str) -> str:
    """Text as phrases are matched against it: no emphasis markers, no white space."""
    return _IGNORED.sub("", text)


def phrase_found(text: str, phrase: str) -> bool:
    return bool(searchable(phrase)) and searchable(phrase) in searchable(text)


@dataclass(frozen=True)
class LineSync:
    """One named line of a scene's timeline, in frames of the scene's clock."""

    timing: LineTiming
    scene_file: Path
    # told what of the line is used, (what, argument): "start", "end", ("at", phrase or fraction),
    # ("page", phrase), "last_page"; a chunk of a render depends only on these (render/chunks.py)
    on_read: Callable[[str, object], None] | None = field(default=None, compare=False, repr=False)

    def _used(self, what: str, argument: object = None) -> None:
        if self.on_read is not None:
            self.on_read(what, argument)

    @property
    def id(self) -> str:
        return self.timing.line.id

    @property
    def start(self) -> int:
        """The frame the voice starts the line (and its first subtitle page appears)."""
        self._used("start")
        return self.timing.speech.start

    @property
    def end(self) -> int:
        """The frame after the voice ends the line."""
        self._used("end")
        return self.timing.speech.end

    @property
    def last_page(self) -> PageTiming:
        self._used("last_page")
        return self.timing.pages[-1]

    def at(self, where: str | float) -> int:
        """The frame the voice reaches a phrase of the line (`"その分だけ"`), or a fraction of its
        speech (`0.5`).

        A phrase is placed as the subtitle pages share the speech: on its page, in proportion to
        the page's text before it, so a phrase that opens a page is reached on the page's first
        frame."""
        self._used("at", where)
        speech = self.timing.speech
        if not isinstance(where, str):
            if not 0 <= where <= 1:
                raise SyncError(f"{self.scene_file}: line '{self.id}': a point within a line is a fraction "
                                f"from 0 to 1, not {where}")
            return speech.start + round(where * speech.frames)
        index, page, before = self._locate(where)
        pages = self.timing.pages
        page_end = pages[index + 1].span.start if index + 1 < len(pages) else speech.end
        return page.span.start + round((page_end - page.span.start) * before / max(1, len(searchable(page.text))))

    def page(self, phrase: str) -> PageTiming:
        """The subtitle page on which a phrase of the line starts."""
        self._used("page", phrase)
        return self._locate(phrase)[1]

    def _locate(self, phrase: str) -> tuple[int, PageTiming, int]:
        """(page index, page, characters of that page before the phrase) of a phrase's start."""
        target = searchable(phrase)
        texts = [searchable(page.text) for page in self.timing.pages]
        shown = "".join(texts)
        found = shown.find(target) if target else -1
        own = searchable(self.timing.line.text)
        if found < 0 and target and target in own:  # the pages show a translation: see the module's docstring
            found = min(len(shown) - 1, round(own.find(target) / len(own) * len(shown)))
        if found < 0:
            raise SyncError(f"{self.scene_file}: line '{self.id}' has no phrase 「{phrase}」 any more "
                            f"(its text: 「{self.timing.line.text.strip()}」): sync to a phrase it has")
        for index, (page, text) in enumerate(zip(self.timing.pages, texts)):
            if found < len(text):
                return index, page, found
            found -= len(text)
        raise AssertionError("a phrase found in the pages lies on one of them")


def line_sync(timeline: SceneTimeline, line_id: str, scene_file: Path) -> LineSync:
    """The named line `line_id` of a scene, or a SyncError that says what the scene has."""
    named = [t.line.id for t in timeline.lines if t.line.named]
    for timing in timeline.lines:
        if timing.line.id == line_id:
            if not timing.line.named:
                raise SyncError(f"{scene_file}: '{line_id}' is a line's position, which an inserted line would "
                                f"shift: give the line an `id:` in the screenplay and sync to that")
            return LineSync(timing, scene_file)
    have = ", ".join(named) or "none"
    raise SyncError(f"{scene_file}: scene {timeline.scene_id} has no line with id '{line_id}' "
                    f"(named lines: {have}); add `id: {line_id}` to the line in the screenplay, or sync to another")
