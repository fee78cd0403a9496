"""MuSiQue-100 build benchmark: corpus + GPT-3.5 OpenIE triples -> embedded graph, vs embedding alone.

    .venv/bin/python benchmarks/bench_musique_build.py --repeat 2 --json benchmarks/results/musique_build.json

Each repeat, in one process with one embedder (all-MiniLM-L6-v2 on CPU, the same batch sizes):

1. embed-alone: embed the 1,890 passage texts and the distinct entity names of the valid triples,
   nothing else (no parsing, no store), in the same calls the build makes (chunks ``--batch-size``
   at a time; names in one call per ``--passages-per-batch`` passages, as the resolver does);
2. build: open a fresh embedded FalkorDB graph and run ``import_openie`` (the path of
   ``hopgraph ingest corpus.json --triples openie.json``): documents, chunks, entity resolution,
   triples with provenance, entity and chunk embeddings. Store writes run on a background
   thread while the import embeds.

ratio = build / embed-alone (target <= 1.3), both wall-clock. The build's time inside the
embedder (on the calling thread) is measured too; ``overhead_seconds`` = build - embedder, the
calling thread's time outside the embedder: reading, resolution's own work, and
``waited_for_writer_seconds``, the time it sat blocked on the writer. ``writer_busy_seconds`` is
the time spent inside store writes on the writer thread (overlapped, so not added to the wall
time, but it competes for the same cores: ``embedder_slowdown_seconds`` = build embedder time -
embed-alone time shows what the overlap costs the embedder).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hopgraph.embed import SentenceTransformerEmbedder
from hopgraph.extract.importers.openie import import_openie, valid_triple
from hopgraph.ids import normalize_name
from hopgraph.kg.falkordb.store import FalkorDBStore
from hopgraph.util.batching import batched

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "musique100"
WORK = ROOT / "benchmarks" / ".work"


class TimedEmbedder:
    """Wraps an embedder and adds up the seconds and texts that went through ``embed``."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.seconds = 0.0
        self.texts = 0

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def tokenizer(self) -> Any:
        return self.inner.tokenizer

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        t0 = time.perf_counter()
        out = self.inner.embed(texts)
        self.seconds += time.perf_counter() - t0
        self.texts += len(texts)
        return out


