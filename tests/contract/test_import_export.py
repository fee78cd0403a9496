"""Import (TSV, RDF) and export (RDF, NetworkX, PyG) against every GraphStore backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopgraph.extract.importers.triples import import_triples, read_rdf
from hopgraph.ids import entity_id
from hopgraph.kg.base import GraphStore
from hopgraph.kg.io.export import to_networkx
from hopgraph.kg.io.rdf import to_rdf, triples_from_rdf, write_rdf

KB = """\
# a small film KB
The Killing Room|directed_by|Jonathan Liebesman
The Killing Room|starred_actors|Chloë Sevigny
The Killing Room|release_year|2009
Something Borrowed|written_by|Emily Giffin
Something Borrowed|release_year|2011
Something Borrowed|starred_actors|Kate Hudson
The Killing Room|directed_by|Jonathan Liebesman
"""
SPO = {
    ("The Killing Room", "directed_by", "Jonathan Liebesman"),
    ("The Killing Room", "starred_actors", "Chloë Sevigny"),
    ("The Killing Room", "release_year", "2009"),
    ("Something Borrowed", "written_by", "Emily Giffin"),
    ("Something Borrowed", "release_year", "2011"),
    ("Something Borrowed", "starred_actors", "Kate Hudson"),
}
NAMES = {name for s, _, o in SPO for name in (s, o)}


@pytest.fixture
def kb_file(tmp_path: Path) -> Path:
    path = tmp_path / "films.txt"
    path.write_text(KB, encoding="utf-8")
    return path


def _name_triples(store: GraphStore) -> set[tuple[str, str, str]]:
    names = {e.id: e.name for e in store.iter_entities()}
    return {(names[r.source], r.predicate, names[r.target]) for r in store.iter_relations()}


def test_import_tsv_stats_and_provenance(store: GraphStore, kb_file: Path) -> None:
    progress: list[int] = []
    report = import_triples(store, kb_file, batch_size=4, progress=progress.append)
    assert (report.triples, report.batches) == (7, 2)
    assert progress == [4, 7]
    stats = store.stats()
    assert (stats.documents, stats.chunks, stats.entities, stats.relations) == (1, 0, len(NAMES), 6)
    assert stats.relation_types == {"DIRECTED_BY": 1, "STARRED_ACTORS": 2, "RELEASE_YEAR": 2, "WRITTEN_BY": 1}
    (doc,) = store.get_documents([report.doc_id])
    assert (doc.source, doc.title) == (str(kb_file.resolve()), "films.txt")
    assert _name_triples(store) == SPO
    for rel in store.iter_relations():
        assert rel.doc_ids == (report.doc_id,)
        assert rel.chunk_ids == ()
    # Importing the same file again changes nothing.
    import_triples(store, kb_file)
    assert store.stats() == stats and store.stats().relation_types == stats.relation_types


def test_deleting_the_import_document_removes_it_all(
    store: GraphStore, kb_file: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.tsv"
    other.write_text("Kate Hudson\tborn_in\tLos Angeles\n", encoding="utf-8")
    films = import_triples(store, kb_file)
    kept = import_triples(store, other)
    assert store.stats().relations == 7
    store.delete_document(films.doc_id)
    stats = store.stats()
    assert (stats.documents, stats.entities, stats.relations) == (1, 2, 1)
    assert _name_triples(store) == {("Kate Hudson", "born_in", "Los Angeles")}
    assert {e.id for e in store.iter_entities()} == {entity_id("Kate Hudson"), entity_id("Los Angeles")}
    store.delete_document(kept.doc_id)
    empty = store.stats()
    assert (empty.documents, empty.entities, empty.relations) == (0, 0, 0)


def test_rdf_export_round_trips(store: GraphStore, kb_file: Path, tmp_path: Path) -> None:
    import_triples(store, kb_file)
    graph = to_rdf(store)
    assert {(t.subject, t.predicate, t.object) for t in triples_from_rdf(graph)} == SPO
    for fmt, suffix in (("turtle", "ttl"), ("nt", "nt"), ("xml", "rdf"), ("json-ld", "jsonld")):
        path = write_rdf(store, tmp_path / f"export.{suffix}", fmt)
        assert {(t.subject, t.predicate, t.object) for t in read_rdf(path)} == SPO, fmt
    store.clear()
    assert store.stats().entities == 0
    report = import_triples(store, tmp_path / "export.ttl", format="rdf")
    assert report.triples == len(SPO)
    assert _name_triples(store) == SPO
    assert store.stats().relation_types == {
        "DIRECTED_BY": 1,
        "STARRED_ACTORS": 2,
        "RELEASE_YEAR": 2,
        "WRITTEN_BY": 1,
    }


def test_rdf_export_keeps_entity_types(store: GraphStore, tmp_path: Path) -> None:
    ttl = tmp_path / "typed.ttl"
    ttl.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'ex:bohr a ex:Physicist ; rdfs:label "Niels Bohr" ; ex:bornIn ex:Copenhagen .\n',
        encoding="utf-8",
    )
    import_triples(store, ttl, format="rdf")
    (bohr,) = store.find_entities(["Niels Bohr"])
    assert bohr.type == "Physicist"
    again = list(triples_from_rdf(to_rdf(store, base_iri="http://example.org/hg/")))
    assert [(t.subject, t.predicate, t.object, t.subject_type) for t in again] == [
        ("Niels Bohr", "bornIn", "Copenhagen", "Physicist")
    ]


def test_networkx_export_matches_store(store: GraphStore, kb_file: Path) -> None:
    report = import_triples(store, kb_file)
    graph = to_networkx(store)
    stats = store.stats()
    assert graph.number_of_nodes() == stats.entities
    assert graph.number_of_edges() == stats.relations
    film, director = entity_id("The Killing Room"), entity_id("Jonathan Liebesman")
    assert graph.nodes[film]["name"] == "The Killing Room"
    assert graph.has_edge(film, director, key="DIRECTED_BY")
    edge = graph.edges[film, director, "DIRECTED_BY"]
    assert edge["predicate"] == "directed_by"
    assert edge["doc_ids"] == [report.doc_id]
    assert edge["chunk_ids"] == []
    assert edge["confidence"] == pytest.approx(1.0)
    assert not graph.has_edge(director, film)


def test_pyg_export_matches_store(store: GraphStore, kb_file: Path) -> None:
    pytest.importorskip("torch_geometric")
    import torch

    from hopgraph.kg.io.export import to_pyg, to_pyg_hetero

    import_triples(store, kb_file)
    export = to_pyg(store)
    data = export.data
    assert data.num_nodes == len(NAMES) == len(export.node_ids)
    assert export.node_index == {node_id: i for i, node_id in enumerate(export.node_ids)}
    assert set(export.node_ids) == {entity_id(n) for n in NAMES}
    assert export.relation_types == ["DIRECTED_BY", "RELEASE_YEAR", "STARRED_ACTORS", "WRITTEN_BY"]
    assert data.edge_index.dtype == torch.long and tuple(data.edge_index.shape) == (2, 6)
    assert data.edge_type.dtype == torch.long and tuple(data.edge_type.shape) == (6,)
    edges = {
        (export.node_ids[s], export.relation_types[t], export.node_ids[o])
        for (s, o), t in zip(data.edge_index.t().tolist(), data.edge_type.tolist(), strict=True)
    }
    assert (entity_id("Something Borrowed"), "WRITTEN_BY", entity_id("Emily Giffin")) in edges
    assert len(edges) == 6

    hetero = export.hetero()
    assert hetero["entity"].num_nodes == len(NAMES)
    assert set(hetero.edge_types) == {("entity", t, "entity") for t in export.relation_types}
    starred = hetero["entity", "STARRED_ACTORS", "entity"].edge_index
    assert tuple(starred.shape) == (2, 2)
    actors = {export.node_ids[i] for i in starred[1].tolist()}
    assert actors == {entity_id("Chloë Sevigny"), entity_id("Kate Hudson")}
    assert set(to_pyg_hetero(store).edge_types) == set(hetero.edge_types)


def test_exports_of_an_empty_store(store: GraphStore) -> None:
    assert to_networkx(store).number_of_nodes() == 0
    assert len(to_rdf(store)) == 0
    pytest.importorskip("torch_geometric")
    from hopgraph.kg.io.export import to_pyg

    export = to_pyg(store)
    assert tuple(export.data.edge_index.shape) == (2, 0)
    assert export.node_ids == [] and export.relation_types == []


def _entities(store: GraphStore) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(e.name, e.type, tuple(sorted(e.aliases))) for e in store.iter_entities()}


@pytest.mark.parametrize(("suffix", "fmt"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_rdf_round_trip_keeps_lonely_entities_aliases_and_every_wording(
    store: GraphStore, tmp_path: Path, suffix: str, fmt: str
) -> None:
    """Issue 12 item 5: entities without relations and aliases were lost (46 -> 43), and two
    wordings of one relationship type came back as one."""
    from hopgraph.types import Entity, Triple

    store.upsert_triples(
        [
            Triple("Alien", "directed by", "Ridley Scott", subject_type="film"),
            Triple("Blade Runner", "Directed_By", "Ridley Scott"),
            Triple("Alien", "directed_by", "Ridley Scott"),  # a third wording, same ends and type
        ]
    )
    store.upsert_entities([Entity("Lonely Island", type="place", aliases=("LI", "the island"))])
    store.upsert_entities([Entity("Ridley Scott", aliases=("Sir Ridley",))])
    before_entities, before_relations = _entities(store), _name_triples(store)
    path = write_rdf(store, tmp_path / f"g.{suffix}", fmt)
    store.clear()
    report = import_triples(store, path, format="rdf")
    assert _entities(store) == before_entities
    assert _name_triples(store) == before_relations
    # deleting the imported file's document removes the lonely entity too
    store.delete_document(report.doc_id)
    assert store.stats().entities == 0
