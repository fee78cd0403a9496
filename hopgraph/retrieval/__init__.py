"""retrieval components."""
