"""``hopgraph train qa``: train the document-graph scorer on your own (question, answer) pairs.

    hopgraph train qa --graph my-graph --questions qa.jsonl --format jsonl --out my-graph/qa.pt

Formats: ``musique`` (a JSON list or JSONL of ``{question, answer, answer_aliases}``),
``hotpotqa`` (a JSON list of ``{question, answer}``), ``jsonl`` (one ``{"question": ...,
"answer": ... | "answers": [...], "aliases": [...]}`` per line). Questions are linked to the graph,
their bounded subgraph is read from an in-memory copy of the relations, and the scorer learns to
rank the entities named like the answer first. cli.py calls :func:`register` from
``build_parser``; nothing heavy is imported until the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hopgraph.cli.common import add_threads_option, open_graph, positive_int, set_torch_threads
from hopgraph.errors import ImportFormatError, TrainingRefusedError
from hopgraph.reason.doc.options import QAOptions

EXIT_OK = 0
FORMATS = ("musique", "hotpotqa", "jsonl")


def _answers(record: Any, where: str) -> tuple[str, tuple[str, ...]]:
    if not isinstance(record, dict) or not isinstance(record.get("question"), str):
        raise ImportFormatError(f"{where}: expected an object with a 'question' string")
    answers = record.get("answers")
    if answers is None:
        answers = [record.get("answer")]
    if isinstance(answers, str):
        answers = [answers]
    aliases = record.get("answer_aliases") or record.get("aliases") or []
    names = [a for a in [*answers, *aliases] if isinstance(a, str) and a.strip()]
    if not names:
        raise ImportFormatError(f"{where}: no 'answer' string")
    return record["question"], tuple(dict.fromkeys(names))


def read_pairs(path: Path, fmt: str) -> list[tuple[str, tuple[str, ...]]]:
    """``(question, (answer, *aliases))`` pairs from a ``musique``/``hotpotqa``/``jsonl`` file
    (read as :func:`hopgraph.eval.qa_data.read_records` reads question files: JSONL when the
    format is ``jsonl`` or the name ends in ``.jsonl``, else a JSON list)."""
    from hopgraph.eval.qa_data import read_records

    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown question format {fmt!r}; valid: {', '.join(FORMATS)}")
    return [
        _answers(record, f"{path} record {index}")
        for index, record in read_records(path, jsonl=True if fmt == "jsonl" else None)
    ]


def _prepare(
    hg: Any, pairs: list[tuple[str, tuple[str, ...]]], embedder: Any, args: argparse.Namespace
) -> Any:
    """Training examples seen as ``hopgraph ask`` sees questions: the same seed linking
    (:meth:`GraphQA.link`), subgraph hops and bounds, over the same cached graph index."""
    from hopgraph.reason.doc.pipeline import GraphQA
    from hopgraph.reason.doc.train import prepare_examples

    given = {"hops": args.hops, "seeds": args.seeds}
    options = QAOptions(**{key: value for key, value in given.items() if value is not None})
    qa = GraphQA.load(hg.store, embedder=embedder, cache_dir=hg.cache_dir, options=options)
    return prepare_examples(
        hg.store,
        pairs,
        embedder,
        qa.index.entity_vectors_by_id,
        qa.index.predicate_vectors_of,
        qa.link,
        hops=options.hops,
        max_nodes=options.subgraph_nodes,
        max_edges=options.subgraph_edges,
        fetch=qa.relations.subgraph,
    )


def cmd_train_qa(args: argparse.Namespace) -> int:
    from hopgraph.embed import SentenceTransformerEmbedder
    from hopgraph.reason.doc.scorer import save_doc_scorer
    from hopgraph.reason.doc.train import DocTrainConfig, train_qa_scorer

    set_torch_threads(args.threads)
    pairs = read_pairs(Path(args.questions), args.format)
    embedder = SentenceTransformerEmbedder()
    with open_graph(args) as hg:
        out = Path(args.out) if args.out else Path(args.graph or ".") / "qa.pt"
        print(f"reading the graph and {len(pairs):,} questions ...", file=sys.stderr)
        prepared = _prepare(hg, pairs, embedder, args)
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
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"questions": len(pairs), "report": report.to_json(), "subgraph_hops": args.hops or QAOptions.hops}
    save_doc_scorer(model, out, meta)
    print(
        f"trained on {report.train_examples:,} questions in {report.epochs} epochs ({report.seconds:.0f} s); "
        f"held-out Hits@1 {report.valid_hits1_before:.3f} -> {report.valid_hits1_after:.3f} "
        f"({report.valid_examples:,} questions); weights: {out}"
    )
    return EXIT_OK


def _train_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The ``train`` command's subcommands (created when no other module added ``train`` yet)."""
    train = sub.choices.get("train")
    if train is None:
        return sub.add_parser("train", help="train a reasoner").add_subparsers(dest="dataset", required=True)
    for action in train._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return train.add_subparsers(dest="dataset", required=True)


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:
    """Add ``train qa`` (to the ``train`` command another module may have added already)."""
    p = _train_subparsers(sub).add_parser(
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
