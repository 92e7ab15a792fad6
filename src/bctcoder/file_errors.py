"""File-system failures (a folder that is not writable, a name that is a folder, a full disk) as one line that
names the path and says what to do, instead of a traceback.

Library code converts an :class:`OSError` where it knows which file it was writing (:func:`cannot_write`);
the CLI's last resort (:mod:`bctcoder.cli.errors`) uses :func:`os_error_line` for any that still escape.
"""

from __future__ import annotations

import errno
from pathlib import Path

from bctcoder.errors import InputError

__all__ = ["cannot_write", "os_error_line", "os_error_reason"]


def os_error_reason(exc: OSError, *, writing: bool = True) -> str:
    """What went wrong and what to do about it, in a few words (no path)."""
    place = "a folder you can write to" if writing else "a file you can read"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return (f"permission denied: choose {place}, or ask whoever owns it for access"
                if writing else "permission denied: ask whoever owns the file for access")
    if exc.errno == errno.EROFS:
        return f"the disk is read-only: choose {place}"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full: free some space or choose another disk"
    if isinstance(exc, IsADirectoryError):
        return "this is a folder, not a file: give a file name"
    if isinstance(exc, NotADirectoryError):
        return "part of this path is a file, not a folder: choose another folder"
    if isinstance(exc, FileExistsError):
        return "a file of this name exists where a folder is needed: choose another name"
    if isinstance(exc, FileNotFoundError):
        return ("the folder does not exist: create it first or choose another" if writing
                else "no such file: check the name")
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long: choose a shorter one"
    return f"{exc.strerror}: check the path" if exc.strerror else (str(exc) or exc.__class__.__name__)


def cannot_write(exc: OSError, path: str | Path, what: str = "write file") -> InputError:
    """An :class:`InputError` naming ``path``: ``cannot write file (<reason and what to do>)``."""
    return InputError(f"cannot {what} ({os_error_reason(exc)})", source=str(path))


def os_error_line(exc: OSError) -> str:
    """One line for an OSError nobody converted: the path it names (if any), what failed, what to do."""
    where = exc.filename if exc.filename is not None else None
    reason = os_error_reason(exc)
    return f"{where}: {reason}" if where is not None else reason
