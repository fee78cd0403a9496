"""Reusable test helpers (scripted servers, builders)."""
