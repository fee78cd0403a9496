"""The retrieval/QA evaluation runner with a scripted retriever (plumbing), and the CLI parser."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import pytest

from hopgraph.errors import ConfigError
from hopgraph.eval.qa_data import GoldPassage, QAItem
from hopgraph.eval.retrieval import bootstrap_interval, evaluate_retrieval, paired_counts, percentile
from hopgraph.retrieval.base import RetrievalOutput
from hopgraph.types import Answer, Chunk

ITEMS = [
    QAItem("q1", "Who founded Blue?", ("Bo Lind",), (GoldPassage("A", "a"), GoldPassage("B", "b"))),
    QAItem("q2", "Where is C?", ("Oslo",), (GoldPassage("C", "c"), GoldPassage("Missing", "m"))),
    QAItem("q3", "No gold?", ("Oslo",), ()),
]
DOCS = {"A": "dA", "B": "dB", "C": "dC"}
CHUNK_DOCS = {"cA1": "dA", "cA2": "dA", "cB": "dB", "cC": "dC", "cX": "dX"}


class ScriptedResolver:
    def resolve(self, gold: GoldPassage) -> frozenset[str]:
        return frozenset({DOCS[gold.title]} if gold.title in DOCS else ())

    def docs_of_chunks(self, chunk_ids: Sequence[str]) -> list[str]:
        return [CHUNK_DOCS[c] for c in chunk_ids if c in CHUNK_DOCS]


class ScriptedRetriever:
    methods = ("dense", "full")

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []

    def retrieve(self, question: str, method: str, k: int) -> RetrievalOutput:
        self.calls.append((question, method, k))
        q = next(i for i in ITEMS if i.question == question).id
        if method == "dense":
            if q == "q3":
                raise RuntimeError("index gone")
            chunks = {"q1": ("cA1", "cX", "cA2", "cB", "unknown"), "q2": ("cC",)}[q]
            return RetrievalOutput(chunk_ids=chunks)
        docs = {"q1": ("dB", "dA"), "q2": (), "q3": ("dX",)}[q]
        answer = {"q1": "Bo Lind", "q2": "wrong", "q3": "the Oslo"}[q]
        ms = {"q1": 10.0, "q2": 20.0, "q3": 30.0}[q]
        return RetrievalOutput(chunk_ids=("cX",), doc_ids=docs, answer_text=answer, ms=ms)


def test_scores_per_method_with_missing_gold_errors_and_answers() -> None:
    retriever, seen = ScriptedRetriever(), []
    report = evaluate_retrieval(
        retriever, ITEMS, ScriptedResolver(), k=2, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(n, 6) for n in range(1, 7)]  # every ask: 3 questions x 2 methods
    # methods outer: no method's ask follows another method's ask of the same question (whose
    # cached parse would make it look faster than a user's single ask)
    assert [(q, m) for q, m, _ in retriever.calls] == [
        (i.question, m) for m in ("dense", "full") for i in ITEMS
    ]
    assert {k for _, _, k in retriever.calls} == {5}  # recall@5 needs at least 5
    out = report.to_json()
    dense, full = out["methods"]["dense"], out["methods"]["full"]
    # q1: docs dA, dX, dB -> @2 1/2, @5 1, all gold; q2: dC of (C, missing) -> 1/2, 1/2, not all
    assert (dense["recall@2"], dense["recall@5"], dense["all_gold@5"]) == (0.5, 0.75, 0.5)
    assert dense["em"] is None and dense["f1"] is None
    assert dense["errors"] == 1 and "q3: RuntimeError: index gone" in dense["error_examples"][0]
    # doc_ids win over chunk_ids; q2 retrieved nothing
    assert (full["recall@2"], full["recall@5"], full["all_gold@5"]) == (0.5, 0.5, 0.5)
    assert full["em"] == pytest.approx(2 / 3) and full["f1"] == pytest.approx(2 / 3)
    assert full["latency_ms"] == {"p50": 20.0, "p95": pytest.approx(29.0), "mean": 20.0}
    assert out["latency_ms"] == {"p50": 20.0, "p95": pytest.approx(29.0), "method": "full"}
    assert out["gold"] == {
        "passages": 4,
        "missing_from_graph": 1,
        "questions_without_gold": 1,
        "questions_with_missing_gold": 1,
        "missing_examples": [{"question": "q2", "title": "Missing"}],
    }
    assert out["questions"] == 3 and "per_question" not in out
    rows = report.to_json(details=True)["per_question"]
    assert rows[0]["methods"]["dense"]["docs"] == ["dA", "dX", "dB"]
    assert rows[1]["gold_docs"] == [["dC"], []]


def test_latency_is_the_last_method_without_full_and_methods_are_checked() -> None:
    report = evaluate_retrieval(ScriptedRetriever(), ITEMS[:2], ScriptedResolver(), methods=["dense"])
    out = report.to_json()
    assert list(out["methods"]) == ["dense"] and out["latency_ms"]["method"] == "dense"
    assert out["latency_ms"]["p50"] >= 0.0
    with pytest.raises(ConfigError, match=r"unknown retrieval method.*bm25.*known dense, full"):
        evaluate_retrieval(ScriptedRetriever(), ITEMS, ScriptedResolver(), methods=["bm25"])


def test_default_method_intervals_and_paired_counts_in_the_report() -> None:
    retriever = ScriptedRetriever()
    retriever.default_method = "dense"  # type: ignore[attr-defined]
    out = evaluate_retrieval(retriever, ITEMS, ScriptedResolver()).to_json()
    assert out["default_method"] == "dense" and out["latency_ms"]["method"] == "dense"
    dense, full = out["methods"]["dense"], out["methods"]["full"]
    # two questions with gold: dense recall@5 (1, 1/2), full (1, 0)
    low, high = dense["recall_ci95"]["recall@5"]
    assert 0.5 <= low <= dense["recall@5"] <= high <= 1.0
    assert full["vs_dense"]["recall@5"] == {"wins": 0, "losses": 1, "ties": 1}
    assert "vs_dense" not in dense
    # a retriever naming no default: null, and the latency is full's
    plain = evaluate_retrieval(ScriptedRetriever(), ITEMS, ScriptedResolver()).to_json()
    assert plain["default_method"] is None and plain["latency_ms"]["method"] == "full"


def test_bootstrap_interval_and_paired_counts() -> None:
    assert bootstrap_interval([]) == (0.0, 0.0)
    assert bootstrap_interval([0.5] * 10) == (0.5, 0.5)
    values = [float(i % 2) for i in range(100)]
    low, high = bootstrap_interval(values)
    assert low < 0.5 < high and 0.05 < high - low < 0.3  # about +-0.1 for 100 coin flips
    assert bootstrap_interval(values) == (low, high)  # seeded: the same every run
    assert paired_counts([1.0, 0.5, 0.0], [0.5, 0.5, 1.0]) == {"wins": 1, "losses": 1, "ties": 1}


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([5.0], 95) == 5.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile(list(map(float, range(101))), 95) == 95.0


def test_register_adds_the_eval_group_with_retrieval_and_metaqa() -> None:
    from hopgraph.cli.common import graph_options
    from hopgraph.cli.evaluate import register

    parser = argparse.ArgumentParser(prog="hopgraph")
    sub = parser.add_subparsers(dest="command", required=True)
    common = [graph_options()]
    register(sub, common)
    args = parser.parse_args(
        ["eval", "retrieval", "--graph", "g", "--questions", "q.json", "--format", "musique",
         "--methods", "dense, full", "--limit", "3", "--llm", "openai:m"]
    )  # fmt: skip
    got = (args.dataset, args.methods, args.limit, args.k, args.json, args.llm)
    assert got == ("retrieval", ["dense", "full"], 3, 5, None, "openai:m")
    assert parser.parse_args(["eval", "metaqa", "--graph", "g"]).dataset == "metaqa"
    with pytest.raises(SystemExit):
        parser.parse_args(["eval", "retrieval", "--questions", "q.json", "--format", "squad"])


class ScriptedGraph:
    """Stands in for HopGraph.ask (plumbing of the adapter only)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, int | None, str | None]] = []

    def ask(self, question: str, *, method: str = "full", k: int | None = None, llm: str | None = None,
            weights: str | None = None) -> Answer:  # fmt: skip
        self.asked.append((question, method, k, llm))
        chunks = (Chunk("d1", 0, "x"), Chunk("d2", 0, "y"), Chunk("d1", 1, "z"))
        return Answer(text="Bo Lind", chunks=chunks)


def test_hopgraph_retriever_returns_chunks_docs_and_the_answer() -> None:
    from hopgraph.cli.evaluate import HopGraphRetriever

    graph = ScriptedGraph()
    retriever = HopGraphRetriever(graph, llm="openai:m")  # type: ignore[arg-type]
    output = retriever.retrieve("Who?", "ppr", 5)
    assert graph.asked == [("Who?", "ppr", 5, "openai:m")]
    assert output.doc_ids == ("d1", "d2") and len(output.chunk_ids) == 3
    assert output.answer_text == "Bo Lind" and output.ms is None
