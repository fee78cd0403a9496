"""Retrieval and QA evaluation on a graph: passage recall, answer EM/F1 and latency per method.

A :class:`~hopgraph.retrieval.base.Retriever` (the QA pipeline, wired by the caller) answers each
question once per method; :func:`evaluate_retrieval` scores what it returns against the gold passages, which a
:class:`~hopgraph.eval.gold.GoldResolver` maps to the graph's Document ids
(:class:`~hopgraph.eval.gold.StoreGoldResolver` reads them from a store: by (title, text) where the
gold has text, by title where it has none; both are re-exported here).

Recall is per Document: the ranked chunk list collapses to distinct documents in order (a
retriever may give ``doc_ids`` itself). ``recall@k`` of a question is the fraction of its gold
passages among the first k documents, a gold passage missing from the graph counting as a miss;
``all_gold@5`` is 1 when every gold passage is in the top 5. Questions with no gold passages are
left out of the recall figures (and counted). EM/F1 are scored for methods that return an
answer text. A retriever error on one question is counted for its method, scored as nothing
retrieved, and the run goes on.

Each recall figure comes with a 95% bootstrap interval over the questions (percentile method,
``BOOTSTRAP_SAMPLES`` resamples, fixed seed): on 100 questions it is about +-0.07 wide, so a 1-point
change is noise. Each method is also compared with ``dense`` question by question (``vs_dense``:
how many questions it ranks better and worse at recall@2 and @5), when both were run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hopgraph.errors import ConfigError
from hopgraph.eval.abstention import coverage_curve
from hopgraph.eval.answer_metrics import exact_match, f1
from hopgraph.eval.gold import GoldResolver, StoreGoldResolver
from hopgraph.eval.qa_data import QAItem
from hopgraph.retrieval.base import RetrievalOutput, Retriever

log = logging.getLogger(__name__)
RECALL_AT = (2, 5)
MAX_EXAMPLES = 20
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 0
_SCORED = frozenset({*(f"recall@{k}" for k in RECALL_AT), "all_gold@5", "em", "f1"})


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100), numpy's linear interpolation; 0.0 if empty."""
    return float(np.percentile(values, q)) if len(values) else 0.0


