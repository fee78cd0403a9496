"""reason.base: the path-in-store check reads hops by their stored ids; labels; weights files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from hopgraph.errors import ConfigError
from hopgraph.reason.base import chunk_label, load_weights, path_label, paths_in_store, stored_key
from hopgraph.types import Hop, ReasoningPath, Relation


class RelationStore:
    """Just ``get_relations`` over a fixed list (the only read the check makes); counts reads."""

    def __init__(self, relations: Iterable[Relation]) -> None:
        self.relations = list(relations)
        self.reads = 0

    def get_relations(self, keys: Iterable[tuple[str, str, str]]) -> list[Relation]:
        self.reads += 1
        wanted = set(keys)
        return [r for r in self.relations if (r.source, r.type, r.target) in wanted]


STORED = Relation("e-ink", "FOUNDED_BY", "e-maya", "founded by", chunk_ids=("c1",))


def hop(target_name: str, *, chunks: tuple[str, ...] = ("c1",), inverse: bool = False) -> Hop:
    if inverse:  # the same stored relation walked backwards
        return Hop(
            target_name, "founded by", "Orbital Ink", chunks, (), True, "e-maya", "e-ink", "FOUNDED_BY"
        )
    return Hop("Orbital Ink", "founded by", target_name, chunks, (), False, "e-ink", "e-maya", "FOUNDED_BY")


def test_a_hop_is_checked_by_its_stored_ids_not_by_its_names() -> None:
    store = RelationStore([STORED])
    renamed = ReasoningPath((hop("Hiro Sato"),))  # the entity's name changed, its id did not
    backwards = ReasoningPath((hop("Hiro Sato", inverse=True),))
    unknown_chunk = ReasoningPath((hop("Hiro Sato", chunks=("c9",)),))
    no_ids = ReasoningPath((Hop("Orbital Ink", "founded by", "Hiro Sato", ("c1",)),))
    held = paths_in_store(store, [renamed, backwards, unknown_chunk, no_ids])  # type: ignore[arg-type]
    assert held == [True, True, False, False]
    assert store.reads == 1
    assert stored_key(backwards.hops[0]) == ("e-ink", "FOUNDED_BY", "e-maya")


def test_a_path_the_store_lost_is_not_held() -> None:
    assert paths_in_store(RelationStore([]), [ReasoningPath((hop("Maya Chen"),))]) == [False]  # type: ignore[arg-type]


def test_labels() -> None:
    assert (path_label(1), chunk_label(12)) == ("P1", "C12")


def test_weights_files_errors_name_the_problem(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    with pytest.raises(ConfigError, match=r"no weights file at .*train one with 'hopgraph train qa'"):
        load_weights(tmp_path / "none.pt", "fmt-1", what="doc scorer", train="hopgraph train qa")
    junk = tmp_path / "junk.pt"
    junk.write_text("not a weights file")
    with pytest.raises(ConfigError, match=r"is not a hopgraph doc scorer weights file"):
        load_weights(junk, "fmt-1", what="doc scorer", train="hopgraph train qa")
