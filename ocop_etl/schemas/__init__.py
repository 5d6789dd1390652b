"""pandera models and the canonical column names they check."""
