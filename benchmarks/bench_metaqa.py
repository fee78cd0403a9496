"""MetaQA KBQA benchmark: train the GNN scorer on 80% of the dev questions, validate on the rest.

    .venv/bin/python benchmarks/bench_metaqa.py [--epochs 4] [--seed 0] [--save-weights FILE]

Imports ../shared/data/metaqa/kb.txt + kb_supplement.txt through the TSV importer into an
embedded graph under benchmarks/.work/ (kept between runs), reads the graph back as tensors
(KBGraph.from_store), trains on the seeded 80% of the 1/2/3-hop dev questions, and evaluates
Hits@1 on the held-out 20% per hop count, on all and on covered questions (every gold answer
within N undirected hops), with throughput including path extraction. Writes
benchmarks/results/metaqa.json and prints the table. Same split as
`hopgraph eval metaqa --split val --seed S`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

import torch

from hopgraph.api import HopGraph
from hopgraph.eval.metaqa import dev_questions, evaluate, kb_files
from hopgraph.reason.kb.answerer import KBReasoner
from hopgraph.reason.kb.graph import KBGraph
from hopgraph.reason.kb.paths import check_path
from hopgraph.reason.kb.scorer import save_scorer
from hopgraph.reason.kb.train import TrainConfig, train_metaqa

ROOT = Path(__file__).resolve().parents[1]
METAQA = ROOT.parent / "shared" / "data" / "metaqa"
WORK = ROOT / "benchmarks" / ".work"
RESULTS = ROOT / "benchmarks" / "results" / "metaqa.json"


def load_graph(folder: Path) -> tuple[KBGraph, float]:
    started = time.perf_counter()
    with HopGraph.open(folder) as hg:
        if hg.stats().relations == 0:
            for f in kb_files(METAQA):
                print(f"importing {f.name} ...", flush=True)
                hg.import_triples(f)
        graph = KBGraph.from_store(hg.store)
    return graph, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    parser.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    parser.add_argument("--lr", type=float, default=TrainConfig.lr)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=TrainConfig.threshold)
    parser.add_argument("--time-limit", type=float, default=570.0, help="training seconds at most")
    parser.add_argument("--save-weights", type=Path, help="also save the trained weights here")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not (METAQA / "kb.txt").is_file():
        print(f"missing benchmark data: {METAQA}", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    logging.basicConfig(format="%(asctime)s %(message)s", level=logging.INFO)
    graph, load_s = load_graph(WORK / "metaqa-kbqa")
    print(f"graph: {graph.num_nodes} entities, {graph.num_edges} relations (store read {load_s:.1f} s)")
    config = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        threshold=args.threshold,
        time_limit_s=args.time_limit,
    )
    model, report, valid, meta = train_metaqa(graph, dev_questions(METAQA), config)
    print(f"trained on {report.examples} questions in {report.seconds:.0f} s, losses {meta['losses']}")
    weights = args.save_weights or WORK / "metaqa.pt"
    save_scorer(model, str(weights), meta)
    reasoner = KBReasoner(model, graph)
    result = evaluate(reasoner, valid)
    # every returned path must exist and end at the predicted answer
    from hopgraph.reason.kb.questions import resolve

    sample = resolve(graph, valid[:2000])
    bad = 0
    relaxed = sum(
        bool(p.answers and p.answers[0].relaxation) for p in reasoner.predict(resolve(graph, valid))
    )
    for example, prediction in zip(sample, reasoner.predict(sample), strict=True):
        for a in prediction.answers:
            if a.path is None or not check_path(graph, a.path, graph.node_ids[example.topic], a.entity):
                bad += 1
    print()
    print(f"{'hops':>4} {'questions':>9} {'covered':>8} {'Hits@1 all':>11} {'Hits@1 covered':>15}")
    for hops, row in result.per_hop.items():
        print(
            f"{hops:>4} {int(row['questions']):>9} {int(row['covered_questions']):>8} "
            f"{row['hits@1_all']:>11.4f} {row['hits@1_covered']:>15.4f}"
        )
    print(
        f"{'all':>4} {result.questions:>9} {result.covered_questions:>8} {result.hits_all:>11.4f} "
        f"{result.hits_covered:>15.4f}"
    )
    print(f"inference {result.questions_per_s:.0f} questions/s (batches of 256, paths included)")
    print(f"paths checked on {len(sample)} questions: {bad} missing or invalid")
    print(f"answered by a relaxed relation sequence: {relaxed} of {len(valid)} questions")
    out = {
        "machine": f"{platform.machine()} cores={os.cpu_count()} torch_threads={torch.get_num_threads()}",
        "command": "python benchmarks/bench_metaqa.py " + " ".join(sys.argv[1:]),
        "graph": {"entities": graph.num_nodes, "relations": graph.num_edges},
        "train": {
            k: meta[k]
            for k in ("train_questions", "trained_examples", "epochs_run", "train_seconds", "losses", "seed")
        },
        "validation": result.to_json(),
        "paths_checked": len(sample),
        "paths_invalid": bad,
        "ties": "score less a revisit penalty (hopgraph.reason.kb.rank), equal scores to 6 decimals "
        "broken by the random-walk mass of the best relation sequence, then by the lowest entity id",
        "relaxation": "questions whose best relation sequence reaches nothing are answered by "
        "relaxing it (hopgraph.reason.kb.relax), ranked by random-walk mass, then model score, "
        "then entity id",
        "relaxed_questions": relaxed,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
