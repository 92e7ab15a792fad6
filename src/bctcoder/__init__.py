"""bctcoder: code interview transcripts against behaviour change technique taxonomies."""

from bctcoder.errors import BctcoderError

__version__ = "0.1.0"

__all__ = ["BctcoderError", "Project", "__version__"]


def __getattr__(name: str):
    """``from bctcoder import Project`` without importing the whole library on ``import bctcoder``."""
    if name == "Project":
        from bctcoder.project import Project

        return Project
    raise AttributeError(f"module 'bctcoder' has no attribute {name!r}")
