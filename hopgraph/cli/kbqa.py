"""``hopgraph train``, ``hopgraph eval`` and ``hopgraph ask`` for knowledge-base QA (MetaQA).

    hopgraph import ../shared/data/metaqa/kb.txt --graph mqa
    hopgraph import ../shared/data/metaqa/kb_supplement.txt --graph mqa
    hopgraph train metaqa --graph mqa --out metaqa.pt --epochs 4 --seed 0
    hopgraph eval metaqa --graph mqa --questions ../shared/data/metaqa/2-hop/dev.txt --split val \\
        --json out.json
    hopgraph ask --graph mqa "who directed the films written by [Emily Giffin]"

``eval`` and ``ask`` use the bundled weights (hopgraph/reason/kb/weights/metaqa.pt) unless
``--weights FILE`` names others. cli.py calls :func:`register` from ``build_parser``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from hopgraph.api import HopGraph
from hopgraph.cli.common import add_threads_option, open_graph, positive_int, set_torch_threads
from hopgraph.errors import HopGraphError

EXIT_OK = 0


def _load_graph(hg: HopGraph) -> Any:
    from hopgraph.reason.kb.graph import KBGraph

    graph = KBGraph.load(hg.store, hg.cache_dir)
    if graph.num_edges == 0:
        raise HopGraphError(
            "the graph has no relations: import the KB first (hopgraph import kb.txt --graph DIR)"
        )
    return graph


def _print_table(result: Any) -> None:
    print(f"{'hops':>4} {'questions':>9} {'covered':>8} {'Hits@1 all':>11} {'Hits@1 covered':>15}")
    for hops, row in result.per_hop.items():
        name = str(hops) if hops else "?"
        print(
            f"{name:>4} {int(row['questions']):>9} {int(row['covered_questions']):>8} "
            f"{row['hits@1_all']:>11.4f} {row['hits@1_covered']:>15.4f}"
        )
    print(
        f"{'all':>4} {result.questions:>9} {result.covered_questions:>8} {result.hits_all:>11.4f} "
        f"{result.hits_covered:>15.4f}"
    )
    print(f"{result.questions_per_s:,.0f} questions/s")


# -- commands -----------------------------------------------------------------------------------
def cmd_train_metaqa(args: argparse.Namespace) -> int:
    from hopgraph.eval.metaqa import default_data_dir, dev_questions, evaluate, train_metaqa
    from hopgraph.reason.kb.answerer import KBReasoner
    from hopgraph.reason.kb.scorer import save_scorer
    from hopgraph.reason.kb.train import TrainConfig

    set_torch_threads(args.threads)
    data = Path(args.data) if args.data else default_data_dir()
    questions = dev_questions(data)
    out = Path(args.out) if args.out else Path(args.graph or ".") / "metaqa.pt"
    given = {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr}
    config = TrainConfig(
        seed=args.seed,
        threads=args.threads,
        time_limit_s=args.time_limit,
        **{key: value for key, value in given.items() if value is not None},
    )
    with open_graph(args) as hg:
        graph = _load_graph(hg)
    print(f"training on {graph.num_nodes:,} entities, {graph.num_edges:,} relations", file=sys.stderr)
    model, report, valid, meta = train_metaqa(graph, questions, config)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_scorer(model, str(out), meta)
    print(f"trained on {report.examples:,} questions in {report.seconds:.0f} s; weights: {out}")
    print(f"validation ({len(valid):,} held-out questions, seed {args.seed}):")
    _print_table(evaluate(KBReasoner(model, graph), valid))
    return EXIT_OK


def cmd_eval_metaqa(args: argparse.Namespace) -> int:
    from hopgraph.eval.metaqa import default_data_dir, evaluate, read_questions
    from hopgraph.reason.kb.answerer import KBReasoner
    from hopgraph.reason.kb.questions import split_questions

    set_torch_threads(args.threads)
    data = Path(args.data) if args.data else None
    files = (
        [Path(f) for f in args.questions]
        if args.questions
        else [(data or default_data_dir()) / f"{n}-hop" / "dev.txt" for n in (1, 2, 3)]
    )
    questions = [q for f in files for q in read_questions(f, args.hops)]
    questions = [q if q.hops else type(q)(q.text, q.topic, q.answers, 3) for q in questions]
    if args.split != "all":
        train, valid = split_questions(questions, args.seed)
        questions = valid if args.split == "val" else train
    with open_graph(args) as hg:
        started = time.perf_counter()
        graph = _load_graph(hg)
        reasoner = KBReasoner.load(graph, args.weights)
        print(f"graph and weights loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        result = evaluate(reasoner, questions, batch_size=args.batch_size)
    _print_table(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result.to_json(), indent=2) + "\n")
    return EXIT_OK


# -- parser -------------------------------------------------------------------------------------
def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:
    """Add ``train metaqa`` and ``eval metaqa`` to the ``hopgraph`` command.

    Imports nothing heavy: torch loads only when one of these commands runs."""

    threads = argparse.ArgumentParser(add_help=False)
    add_threads_option(threads)
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--data",
        metavar="DIR",
        help="MetaQA folder (default $HOPGRAPH_METAQA_DIR, else ../shared/data/metaqa)",
    )

    train = sub.add_parser("train", help="train a reasoner").add_subparsers(dest="dataset", required=True)
    p = train.add_parser(
        "metaqa",
        parents=[*common, data, threads],
        help="train the GNN scorer on 80%% of the MetaQA dev questions",
    )
    p.add_argument("--out", metavar="FILE", help="weights file (default GRAPH/metaqa.pt)")
    p.add_argument("--epochs", type=positive_int, help="training epochs (default: TrainConfig's)")
    p.add_argument("--seed", type=int, default=0, help="split and training seed")
    p.add_argument("--batch-size", type=positive_int, help="questions per step (default: TrainConfig's)")
    p.add_argument("--lr", type=float, help="learning rate (default: TrainConfig's)")
    p.add_argument("--time-limit", type=float, metavar="S", help="stop training after S seconds")
    p.set_defaults(func=cmd_train_metaqa)

    evaluate = sub.add_parser("eval", help="evaluate a reasoner").add_subparsers(
        dest="dataset", required=True
    )
    p = evaluate.add_parser(
        "metaqa", parents=[*common, data, threads], help="Hits@1 (all and covered) on MetaQA-format questions"
    )
    p.add_argument(
        "--questions",
        metavar="FILE",
        action="append",
        help="MetaQA-format file (repeatable; default the three dev files)",
    )
    p.add_argument(
        "--hops", type=positive_int, help="hop count for coverage (default: N of an N-hop path, else 3)"
    )
    p.add_argument("--weights", metavar="FILE", help="weights (default: the bundled MetaQA weights)")
    p.add_argument(
        "--split",
        choices=["all", "train", "val"],
        default="all",
        help="only the training or validation part of the seeded 80/20 split",
    )
    p.add_argument("--seed", type=int, default=0, help="split seed (as in training)")
    p.add_argument("--batch-size", type=positive_int, default=256)
    p.add_argument("--json", metavar="OUT", help="write the figures as JSON")
    p.set_defaults(func=cmd_eval_metaqa)
