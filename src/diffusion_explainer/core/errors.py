"""Errors a user can cause, caught once at the command line and shown as one paragraph each."""

from __future__ import annotations

from dataclasses import dataclass


class SetupError(Exception):
    """Something the machine lacks (a font, LaTeX): the message says what to install."""


class UsageError(Exception):
    """Options on the command line that do not go together or are malformed."""


class RenderError(Exception):
    """A render that cannot go on or whose output is wrong: the message says what and where."""


@dataclass(frozen=True)
class Problem:
    """One thing a render would refuse (found by `checks`): where it is and what to do."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


class CheckFailed(Exception):
    """The screenplay or its scene files have problems; each is one paragraph of the message."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

