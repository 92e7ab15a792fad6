"""Exchange with other tools: REFI-QDA codebooks and projects, codebook tables."""
