"""``HopGraph.ingest`` takes the extractor and the embedder it is given (the seams are injectable)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from hopgraph import HopGraph
from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.extract.extractors.base import Extraction, Extractor
from hopgraph.types import Chunk, Triple


class FixedExtractor:
    """One triple per chunk, whatever it says; records the chunks it saw."""

    name = "fixed"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def extract(self, chunk: Chunk) -> Extraction:
        self.seen.append(chunk.id)
        triple = Triple("Orbital Ink", "founded by", "Maya Chen", doc_id=chunk.doc_id, chunk_id=chunk.id)
        return Extraction(chunk.id, triples=(triple,))


class CountingEmbedder(SentenceTransformerEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return super().embed(texts)


def test_ingest_uses_the_injected_extractor_and_embedder(short_tmp: Path) -> None:
    docs = short_tmp / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Some text that the fixed extractor ignores.\n")
    extractor, embedder = FixedExtractor(), CountingEmbedder()
    assert isinstance(extractor, Extractor)
    with HopGraph.open(short_tmp / "g") as hg:
        summary = hg.ingest(docs, extractor=extractor, embedder=embedder)
        rows = hg.cypher("MATCH (a:Entity)-[:FOUNDED_BY]->(b:Entity) RETURN a.name AS a, b.name AS b")
        embedded = hg.cypher("MATCH (e:Entity) WHERE e.embedding IS NOT NULL RETURN count(e) AS n")
    assert summary.chunks_extracted == 1 and summary.chunks_failed == 0
    assert len(extractor.seen) == 1
    assert rows == [{"a": "Orbital Ink", "b": "Maya Chen"}]
    # the chunk and both entities were embedded by the embedder given
    assert embedded == [{"n": 2}] and embedder.texts >= 3
