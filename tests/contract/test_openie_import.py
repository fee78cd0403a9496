"""HippoRAG OpenIE import into a real store: passages, provenance, malformed triples, the real file,
background writes (same graph as serial, failures surface)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.errors import CypherError, ImportFormatError
from hopgraph.extract.embed_graph import CHUNK_FORMAT, chunk_text, stale_chunks
from hopgraph.extract.importers.openie import OpenIEImportReport, import_openie, valid_triple
from hopgraph.extract.jobs.background import THREAD_NAME
from hopgraph.extract.load.files import load_file
from hopgraph.ids import entity_id
from hopgraph.kg.base import GraphStore, WriteCounts
from hopgraph.types import Document, Triple

MUSIQUE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "musique100"

CORPUS = [
    {"title": "Niels Bohr", "text": "Niels Bohr was born in Copenhagen."},
    {"title": "Copenhagen", "text": "Copenhagen is the capital of Denmark."},
    {"title": "Empty", "text": "A passage the OpenIE run found nothing in."},
]
OPENIE: dict[str, Any] = {
    "docs": [
        {
            "title": "Niels Bohr",
            "text": "Niels Bohr was born in Copenhagen.",
            "extracted_triples": [
                ["Niels Bohr", "born in", "Copenhagen"],
                ["Niels Bohr", "physicist"],  # two parts
                ["", "is", "x"],  # empty part
                ["Niels Bohr", "won", "Nobel Prize", "1922"],  # four parts
                ["Niels Bohr", 7, "x"],  # not a string
            ],
        },
        {
            "title": "renamed in the OpenIE run",
            "passage": "Copenhagen\nCopenhagen is the capital of Denmark.",
            "extracted_triples": [["copenhagen", "capital of", "Denmark"]],
        },
        {"title": "Nowhere", "text": "Not in the corpus.", "extracted_triples": [["A", "b", "C"]]},
        "not a record",
    ]
}


def write_inputs(folder: Path, corpus: Any = CORPUS, openie: Any = OPENIE) -> tuple[Path, Path]:
    corpus_path, openie_path = folder / "corpus.json", folder / "openie.json"
    corpus_path.write_text(json.dumps(corpus))
    openie_path.write_text(json.dumps(openie))
    return corpus_path, openie_path


def test_passages_become_documents_with_one_chunk_and_provenance(store: GraphStore, tmp_path: Path) -> None:
    corpus, openie = write_inputs(tmp_path)
    report = import_openie(store, corpus, openie)
    assert (report.documents, report.chunks, report.triples) == (3, 3, 2)
    assert (report.malformed_triples, report.unmatched_records) == (4, 2)
    stats = store.stats()
    assert (stats.documents, stats.chunks, stats.entities, stats.relations) == (3, 3, 3, 2)
    # the same Document (source, id) the loader makes for the corpus record
    loaded = [d for d in load_file(corpus) if isinstance(d, Document)]
    assert store.get_documents([d.id for d in loaded]) == [
        Document(source=d.source, id=d.id, title=d.title) for d in loaded
    ]
    assert loaded[0].source == f"{corpus.resolve()}#0"
    [born] = store.neighbours(entity_id("Niels Bohr"), direction="out")
    [chunk] = store.get_chunks(born.chunk_ids)
    assert chunk.text == "Niels Bohr was born in Copenhagen." and chunk.ord == 0
    assert born.doc_ids == (loaded[0].id,) and chunk.doc_id == loaded[0].id
    # "copenhagen" resolved to the entity of the first passage, its spelling kept as an alias
    [city] = store.get_entities([entity_id("Copenhagen")])
    assert city.aliases == ("copenhagen",)
    assert [(m.alias, m.canonical) for m in report.merges] == [("copenhagen", "Copenhagen")]


def test_reimport_changes_nothing(store: GraphStore, tmp_path: Path) -> None:
    corpus, openie = write_inputs(tmp_path)
    import_openie(store, corpus, openie, batch_size=1)
    before = store.stats()
    import_openie(store, corpus, openie)
    assert store.stats() == before


def test_bad_openie_file_is_a_clear_error(store: GraphStore, tmp_path: Path) -> None:
    corpus, openie = write_inputs(tmp_path, openie=[{"title": "x"}])
    with pytest.raises(ImportFormatError, match='"docs" list'):
        import_openie(store, corpus, openie)
    openie.write_text("{not json")
    with pytest.raises(ImportFormatError, match="not a JSON OpenIE file"):
        import_openie(store, corpus, openie)
    assert store.stats().documents == 0


@pytest.mark.skipif(not MUSIQUE.is_dir(), reason="needs ../shared/data/musique100")
def test_real_musique_records(store: GraphStore, tmp_path: Path) -> None:
    """The first 120 passages of the real GPT-3.5 OpenIE output, malformed triples included."""
    corpus = json.loads((MUSIQUE / "corpus.json").read_text())[:120]
    docs = json.loads((MUSIQUE / "openie_gpt-3.5-turbo-1106.json").read_text())["docs"]
    wanted = {(r["title"], r["text"]) for r in corpus}
    records = [r for r in docs if (r["title"], r["text"]) in wanted]
    raw = [t for r in records for t in r["extracted_triples"]]
    good = [t for t in raw if valid_triple(t)]
    report = import_openie(store, *write_inputs(tmp_path, corpus, {"docs": records}))
    assert (report.documents, report.unmatched_records) == (120, 0)
    assert report.triples == len(good) and report.malformed_triples == len(raw) - len(good) > 0
    relations = sum(len(r.chunk_ids) for r in store.iter_relations())
    assert 0 < relations <= len(good)
    assert store.stats().chunks == 120


def musique_inputs(folder: Path, passages: int) -> tuple[Path, Path]:
    """The first ``passages`` MuSiQue passages that have OpenIE records, and those records."""
    corpus = json.loads((MUSIQUE / "corpus.json").read_text())[:passages]
    wanted = {(r["title"], r["text"]) for r in corpus}
    docs = json.loads((MUSIQUE / "openie_gpt-3.5-turbo-1106.json").read_text())["docs"]
    return write_inputs(folder, corpus, {"docs": [r for r in docs if (r["title"], r["text"]) in wanted]})


def snapshot(store: GraphStore, report: OpenIEImportReport) -> dict[str, Any]:
    """Everything an import decides: nodes, relations with provenance, aliases, merges, vectors."""
    return {
        "stats": store.stats(),
        "relations": sorted(
            (r.source, r.type, r.target, r.predicate, sorted(r.chunk_ids), sorted(r.doc_ids))
            for r in store.iter_relations()
        ),
        "entities": sorted((e.id, e.name, e.type, sorted(e.aliases)) for e in store.iter_entities()),
        "mentions": store.cypher(
            "MATCH (c:Chunk)-[:MENTIONS]->(e:Entity) RETURN c.id AS c, e.id AS e ORDER BY c, e"
        ),
        "vectors": store.cypher(
            "MATCH (n) WHERE n.embedding IS NOT NULL "
            "RETURN labels(n)[0] AS label, count(n) AS n ORDER BY label"
        ),
        "missing": [store.missing_embeddings("Chunk"), store.missing_embeddings("Entity")],
        "merges": report.merges,
        "counts": (report.triples, report.embedded_chunks, report.embedded_entities),
    }


@pytest.mark.slow
@pytest.mark.skipif(not MUSIQUE.is_dir(), reason="needs ../shared/data/musique100")
def test_background_writes_build_the_serial_graph(
    store: GraphStore, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    """40 real passages in rounds of 10: writes overlapped with embedding give the same graph,
    merges and vectors as writing on the calling thread; a re-import embeds no chunk again."""
    inputs = musique_inputs(tmp_path, 40)
    options: dict[str, Any] = {"embedder": embedder, "batch_size": 10, "embed_batch_size": 4}
    serial = import_openie(store, *inputs, background_writes=False, **options)
    expected = snapshot(store, serial)
    store.clear()
    overlapped = import_openie(store, *inputs, **options)
    assert snapshot(store, overlapped) == expected
    assert expected["missing"] == [[], []] and expected["stats"].chunks == 40
    # every entity's vector came from the resolver: none was left to embed after the import
    entities = expected["stats"].entities
    assert overlapped.embedded_chunks == 40 and overlapped.embedded_entities == entities
    assert overlapped.entities == entities
    assert len(overlapped.merges) > 0  # the rounds do resolve names against earlier rounds
    assert overlapped.timings["write"] > 0 and not _writer_threads()
    # chunk vectors carry their passage's title and are marked so: nothing for reembed to do
    assert stale_chunks(store) == []
    [row] = store.cypher(
        "MATCH (d:Document)-[:HAS_CHUNK]->(c:Chunk) RETURN d.title AS title, c.text AS text, "
        "c.embedding AS v, c.embedded_as AS mark ORDER BY c.id LIMIT 1"
    )
    assert row["mark"] == CHUNK_FORMAT and row["title"]
    titled = embedder.embed([chunk_text(row["text"], row["title"])])[0]
    assert float(np.asarray(row["v"]) @ titled) == pytest.approx(1.0, abs=1e-3)
    # a re-import is a no-op: completed passages are skipped, nothing is resolved or embedded again
    again = import_openie(store, *inputs, **options)
    assert (again.embedded_chunks, again.embedded_entities) == (0, 0)
    assert again.already_imported == 40 and again.merges == ()
    assert snapshot(store, overlapped) == expected


class FailingTriplesStore:
    """A real store whose ``n``-th ``upsert_triples`` runs a statement FalkorDB/Neo4j rejects."""

    def __init__(self, inner: GraphStore, n: int) -> None:
        self.inner, self.n, self.calls = inner, n, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def upsert_triples(self, triples: Iterable[Triple]) -> WriteCounts:
        self.calls += 1
        if self.calls == self.n:
            self.inner.cypher("THIS IS NOT CYPHER", write=True)
        return self.inner.upsert_triples(triples)


@pytest.mark.parametrize("background", [True, False])
def test_a_failed_write_fails_the_import(store: GraphStore, tmp_path: Path, background: bool) -> None:
    """The store's own error is raised (naming the write), later writes are skipped, no thread is left."""
    corpus, openie = write_inputs(tmp_path)
    failing = FailingTriplesStore(store, n=2)
    with pytest.raises(CypherError) as raised:
        import_openie(failing, corpus, openie, batch_size=1, background_writes=background)
    assert any("passages 2-2: 1 triples" in note for note in raised.value.__notes__)
    assert not _writer_threads()
    # round 1 is in the store; round 2 stopped at its triples; round 3 was never written
    stats = store.stats()
    assert (stats.documents, stats.chunks, stats.relations) == (2, 2, 1)
    assert [r.predicate for r in store.iter_relations()] == ["born in"]
    # rerun on the healthy store: the completed passage is skipped, the broken one redone
    rerun = import_openie(store, corpus, openie, batch_size=1, background_writes=background)
    assert rerun.already_imported == 1
    resumed = {(r.predicate, r.doc_ids) for r in store.iter_relations()}
    store.clear()
    import_openie(store, corpus, openie, batch_size=1, background_writes=background)
    assert {(r.predicate, r.doc_ids) for r in store.iter_relations()} == resumed
    assert store.stats().relations == len(resumed) > 1


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME)]
