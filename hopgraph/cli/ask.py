"""``hopgraph ask``: answer a question over a graph with numbered reasoning paths and sources.

    hopgraph ask --graph DIR "Where was the teacher of Werner Heisenberg born?" "Another question?"
    hopgraph ask --graph DIR --explain --html answer.html "..."
    hopgraph ask --graph metaqa "what language is [My Big Fat Greek Wedding] in"

Document graphs go through the QA pipeline (:class:`hopgraph.reason.doc.pipeline.GraphQA`); a KB graph with
no text whose relations the KB scorer was trained on (MetaQA) through the KB reasoner. Both
render the same :class:`~hopgraph.types.Answer` (text, ``--json``, ``--html``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hopgraph.api import HopGraph
from hopgraph.cli.common import (
    EXIT_OK,
    add_threads_option,
    open_graph,
    positive_int,
    set_torch_threads,
)
from hopgraph.errors import ConfigError
from hopgraph.reason.doc.options import METHODS
from hopgraph.types import Answer
from hopgraph.util.paths import check_output_file

DESCRIPTION = """Answer questions over a graph, with numbered reasoning paths and their sources.

    hopgraph ask --graph DIR "Where was the teacher of Werner Heisenberg born?" "Another question?"
    hopgraph ask --graph DIR --explain --html answer.html "..."
    hopgraph ask --graph metaqa "what language is [My Big Fat Greek Wedding] in"

A document graph is answered by the QA pipeline (dense + BM25 text retrieval, linked entities,
Personalized PageRank, the GNN scorer, the path reasoner; an LLM writes the answer when one is
configured, else the best-supported path end is the answer). A KB graph without text whose
relations the bundled MetaQA scorer knows is answered by the KB reasoner."""


def doc_titles(hg: HopGraph, answer: Answer) -> dict[str, str]:
    """Document id -> title for every document the answer's chunks and paths cite."""
    return hg.doc_titles(answer)


def cmd_ask(args: argparse.Namespace) -> int:
    from hopgraph.render.text import answer_to_dict, render_text

    if args.html and len(args.question) > 1:
        raise ConfigError("--html draws one answer: ask one question at a time with --html")
    if args.html:
        check_output_file(args.html, "--html")
    set_torch_threads(args.threads)
    results: list[dict[str, Any]] = []
    with open_graph(args) as hg:
        for i, question in enumerate(args.question):
            answer = hg.ask(
                question,
                method=args.method,
                k=args.k,
                llm=args.llm,
                extractive=args.extractive,
                weights=args.weights,
            )
            titles = doc_titles(hg, answer)
            if args.html:
                from hopgraph.render.html import write_html

                print(f"wrote {write_html(answer, args.html, titles=titles)}", file=sys.stderr)
            if args.json:
                results.append(answer_to_dict(answer, args.explain, titles=titles))
            else:
                print(("\n" if i else "") + render_text(answer, args.explain, titles=titles), flush=True)
    if args.json:
        out: Any = results[0] if len(results) == 1 else results
        print(json.dumps(out, indent=2, ensure_ascii=False))
    return EXIT_OK


def register(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add ``ask`` to the ``hopgraph`` command (imports nothing heavy)."""
    p = sub.add_parser(
        "ask",
        parents=common,
        help="answer a question with reasoning paths and their sources",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "question",
        metavar="QUESTION",
        nargs="+",
        help="the question (KB graphs: topic in [brackets]); several are answered in turn",
    )
    p.add_argument(
        "--method", choices=METHODS, default="full", help="retrieval stages to use (default: full)"
    )
    p.add_argument("-k", type=positive_int, default=None, help="passages to show (default 5; KB: answers, 3)")
    p.add_argument("--llm", metavar="SPEC", help="answering LLM (default: [llm] spec, else extractive)")
    p.add_argument("--extractive", action="store_true", help="no LLM even if one is configured")
    p.add_argument("--weights", metavar="FILE", help="trained scorer weights (hopgraph train qa / metaqa)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--explain", action="store_true", help="add scores, seeds and timings")
    p.add_argument("--html", metavar="FILE", help="also write a page drawing the evidence subgraph")
    add_threads_option(p)
    p.set_defaults(func=cmd_ask)


__all__ = ["cmd_ask", "doc_titles", "register"]
