"""Cache keys of a store's content: counts, the write generation, and atomic cache files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hopgraph.kg.content_cache import bump_generation, content_key, load_arrays, read_generation, save_arrays


class CountingStore:
    """Answers every count query with ``count``."""

    name = "fake"

    def __init__(self, count: int) -> None:
        self.count = count

    def cypher(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        assert "count(" in query
        return [{"n": self.count}]


def test_the_key_changes_with_counts_generation_and_extras(tmp_path: Path) -> None:
    store = CountingStore(3)
    key = content_key(store, tmp_path, "format-1")  # type: ignore[arg-type]
    assert key == content_key(store, tmp_path, "format-1")  # type: ignore[arg-type]
    assert key != content_key(store, tmp_path, "format-2")  # type: ignore[arg-type]
    assert key != content_key(CountingStore(4), tmp_path, "format-1")  # type: ignore[arg-type]
    bump_generation(tmp_path)
    assert read_generation(tmp_path) == 1
    assert key != content_key(store, tmp_path, "format-1")  # type: ignore[arg-type]


def test_generation_starts_at_zero_and_survives_garbage(tmp_path: Path) -> None:
    assert read_generation(None) == 0 and read_generation(tmp_path / "missing") == 0
    (tmp_path / "generation").write_text("not a number")
    assert read_generation(tmp_path) == 0
    bump_generation(tmp_path)
    bump_generation(tmp_path)
    assert read_generation(tmp_path) == 2


def test_saving_replaces_older_files_of_the_family_only(tmp_path: Path) -> None:
    (tmp_path / "kb-graph-old.npz").write_bytes(b"old")
    (tmp_path / "graph-index-keep.npz").write_bytes(b"other family")
    save_arrays(tmp_path / "kb-graph-new.npz", {"a": np.arange(3)}, family="kb-graph-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph-index-keep.npz", "kb-graph-new.npz"]
    with np.load(tmp_path / "kb-graph-new.npz") as data:
        assert data["a"].tolist() == [0, 1, 2]


def test_a_folder_that_cannot_be_written_is_warned_about_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING, logger="hopgraph.kg.content_cache"):
        assert save_arrays(blocked / "kb-graph-x.npz", {"a": np.arange(2)}, family="kb-graph-") is False
        bump_generation(blocked)
    assert "not caching" in caplog.text and "cannot record the graph write" in caplog.text
    assert read_generation(blocked) == 0


def test_load_arrays_builds_a_current_file_and_passes_over_a_damaged_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "family-key.npz"
    assert load_arrays(path, "test", lambda data: data["a"].tolist()) is None  # no file
    assert load_arrays(None, "test", lambda data: data["a"].tolist()) is None  # no cache dir
    save_arrays(path, {"a": np.arange(3)}, family="family-")
    assert load_arrays(path, "test", lambda data: data["a"].tolist()) == [0, 1, 2]
    with caplog.at_level(logging.WARNING, logger="hopgraph.kg.content_cache"):
        assert load_arrays(path, "test", lambda data: data["missing"]) is None  # a build that fails
        path.write_bytes(b"not an npz file")
        assert load_arrays(path, "test", lambda data: data["a"].tolist()) is None
    assert caplog.text.count("ignoring unreadable test cache") == 2
