"""The resolution journal's plumbing: encoding, replay, and the in-order commit of async results."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hopgraph.extract.extractors.base import Extraction
from hopgraph.extract.jobs.job import IngestJob
from hopgraph.extract.jobs.journal import (
    JournalMismatch,
    RecordingEmbedder,
    RecordingStore,
    ReplayEmbedder,
    ReplayStore,
    decode_batch,
    encode_batch,
)
from hopgraph.extract.jobs.state import JobState
from hopgraph.extract.resolution.resolver import EntityResolver
from hopgraph.llm.base import Usage
from hopgraph.types import Chunk, Document, Entity, ScoredId, Triple


def test_a_batch_round_trips_through_its_encoding() -> None:
    t = Triple("Niels Bohr", "born in", "Copenhagen", "d1", "c1", 0.5, "PERSON", "GPE")
    results = [
        Extraction("c1", (t,), (Entity("Niels Bohr", "PERSON"),), Usage(3, 4)),
        Extraction("c2", error="LLMOutputError: not JSON"),
    ]
    calls = [["embed", [[2, 2], "AACAPwAAAEAAAEBAAACAQA=="]], ["cypher", [{"n": 0}]]]
    back, docs, calls_back = decode_batch(encode_batch(results, {"c1": "d1", "c2": "d1"}, calls))
    assert back == results and docs == {"c1": "d1", "c2": "d1"} and calls_back == calls


class Store:
    def find_entities(self, names: Any) -> list[Entity]:
        return [Entity("Bohr", "PERSON")]

    def get_entities(self, ids: Any) -> list[Entity]:
        return []

    def vector_search(self, label: Any, vector: Any, k: int = 10) -> list[ScoredId]:
        return [ScoredId("e1", 0.75, "Bohr")]

    def cypher(self, query: str, params: Any = None, *, write: bool = False) -> list[dict[str, Any]]:
        return [{"n": 3}]


class Embedder:
    def embed(self, texts: Any) -> np.ndarray:
        return np.arange(len(texts) * 3, dtype=np.float32).reshape(len(texts), 3) / 7


def test_recorded_answers_replay_in_order_and_a_different_question_is_refused() -> None:
    calls: list[list[Any]] = []
    store, embedder = RecordingStore(Store(), calls), RecordingEmbedder(Embedder(), calls)
    live = [store.cypher("q"), store.find_entities(["Bohr"]), embedder.embed(["a", "b"]),
            store.vector_search("Entity", [0.0])]  # fmt: skip
    replay = ReplayStore(calls)
    again = [replay.cypher("q"), replay.find_entities(["x"]), ReplayEmbedder(replay).embed(["a", "b"]),
             replay.vector_search("Entity", [0.0])]  # fmt: skip
    assert again[0] == live[0] and again[1] == live[1] and again[3] == live[3]
    assert np.array_equal(again[2], live[2])
    with pytest.raises(JournalMismatch):
        replay.cypher("one question too many")
    with pytest.raises(JournalMismatch, match="recorded find_entities"):
        ReplayStore(calls[1:]).cypher("q")


class ShuffledAsync:
    """Async extractor whose calls complete in a random order; one triple per chunk."""

    name = "shuffled"

    def extract(self, chunk: Chunk) -> Extraction:  # pragma: no cover - the async path is used
        raise AssertionError

    async def aextract(self, chunk: Chunk) -> Extraction:
        await asyncio.sleep(random.random() / 200)
        words = chunk.text.split()
        return Extraction(chunk.id, (Triple(words[0], "near", words[-1], chunk.doc_id, chunk.id),))


class Lines:
    def chunk(self, document: Document) -> list[Chunk]:
        lines = [x for x in document.text.splitlines() if x.strip()]
        return [Chunk(doc_id=document.id, ord=i, text=x) for i, x in enumerate(lines)]


class RecordingResolver(EntityResolver):
    def __init__(self) -> None:
        super().__init__(None, None)
        self.batches: list[list[str]] = []

    def resolve(self, triples: Any) -> Any:
        self.batches.append(list(dict.fromkeys(t.chunk_id for t in triples)))
        return super().resolve(triples)


class MemoryStore:
    def __init__(self) -> None:
        self.docs: set[str] = set()

    def stats(self) -> Any:
        from hopgraph.types import GraphStats

        return GraphStats(len(self.docs), 0, 0, 0)

    def upsert_documents(self, documents: Any) -> None:
        self.docs.update(d.id for d in documents)

    def upsert_chunks(self, chunks: Any) -> None:
        pass

    def upsert_triples(self, triples: Any) -> None:
        pass

    def upsert_entities(self, entities: Any) -> None:
        pass


def test_async_results_are_committed_in_chunk_order_in_exact_batches(tmp_path: Path) -> None:
    random.seed(3)
    doc = Document(source="d", text="\n".join(f"w{i} x y{i}" for i in range(23)))
    order = [c.id for c in Lines().chunk(doc)]
    resolver = RecordingResolver()
    with JobState.open(tmp_path / "jobs.sqlite") as state:
        job = IngestJob(MemoryStore(), state, extractor=ShuffledAsync(), chunker=Lines(), resolver=resolver,
                        concurrency=6, batch_size=5)  # fmt: skip
        assert job.run([doc]).chunks_extracted == 23
        assert resolver.batches == [order[i : i + 5] for i in range(0, 23, 5)]
        # every batch was journalled and committed; a finished job clears its journal
        assert state.batches() == []
