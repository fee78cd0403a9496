"""Gold passages resolved to the Documents of a real store, and ``hopgraph eval retrieval`` end to end."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from hopgraph.api import HopGraph
from hopgraph.eval.qa_data import GoldPassage
from hopgraph.eval.retrieval import StoreGoldResolver
from hopgraph.extract.load.files import load_documents
from hopgraph.kg.base import GraphStore
from hopgraph.retrieval.base import RetrievalOutput
from hopgraph.types import Chunk, Document

CORPUS = [
    {"title": "Blue", "text": "Blue Records was founded by Bo Lind in Oslo."},
    {"title": "Blue", "text": "Blue is a colour."},
    {"title": "Ann", "text": "Ann signed with Blue Records."},
]
SPLIT = ("Edward Wood was an American filmmaker.", "He made  films.")


def fill(store: GraphStore, folder: Path) -> dict[str, str]:
    """The corpus (one Document and Chunk per record, as the loaders make them) plus a document
    with no text hash split over two chunks; returns doc ids by a short name."""
    path = folder / "corpus.json"
    path.write_text(json.dumps(CORPUS))
    docs, problems = load_documents([path])
    assert problems == []
    bare = Document(source="manual://ed-wood", title="Ed Wood")
    store.upsert_documents([*docs, bare])
    chunks = [Chunk(doc_id=d.id, ord=0, text=d.text) for d in docs]
    chunks += [Chunk(doc_id=bare.id, ord=i, text=t) for i, t in enumerate(SPLIT)]
    store.upsert_chunks(chunks)
    return {"label": docs[0].id, "colour": docs[1].id, "ann": docs[2].id, "ed": bare.id}


def test_gold_passages_resolve_by_title_and_text(store: GraphStore, tmp_path: Path) -> None:
    ids = fill(store, tmp_path)
    resolver = StoreGoldResolver.from_store(store, page_size=2)  # pages: 2 + 2 documents
    assert resolver.documents == 4
    # same title, told apart by text; the text hash alone when the title differs
    assert resolver.resolve(GoldPassage("Blue", CORPUS[0]["text"])) == {ids["label"]}
    assert resolver.resolve(GoldPassage(" Blue ", CORPUS[1]["text"])) == {ids["colour"]}
    assert resolver.resolve(GoldPassage("Blue (label)", CORPUS[0]["text"])) == {ids["label"]}
    # a document without a stored hash: its chunk texts, whitespace-insensitive
    text = "Edward Wood was an American filmmaker. He made films."
    assert resolver.resolve(GoldPassage("Ed Wood", text)) == {ids["ed"]}
    # a hashed document whose gold text differs in whitespace only (copied from a chunk of a
    # file that ended in a newline): the hash misses, the chunk text matches
    assert resolver.resolve(GoldPassage("Ann", "  Ann signed with\nBlue Records. ")) == {ids["ann"]}
    # no text (HotpotQA): the title, then the title ignoring case
    assert resolver.resolve(GoldPassage("Blue")) == {ids["label"], ids["colour"]}
    assert resolver.resolve(GoldPassage("ANN")) == {ids["ann"]}
    # not in the graph: empty, never an error
    assert resolver.resolve(GoldPassage("Blue", "Blue is a band.")) == frozenset()
    assert resolver.resolve(GoldPassage("Nobody")) == frozenset()
    chunk_rows = store.cypher("MATCH (c:Chunk) RETURN c.id AS id, c.doc_id AS doc ORDER BY c.ord, c.id")
    assert resolver.docs_of_chunks([r["id"] for r in chunk_rows] + ["no-such-chunk"]) == [
        r["doc"] for r in chunk_rows
    ]


def test_gold_resolves_across_overlapping_chunks_and_unicode_forms(store: GraphStore) -> None:
    """A long passage split over overlapping chunks, whose gold text differs from the stored one in
    its Unicode form and the spaces between sentences (the held-out set's 4 "missing" passages)."""
    title = "Caf\u00e9 Society"
    text = "Caf\u00e9 Society is a film.It was made in 2016. It stars Jesse Eisenberg. It opened Cannes."
    doc = Document(source="corpus.json#7", title=title, text=text, metadata={"sha256": "stored-hash"})
    store.upsert_documents([doc])
    parts = [
        "Caf\u00e9 Society is a film.It was made in 2016.",
        "It was made in 2016. It stars Jesse Eisenberg.",
        "It stars Jesse Eisenberg. It opened Cannes.",
    ]
    store.upsert_chunks([Chunk(doc_id=doc.id, ord=i, text=t) for i, t in enumerate(parts)])
    resolver = StoreGoldResolver.from_store(store)
    nfd = "Cafe\u0301 Society is a film. It was made in 2016.  It stars Jesse Eisenberg. It opened Cannes."
    assert resolver.resolve(GoldPassage("Cafe\u0301  Society", nfd)) == {doc.id}
    assert resolver.resolve(GoldPassage("caf\u00e9 society", text)) == {doc.id}  # title case differs
    # a gold text the chunks do not spell whole is still not this document
    assert (
        resolver.resolve(GoldPassage(title, "Caf\u00e9 Society is a film. It opened Cannes.")) == frozenset()
    )
    assert resolver.resolve(GoldPassage(title, text + " It won nothing.")) == frozenset()


class FulltextRetriever:
    """The store's own full-text search over chunks: a real, if plain, retriever."""

    methods = ("fulltext",)

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def retrieve(self, question: str, method: str, k: int) -> RetrievalOutput:
        hits = self.store.fulltext_search("Chunk", question, k)
        return RetrievalOutput(chunk_ids=tuple(h.id for h in hits))


def test_eval_retrieval_command_end_to_end(short_tmp: Path, tmp_path: Path) -> None:
    from hopgraph.cli.common import graph_options
    from hopgraph.cli.evaluate import register

    folder = short_tmp / "g"
    with HopGraph.open(folder) as hg:
        fill(hg.store, tmp_path)
    questions = tmp_path / "q.json"
    paragraphs = [
        {"title": "Blue", "paragraph_text": CORPUS[0]["text"], "is_supporting": True},
        {"title": "Lost", "paragraph_text": "Not in the graph.", "is_supporting": True},
    ]
    record = {"id": "q1", "question": "Who founded Blue Records?", "answer": "Bo Lind"}
    questions.write_text(json.dumps([{**record, "paragraphs": paragraphs}]))
    parser = argparse.ArgumentParser(prog="hopgraph")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub, [graph_options()], make_retriever=lambda hg, args: FulltextRetriever(hg.store))
    out = tmp_path / "out.json"
    args = parser.parse_args(
        ["eval", "retrieval", "--graph", str(folder), "--questions", str(questions),
         "--format", "musique", "--json", str(out), "--details"]
    )  # fmt: skip
    assert args.func(args) == 0
    result = json.loads(out.read_text())
    fulltext = result["methods"]["fulltext"]
    assert result["questions"] == 1 and result["format"] == "musique"
    assert result["gold"]["passages"] == 2 and result["gold"]["missing_from_graph"] == 1
    assert result["gold"]["missing_examples"] == [{"question": "q1", "title": "Lost"}]
    # the one gold passage in the graph is found; the missing one counts as a miss
    assert fulltext["recall@5"] == pytest.approx(0.5) and fulltext["all_gold@5"] == 0.0
    assert fulltext["em"] is None and result["latency_ms"]["method"] == "fulltext"
    assert result["per_question"][0]["gold_docs"][1] == []
