"""The last few finished renders of an output folder, kept so that going back to one puts its video
and side files back instead of joining and writing them again.

Undoing an edit draws nothing (its chunks are kept), but the joined video and its side files were
still made again: at 1080p60 the join and the side files took 3 of the undo's 7 s. Each render
that joins a video keeps hard links to what it wrote (the video, the captions, the chapters, the
stills, the review page, its report and its folder) as an entry of the store <build>/cache/finished/
<output>/, under the key of everything they are made from (the final inputs: scene videos,
soundtrack, captions, the joining code; and which files the render writes). A render whose final
inputs match a kept entry links its files back into place, each replacing the file there at once.

Hard links cost no bytes while a file is in place; an entry whose files have all been replaced
holds one earlier video (about 200 MB at 1080p60, 10 MB at 480p15) and its side files. KEEP of
them are kept, the least recently used going first. The stems are not kept here: they are the
soundtrack's, in its own store.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.build_layout import BuildLayout
from ..core.files import atomic_path, link_or_copy
from ..core.keys import digest
from ..core.store import CHECK_NAME, Store

KEEP = 2  # earlier finished renders of each output folder (the current one is kept besides)
FACTS_NAME = "finished.json"


class FinishedRenders:
    def __init__(self, outputs: BuildLayout, keep: int = KEEP):
        self.outputs = outputs
        folder = outputs.output.relative_to(outputs.root).as_posix() if outputs.output != outputs.root else ""
        self.store = Store(outputs.root / "cache" / "finished" / (folder.replace("/", "-") or "default"), keep=keep + 1)

    def key(self, final_inputs: str, files: list[Path]) -> str:
        return digest([final_inputs, [self.outputs.relative(p) for p in files]])

    def keep(self, key: str, files: list[Path], facts: dict) -> None:
        """Keep `files` (in the output folder; the review folder's files too) and `facts` (what the
        manifest records of the video) under `key`."""
        with self.store.making() as work:
            for path in dict.fromkeys([*files, *_review_files(self.outputs)]):  # (the record is in both)
                if path.is_file():
                    target = work / self.outputs.relative(path)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    link_or_copy(path, target)
            (work / FACTS_NAME).write_text(json.dumps(facts), encoding="utf-8")
            self.store.put_files(key, work)
        self.store.prune()

    def restore(self, key: str, files: list[Path]) -> dict | None:
        """Put the kept files of `key` back in place (each replaced at once); the facts kept with
        them, or None if there is no such entry (or it is damaged, or lacks one of `files`)."""
        entry = self.store.entry_dir(key)
        if entry is None:
            return None
        if not all((entry / self.outputs.relative(p)).is_file() for p in files):
            return None
        try:
            facts = json.loads((entry / FACTS_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        for kept in sorted(p for p in entry.rglob("*") if p.is_file()):
            if kept.parent == entry and kept.name in (FACTS_NAME, CHECK_NAME):
                continue
            with atomic_path(self.outputs.output / kept.relative_to(entry)) as tmp:
                link_or_copy(kept, tmp)
        return facts


def _review_files(outputs: BuildLayout) -> list[Path]:
    folder = outputs.review_folder
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else []
