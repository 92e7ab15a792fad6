"""REFI-QDA exchange formats (QDA-XML): codebooks (.qdc) and projects (.qdpx)."""
