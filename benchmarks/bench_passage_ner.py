"""One-time cost of the passage NER the extractive answerer reads (``DIR/cache/passage-ner-*.npz``).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_passage_ner.py --graph COPY

Loads the graph index and spaCy first (not timed), then times
:meth:`hopgraph.reason.doc.pipeline.GraphQA.passage_entities` twice: the first call parses every
passage not in a current cache file and writes it (remove ``COPY/cache/passage-ner-*.npz`` to
time a cold build), the second, on a fresh ``GraphQA``, reads the file back. Run it on a copy of a
graph: it writes into the graph's cache folder.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

import torch

from hopgraph import HopGraph
from hopgraph.reason.doc.pipeline import GraphQA


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graph", required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    with HopGraph.open(args.graph) as hg:
        timings = []
        found = []
        for _ in range(2):
            qa = GraphQA.load(hg.store, cache_dir=hg.cache_dir)
            if qa.nlp is None:
                print("no spaCy English model installed", file=sys.stderr)
                return 1
            started = time.perf_counter()
            found.append(qa.passage_entities())
            timings.append(time.perf_counter() - started)
        first, again = found
        assert first is not None and again is not None
        entities = sum(len(v) for v in first.entities.values())
        print(
            f"chunks {len(first)}, entities {entities}; first call {timings[0]:.1f} s, "
            f"read back {timings[1] * 1000:.0f} ms; same entities: {first.entities == again.entities}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
