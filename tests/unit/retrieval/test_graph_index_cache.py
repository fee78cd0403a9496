"""Which older graph-index cache files lend their predicate vectors to a rebuild."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hopgraph.retrieval.graph_index import FORMAT, _reusable_predicates


def write_cache(folder: Path, model: str, form: str) -> np.ndarray:
    vectors = np.eye(2, dtype=np.float32)
    np.savez(
        folder / "graph-index-0123.npz",
        model=np.array(model),
        format=np.array(form),
        predicates=np.array(["born in", "directed"]),
        predicate_vecs=vectors,
    )
    return vectors


@pytest.mark.parametrize("form", ["graph-index-5", FORMAT])
def test_predicates_of_a_compatible_format_are_reused(tmp_path: Path, form: str) -> None:
    """Format 6 changed only BM25's text: a format-5 cache's predicate vectors are still right."""
    vectors = write_cache(tmp_path, "all-MiniLM-L6-v2", form)
    reused = _reusable_predicates(tmp_path, "all-MiniLM-L6-v2")
    assert sorted(reused) == ["born in", "directed"]
    np.testing.assert_array_equal(reused["directed"], vectors[1])


@pytest.mark.parametrize(("model", "form"), [("other-model", FORMAT), ("all-MiniLM-L6-v2", "graph-index-4")])
def test_predicates_of_another_model_or_an_old_format_are_not(tmp_path: Path, model: str, form: str) -> None:
    write_cache(tmp_path, model, form)
    assert _reusable_predicates(tmp_path, "all-MiniLM-L6-v2") == {}
