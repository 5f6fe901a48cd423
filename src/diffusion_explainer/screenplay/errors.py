"""The one error a screenplay can raise: it says which file, which line and which field."""

from __future__ import annotations


class ScreenplayError(Exception):
    """A screenplay the tool refuses; the message names the file, the line and the field."""

    def __init__(self, path: str, line: int | None, field: str, message: str):
        self.path = path
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"
