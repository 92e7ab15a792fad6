"""Exceptions raised by bctcoder's library code.

Every error a user can cause (a bad file, an unknown code, a duplicate id) is a
:class:`BctcoderError` whose message is one readable line naming the file, line
or field at fault. The CLI prints that line and exits non-zero; nothing else
should ever reach the user as a traceback.
"""

from __future__ import annotations


class BctcoderError(Exception):
    """Base class for every error bctcoder reports to a user."""


class InputError(BctcoderError):
    """A file or value supplied by the user is invalid.

    ``source`` names the file (or field), ``line`` the 1-based line when known.
    """

    def __init__(self, message: str, source: str | None = None, line: int | None = None):
        self.source = source
        self.line = line
        where = ""
        if source is not None:
            where = f"{source}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(f"{where}{message}")
        self.reason = message


class TranscriptError(InputError):
    """A transcript file cannot be read (corrupt, empty, undecodable, unknown format)."""


class TaxonomyError(BctcoderError):
    """A taxonomy, codebook or code reference is invalid."""


class ProjectError(BctcoderError):
    """The project cannot be opened, created or migrated."""


class NotFoundError(BctcoderError):
    """A named object (document, case, code, coder, coding) does not exist."""