def _texts(passages_per_batch: int) -> tuple[list[str], list[list[str]]]:
    """Passage texts, and the distinct entity names grouped as the import embeds them (per batch)."""
    corpus = json.loads((DATA / "corpus.json").read_text())
    docs = json.loads((DATA / "openie_gpt-3.5-turbo-1106.json").read_text())["docs"]
    position = {(r["title"], r["text"]): i for i, r in enumerate(corpus)}
    seen: set[str] = set()
    groups: list[list[str]] = [[] for _ in range(0, len(corpus), passages_per_batch)]
    for record in sorted(docs, key=lambda r: position[(r["title"], r["text"])]):
        group = groups[position[(record["title"], record["text"])] // passages_per_batch]
        for raw in record["extracted_triples"]:
            triple = valid_triple(raw)
            for name in (normalize_name(triple[0]), normalize_name(triple[2])) if triple else ():
                if name not in seen:
                    seen.add(name)
                    group.append(name)
    return [r["text"] for r in corpus], groups


def embed_alone(embedder: TimedEmbedder, chunks: list[str], names: list[list[str]], batch: int) -> float:
    """Chunks in calls of ``batch`` texts, in corpus order (as the import), names in one call per
    import batch (as the resolver)."""
    t0 = time.perf_counter()
    for texts in batched(chunks, batch):
        embedder.embed(texts)
    for group in names:
        embedder.embed(group)
    return time.perf_counter() - t0


def build(embedder: TimedEmbedder, batch: int, passages_per_batch: int) -> dict[str, Any]:
    folder = WORK / "mq"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    embedder.seconds, embedder.texts = 0.0, 0
    t0 = time.perf_counter()
    store = FalkorDBStore(folder)
    try:
        opened = time.perf_counter() - t0
        report = import_openie(
            store,
            DATA / "corpus.json",
            DATA / "openie_gpt-3.5-turbo-1106.json",
            embedder=embedder,
            batch_size=passages_per_batch,
            embed_batch_size=batch,
        )
        total = time.perf_counter() - t0
        stats = store.stats()
        missing = {label: len(store.missing_embeddings(label, limit=10)) for label in ("Chunk", "Entity")}
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)
    reasons = Counter(m.reason for m in report.merges)
    return {
        "seconds": round(total, 2),
        "embedder_seconds": round(embedder.seconds, 2),
        "embedded_texts": embedder.texts,
        "overhead_seconds": round(total - embedder.seconds, 2),
        "waited_for_writer_seconds": round(report.timings.get("write_wait", 0.0), 2),
        "writer_busy_seconds": round(report.timings.get("write", 0.0), 2),
        "phases": {"open_store": round(opened, 2), **{k: round(v, 2) for k, v in report.timings.items()}},
        "documents": stats.documents,
        "chunks": stats.chunks,
        "entities": stats.entities,
        "relations": stats.relations,
        "relation_types": len(stats.relation_types),
        "triples_written": report.triples,
        "malformed_triples": report.malformed_triples,
        "unmatched_records": report.unmatched_records,
        "merges": dict(reasons),
        "embedded_chunks": report.embedded_chunks,
        "embedded_entities_after_import": report.embedded_entities,
        "nodes_missing_embedding": missing,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=1, help="embed-alone + build pairs to run")
    parser.add_argument("--batch-size", type=int, default=256, help="texts per embed call")
    parser.add_argument("--passages-per-batch", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    if not (DATA / "corpus.json").is_file():
        print(f"missing benchmark data under {DATA}", file=sys.stderr)
        return 2
    embedder = TimedEmbedder(SentenceTransformerEmbedder())
    embedder.embed(["warm-up: load the model before timing"])
    chunks, names = _texts(args.passages_per_batch)
    n_names = sum(len(g) for g in names)
    runs = []
    for number in range(1, args.repeat + 1):
        alone = embed_alone(embedder, chunks, names, args.batch_size)
        built = build(embedder, args.batch_size, args.passages_per_batch)
        ratio = built["seconds"] / alone
        built["embedder_slowdown_seconds"] = round(built["embedder_seconds"] - alone, 2)
        runs.append({"embed_alone_seconds": round(alone, 2), "build": built, "ratio": round(ratio, 3)})
        print(
            f"run {number}: embed-alone {alone:.1f} s ({len(chunks)} chunks + {n_names} names); "
            f"build {built['seconds']:.1f} s wall (embedder {built['embedder_seconds']:.1f} s, "
            f"other {built['overhead_seconds']:.1f} s of which waiting for the writer "
            f"{built['waited_for_writer_seconds']:.1f} s; writer busy "
            f"{built['writer_busy_seconds']:.1f} s in the background; phases {built['phases']}); "
            f"ratio {ratio:.2f}"
        )
        print(
            f"  graph: {built['documents']} documents, {built['chunks']} chunks, "
            f"{built['entities']} entities, {built['relations']} relations "
            f"({built['relation_types']} types); {built['triples_written']} triples written, "
            f"{built['malformed_triples']} malformed skipped; merges {built['merges']}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "machine": f"{platform.machine()} cores={os.cpu_count() or 0} load1={os.getloadavg()[0]:.2f}",
            "embedder": f"{embedder.model_name} cpu, encode batch {embedder.inner.batch_size}",
            "embed_batch_size": args.batch_size,
            "passages_per_batch": args.passages_per_batch,
            "chunks": len(chunks),
            "distinct_entity_names": n_names,
            "target_ratio": 1.3,
            "runs": runs,
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
