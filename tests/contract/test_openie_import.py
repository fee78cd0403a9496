"""HippoRAG OpenIE import into a real store: passages, provenance, malformed triples, the real file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hopgraph.errors import ImportFormatError
from hopgraph.extract.loaders import load_file
from hopgraph.extract.openie import import_openie, valid_triple
from hopgraph.ids import entity_id
from hopgraph.kg.base import GraphStore
from hopgraph.types import Document

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
