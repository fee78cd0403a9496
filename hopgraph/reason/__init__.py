"""reason components."""
