"""Errors a user can cause, caught once at the command line and shown as one paragraph."""

from .screenplay.errors import ScreenplayError
from .timeline import TimelineError


class SetupError(Exception):
    """Something the machine lacks (a font, LaTeX): the message says what to install."""


class RenderError(Exception):
    """A render that cannot go on or whose output is wrong: the message says what and where."""


USER_ERRORS = (ScreenplayError, TimelineError, SetupError, RenderError)
