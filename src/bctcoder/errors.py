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


class PermissionDenied(BctcoderError):
    """The acting user's role does not allow this action (HTTP 403)."""


class ConflictError(BctcoderError):
    """The change cannot be made because someone else changed the same thing meanwhile (HTTP 409).

    ``current`` (optional) is the thing as it is now and ``yours`` the change that was refused, so a caller
    can show both."""

    def __init__(self, message: str, *, current: dict | None = None, yours: dict | None = None):
        super().__init__(message)
        self.current = current
        self.yours = yours


class LimitError(InputError):
    """A value is larger than bctcoder accepts (a memo, a note, a request body) (HTTP 422)."""


class BusyError(BctcoderError):
    """The database stayed busy with another writer (an import, say) longer than we wait (HTTP 503).

    ``retry_after`` is a suggestion in seconds.
    """

    def __init__(self, message: str, retry_after: int = 2):
        super().__init__(message)
        self.retry_after = retry_after


class TooManyAttempts(BctcoderError):
    """Sign-in is paused for this account or address after repeated failures (HTTP 429)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class NotSignedIn(BctcoderError):
    """No valid session: signed out, expired, revoked, or the account was removed (HTTP 401)."""


class DatabaseError(BctcoderError):
    """The database refused an operation (a constraint, a broken connection); the change was not made."""
