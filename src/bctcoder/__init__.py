"""bctcoder: code interview transcripts against behaviour change technique taxonomies."""

from bctcoder.errors import BctcoderError

__version__ = "0.1.0"

__all__ = ["BctcoderError", "__version__"]
