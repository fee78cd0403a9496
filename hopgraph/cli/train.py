"""``hopgraph train``: ``train metaqa`` (the KB scorer on MetaQA) and ``train qa`` (the
document-graph scorer on your own (question, answer) pairs).

    hopgraph import ../shared/data/metaqa/kb.txt --graph mqa
    hopgraph import ../shared/data/metaqa/kb_supplement.txt --graph mqa
    hopgraph train metaqa --graph mqa --out metaqa.pt --epochs 4 --seed 0
    hopgraph train qa --graph my-graph --questions qa.jsonl --format jsonl --out my-graph/qa.pt

``train qa`` formats: ``musique`` (a JSON list or JSONL of ``{question, answer, answer_aliases}``),
``hotpotqa`` (a JSON list of ``{question, answer}``), ``jsonl`` (one ``{"question": ...,
"answer": ... | "answers": [...], "aliases": [...]}`` per line). Questions are linked to the graph,
their bounded subgraph is read from an in-memory copy of the relations, and the scorer learns to
rank the entities named like the answer first. Nothing heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hopgraph.cli.common import (
    EXIT_OK,
    add_threads_option,
    metaqa_data_option,
    open_graph,
    positive_int,
    set_torch_threads,
)
from hopgraph.errors import ImportFormatError, TrainingRefusedError
from hopgraph.reason.doc.options import QAOptions
from hopgraph.util.paths import check_output_file

FORMATS = ("musique", "hotpotqa", "jsonl")


# -- train metaqa -------------------------------------------------------------------------------
def cmd_train_metaqa(args: argparse.Namespace) -> int:
    from hopgraph.cli.evaluate import print_metaqa_table
    from hopgraph.eval.metaqa import default_data_dir, dev_questions, evaluate
    from hopgraph.reason.kb.answerer import KBReasoner
    from hopgraph.reason.kb.scorer import save_scorer
    from hopgraph.reason.kb.train import TrainConfig, train_metaqa

    set_torch_threads(args.threads)
    out = check_output_file(args.out or Path(args.graph or ".") / "metaqa.pt", "--out")
    data = Path(args.data) if args.data else default_data_dir()
    questions = dev_questions(data)
    given = {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr}
    config = TrainConfig(
        seed=args.seed,
        threads=args.threads,
        time_limit_s=args.time_limit,
        **{key: value for key, value in given.items() if value is not None},
    )
    with open_graph(args) as hg:
        graph = hg.kb_graph()
    print(f"training on {graph.num_nodes:,} entities, {graph.num_edges:,} relations", file=sys.stderr)
    model, report, valid, meta = train_metaqa(graph, questions, config)
    save_scorer(model, str(out), meta)
    print(f"trained on {report.examples:,} questions in {report.seconds:.0f} s; weights: {out}")
    print(f"validation ({len(valid):,} held-out questions, seed {args.seed}):")
    print_metaqa_table(evaluate(KBReasoner(model, graph), valid))
    return EXIT_OK


# -- train qa -----------------------------------------------------------------------------------
def _pair(record: Any, where: str) -> tuple[str, tuple[str, ...]]:
    from hopgraph.eval.qa_data import answer_names

    if not isinstance(record, dict) or not isinstance(record.get("question"), str):
        raise ImportFormatError(f"{where}: expected an object with a 'question' string")
    try:
        return record["question"], answer_names(record)
    except ValueError as exc:
        raise ImportFormatError(f"{where}: {exc}") from None


def read_pairs(path: Path, fmt: str) -> list[tuple[str, tuple[str, ...]]]:
    """``(question, (answer, *aliases))`` pairs from a ``musique``/``hotpotqa``/``jsonl`` file
    (read as :func:`hopgraph.eval.qa_data.read_records` reads question files: JSONL when the
    format is ``jsonl`` or the name ends in ``.jsonl``, else a JSON list)."""
    from hopgraph.eval.qa_data import read_records

    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown question format {fmt!r}; valid: {', '.join(FORMATS)}")
    return [
        _pair(record, f"{path} record {index}")
        for index, record in read_records(path, jsonl=True if fmt == "jsonl" else None)
    ]


def cmd_train_qa(args: argparse.Namespace) -> int:
    from hopgraph.embed import SentenceTransformerEmbedder
    from hopgraph.reason.doc.scorer import save_doc_scorer
    from hopgraph.reason.doc.train import DocTrainConfig, prepare_store_examples, train_qa_scorer

    set_torch_threads(args.threads)
    out = check_output_file(args.out or Path(args.graph or ".") / "qa.pt", "--out")
    pairs = read_pairs(Path(args.questions), args.format)
    given = {"hops": args.hops, "seeds": args.seeds}
    options = QAOptions(**{key: value for key, value in given.items() if value is not None})
    with open_graph(args) as hg:
        embedder = SentenceTransformerEmbedder.from_settings(hg.settings.embed)  # the graph's model
        print(f"reading the graph and {len(pairs):,} questions ...", file=sys.stderr)
        prepared = prepare_store_examples(hg.store, pairs, embedder, cache_dir=hg.cache_dir, options=options)
    print(
        f"{len(prepared.examples):,} usable questions ({prepared.no_seed:,} linked to no entity, "
        f"{prepared.no_target:,} without the answer near their entities)",
        file=sys.stderr,
    )
    config = DocTrainConfig(epochs=args.epochs, lr=args.lr, seed=args.seed, time_limit_s=args.time_limit)
    model, report = train_qa_scorer(prepared.examples, config)
    print(
        f"held-out Hits@1 ({report.validation}, {report.valid_examples:,} questions): zero-shot "
        f"{report.valid_hits1_before:.3f}, trained {report.valid_hits1_after:.3f}",
        file=sys.stderr,
    )
    if (report.loses or not report.verified) and not args.force:
        why = "lose to the zero-shot scorer" if report.loses else "could not be checked (too few questions)"
        raise TrainingRefusedError(
            f"the trained weights {why} on held-out questions; {out} not written "
            "(--force writes them anyway; hopgraph ask works zero-shot without --weights)"
        )
    meta = {"questions": len(pairs), "report": report.to_json(), "subgraph_hops": args.hops or QAOptions.hops}
    save_doc_scorer(model, out, meta)
    print(
        f"trained on {report.train_examples:,} questions in {report.epochs} epochs ({report.seconds:.0f} s); "
        f"held-out Hits@1 {report.valid_hits1_before:.3f} -> {report.valid_hits1_after:.3f} "
        f"({report.valid_examples:,} questions); weights: {out}"
    )
    return EXIT_OK


# -- parser -------------------------------------------------------------------------------------
def add_metaqa_parser(
    train_subparsers: Any, common: list[argparse.ArgumentParser]
) -> argparse.ArgumentParser:
    """Add ``metaqa`` to a ``train`` subparsers group."""
    threads = argparse.ArgumentParser(add_help=False)
    add_threads_option(threads)
    p: argparse.ArgumentParser = train_subparsers.add_parser(
        "metaqa",
        parents=[*common, metaqa_data_option(), threads],
        help="train the GNN scorer on 80%% of the MetaQA dev questions",
    )
    p.add_argument("--out", metavar="FILE", help="weights file (default GRAPH/metaqa.pt)")
    p.add_argument("--epochs", type=positive_int, help="training epochs (default: TrainConfig's)")
    p.add_argument("--seed", type=int, default=0, help="split and training seed")
    p.add_argument("--batch-size", type=positive_int, help="questions per step (default: TrainConfig's)")
    p.add_argument("--lr", type=float, help="learning rate (default: TrainConfig's)")
    p.add_argument("--time-limit", type=float, metavar="S", help="stop training after S seconds")
    p.set_defaults(func=cmd_train_metaqa)
    return p


def add_qa_parser(train_subparsers: Any, common: list[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Add ``qa`` to a ``train`` subparsers group."""
    p: argparse.ArgumentParser = train_subparsers.add_parser(
        "qa", parents=common, help="train the document-graph scorer on your (question, answer) pairs"
    )
    p.add_argument("--questions", metavar="FILE", required=True, help="question/answer file")
    p.add_argument("--format", choices=FORMATS, default="jsonl", help="file format (default jsonl)")
    p.add_argument("--out", metavar="FILE", help="weights file (default GRAPH/qa.pt)")
    p.add_argument("--epochs", type=positive_int, default=30)
    p.add_argument("--lr", type=float, default=0.01, help="learning rate")
    p.add_argument("--seed", type=int, default=0, help="split and training seed")
    p.add_argument(
        "--hops",
        type=positive_int,
        help="subgraph hops around the linked entities (default: as hopgraph ask)",
    )
    p.add_argument(
        "--seeds", type=positive_int, help="entities linked per question (default: as hopgraph ask)"
    )
    p.add_argument("--time-limit", type=float, metavar="S", help="stop training after S seconds")
    p.add_argument(
        "--force",
        action="store_true",
        help="write the weights even if they lose to zero-shot on held-out pairs",
    )
    add_threads_option(p)
    p.set_defaults(func=cmd_train_qa)
    return p


def register(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add the ``train`` command with its ``metaqa`` and ``qa`` subcommands (imports nothing heavy)."""
    group = sub.add_parser("train", help="train a reasoner").add_subparsers(dest="dataset", required=True)
    add_metaqa_parser(group, common)
    add_qa_parser(group, common)


__all__ = [
    "FORMATS",
    "add_metaqa_parser",
    "add_qa_parser",
    "cmd_train_metaqa",
    "cmd_train_qa",
    "read_pairs",
    "register",
]