def bootstrap_interval(
    values: Sequence[float], *, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED
) -> tuple[float, float]:
    """The 95% percentile-bootstrap interval of the mean of ``values`` ((0, 0) if empty)."""
    if not len(values):
        return 0.0, 0.0
    data = np.asarray(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(samples, len(data)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def paired_counts(method: Sequence[float], base: Sequence[float]) -> dict[str, int]:
    """Questions where ``method`` scores above / below / the same as ``base`` (paired, in order)."""
    pairs = list(zip(method, base, strict=True))
    return {
        "wins": sum(m > b for m, b in pairs),
        "losses": sum(m < b for m, b in pairs),
        "ties": sum(m == b for m, b in pairs),
    }


@dataclass
class MethodResult:
    """One method's scores over the questions (recall over questions with gold passages)."""

    recall: dict[int, float]
    all_gold_at_5: float
    em: float | None
    f1: float | None
    ms: list[float]
    errors: int = 0
    error_examples: list[str] = field(default_factory=list)
    recall_ci95: dict[int, tuple[float, float]] = field(default_factory=dict)
    """The 95% bootstrap interval of each recall figure (:func:`bootstrap_interval`)."""
    vs_dense: dict[int, dict[str, int]] = field(default_factory=dict)
    """Per recall@k: questions ranked better / worse / the same as ``dense`` (when it ran)."""
    abstention: dict[str, Any] | None = None
    """With answer confidences: answered share and precision at the answerer's threshold, and
    precision at each coverage level (:mod:`hopgraph.eval.abstention`)."""

    def to_json(self) -> dict[str, Any]:
        return {
            **({"abstention": self.abstention} if self.abstention else {}),
            **{f"recall@{k}": v for k, v in self.recall.items()},
            "recall_ci95": {f"recall@{k}": list(v) for k, v in self.recall_ci95.items()},
            **({"vs_dense": {f"recall@{k}": v for k, v in self.vs_dense.items()}} if self.vs_dense else {}),
            "all_gold@5": self.all_gold_at_5,
            "em": self.em,
            "f1": self.f1,
            "latency_ms": _latency(self.ms),
            "errors": self.errors,
            **({"error_examples": self.error_examples} if self.error_examples else {}),
        }


def _latency(ms: Sequence[float]) -> dict[str, float]:
    mean = sum(ms) / len(ms) if ms else 0.0
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "mean": mean}


@dataclass
class RetrievalReport:
    """Per-method scores, the gold passages found and missing, and per-question details."""

    questions: int
    k: int
    methods: dict[str, MethodResult]
    gold_passages: int
    gold_missing: int
    questions_without_gold: int
    questions_with_missing_gold: int
    missing_examples: list[dict[str, str]]
    seconds: float
    per_question: list[dict[str, Any]] = field(default_factory=list)
    default_method: str = ""
    """The retriever's default method (what a plain ``ask`` uses); '' when it names none."""

    @property
    def latency_method(self) -> str:
        """The default method when it was run, else ``full`` when it was, else the last method."""
        if self.default_method in self.methods:
            return self.default_method
        return "full" if "full" in self.methods else (list(self.methods)[-1] if self.methods else "")

    def to_json(self, *, details: bool = False) -> dict[str, Any]:
        chosen = self.methods.get(self.latency_method)
        latency = _latency(chosen.ms if chosen else [])
        out: dict[str, Any] = {
            "questions": self.questions,
            "k": self.k,
            "default_method": self.default_method or None,
            "methods": {name: m.to_json() for name, m in self.methods.items()},
            "latency_ms": {"p50": latency["p50"], "p95": latency["p95"], "method": self.latency_method},
            "gold": {
                "passages": self.gold_passages,
                "missing_from_graph": self.gold_missing,
                "questions_without_gold": self.questions_without_gold,
                "questions_with_missing_gold": self.questions_with_missing_gold,
                "missing_examples": self.missing_examples,
            },
            "seconds": self.seconds,
        }
        if details:
            out["per_question"] = self.per_question
        return out


def _abstention(results: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    rows = [r for r in results if "confidence" in r]
    if not rows:
        return None
    kept = [r for r in rows if not r.get("abstained")]
    curve = coverage_curve([float(r["confidence"]) for r in rows], [float(r["em"]) for r in rows])
    return {
        "answered": len(kept) / len(rows),
        "answered_precision": sum(r["em"] for r in kept) / len(kept) if kept else None,
        "precision_at_coverage": [{"coverage": c, "min_confidence": t, "precision": p} for c, t, p in curve],
    }


def _ranked_docs(output: RetrievalOutput, resolver: GoldResolver) -> list[str]:
    ids = list(output.doc_ids) if output.doc_ids else resolver.docs_of_chunks(output.chunk_ids)
    return list(dict.fromkeys(ids))


def recall_scores(ranked: Sequence[str], gold: Sequence[frozenset[str]]) -> dict[str, float]:
    """Recall@k (k in RECALL_AT: the share of gold passages with a document among the first k of
    ``ranked``, distinct document ids best first) and all_gold@5; ``gold`` holds one set of
    acceptable document ids per gold passage (not empty)."""

    def hits(k: int) -> int:
        top = set(ranked[:k])
        return sum(1 for ids in gold if ids & top)

    out = {f"recall@{k}": hits(k) / len(gold) for k in RECALL_AT}
    out["all_gold@5"] = float(hits(5) == len(gold))
    return out


def evaluate_retrieval(
    retriever: Retriever,
    items: Sequence[QAItem],
    gold_resolver: GoldResolver,
    methods: Sequence[str] | None = None,
    k: int = 5,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> RetrievalReport:
    """Ask ``retriever`` every question with every method and score the results.

    Methods outer, questions inner: each method answers every question in turn, so no method's
    time gains from another's work on the same question (a question's spaCy parse, kept by the
    pipeline for the next ask of the same text, would otherwise make every method after the first
    look faster than a user's single ask). ``k`` (at least 5) is passed on; ``progress(done,
    total)`` follows each ask (questions times methods)."""
    names = list(methods) if methods else list(retriever.methods)
    unknown = [m for m in names if m not in retriever.methods]
    if unknown or not names:
        known = ", ".join(retriever.methods) or "none"
        raise ConfigError(
            f"unknown retrieval method(s) {', '.join(unknown) or '(none given)'}: known {known}"
        )
    k = max(k, max(RECALL_AT))
    started = time.perf_counter()
    scores: dict[str, dict[str, list[float]]] = {m: {} for m in names}
    answered: dict[str, bool] = dict.fromkeys(names, False)
    ms: dict[str, list[float]] = {m: [] for m in names}
    errors: dict[str, list[str]] = {m: [] for m in names}
    gold_total = missing = no_gold = with_missing = 0
    missing_examples: list[dict[str, str]] = []
    per_question: list[dict[str, Any]] = []
    golds = [[gold_resolver.resolve(g) for g in item.gold] for item in items]
    for item, gold in zip(items, golds, strict=True):
        gone = [g for g, ids in zip(item.gold, gold, strict=True) if not ids]
        gold_total, missing = gold_total + len(gold), missing + len(gone)
        no_gold += not gold
        with_missing += bool(gone)
        for g in gone[: max(0, MAX_EXAMPLES - len(missing_examples))]:
            missing_examples.append({"question": item.id, "title": g.title})
        per_question.append({"id": item.id, "gold_docs": [sorted(ids) for ids in gold], "methods": {}})
    asks = 0
    for method in names:
        for item, gold, row in zip(items, golds, per_question, strict=True):
            clock = time.perf_counter()
            try:
                output = retriever.retrieve(item.question, method, k)
            except Exception as exc:  # noqa: BLE001 - one failing question must not end the run
                log.warning("%s failed on question %s: %s", method, item.id, exc)
                errors[method].append(f"{item.id}: {type(exc).__name__}: {exc}")
                output = RetrievalOutput()
            took = (time.perf_counter() - clock) * 1000 if output.ms is None else output.ms
            ms[method].append(took)
            ranked = _ranked_docs(output, gold_resolver)
            result: dict[str, Any] = {"docs": ranked[:k], "ms": took}
            if gold:
                result.update(recall_scores(ranked, gold))
            if output.answer_text is not None:
                answered[method] = True
                result["answer"] = output.answer_text
            if output.confidence is not None:
                result["confidence"] = output.confidence
                result["abstained"] = output.abstained
            answer = output.answer_text or ""
            result["em"], result["f1"] = exact_match(answer, item.answers), f1(answer, item.answers)
            for key in _SCORED.intersection(result):
                scores[method].setdefault(key, []).append(result[key])
            row["methods"][method] = result
            asks += 1
            if progress is not None:
                progress(asks, len(items) * len(names))

    def mean(method: str, key: str) -> float:
        values = scores[method].get(key, [])
        return sum(values) / len(values) if values else 0.0

    def versus_dense(method: str) -> dict[int, dict[str, int]]:
        if "dense" not in scores or method == "dense":
            return {}
        base = scores["dense"]
        return {
            k_: paired_counts(scores[method].get(f"recall@{k_}", []), base.get(f"recall@{k_}", []))
            for k_ in RECALL_AT
        }

    results = {
        m: MethodResult(
            abstention=_abstention([row["methods"][m] for row in per_question]),
            recall={k_: mean(m, f"recall@{k_}") for k_ in RECALL_AT},
            recall_ci95={k_: bootstrap_interval(scores[m].get(f"recall@{k_}", [])) for k_ in RECALL_AT},
            vs_dense=versus_dense(m),
            all_gold_at_5=mean(m, "all_gold@5"),
            em=mean(m, "em") if answered[m] else None,
            f1=mean(m, "f1") if answered[m] else None,
            ms=ms[m],
            errors=len(errors[m]),
            error_examples=errors[m][:MAX_EXAMPLES],
        )
        for m in names
    }
    return RetrievalReport(
        questions=len(items),
        k=k,
        methods=results,
        gold_passages=gold_total,
        gold_missing=missing,
        questions_without_gold=no_gold,
        questions_with_missing_gold=with_missing,
        missing_examples=missing_examples,
        seconds=time.perf_counter() - started,
        per_question=per_question,
        default_method=str(getattr(retriever, "default_method", "") or ""),
    )


__all__ = [
    "GoldResolver",
    "MethodResult",
    "RetrievalReport",
    "StoreGoldResolver",
    "bootstrap_interval",
    "evaluate_retrieval",
    "paired_counts",
    "percentile",
]
