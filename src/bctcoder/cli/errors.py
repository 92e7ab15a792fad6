"""Turning library errors into one clean line and a non-zero exit."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer
from rich.text import Text

from bctcoder.cli.output import literal, make_console
from bctcoder.errors import BctcoderError
from bctcoder.file_errors import os_error_line

err_console = make_console(stderr=True)


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a command so user errors print ``Error: ...`` and exit 1, never a traceback (file-system
    failures included: a folder that is not writable, a name that is a folder, a full disk)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except BctcoderError as exc:
            # the message names the user's files, codes and documents: shown as it is, only "Error:" styled
            err_console.print(Text.assemble(literal("Error:", "red"), " ", literal(exc)), soft_wrap=True)
            raise typer.Exit(1) from None
        except OSError as exc:
            # the last resort for a file-system failure the library did not turn into a BctcoderError itself
            err_console.print(Text.assemble(literal("Error:", "red"), " ", literal(os_error_line(exc))),
                              soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("Interrupted: the project was left as it was before this command.")
            raise typer.Exit(130) from None

    return wrapper
