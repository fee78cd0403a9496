"""Fit the extractive answerer's candidate ranker (``RANKER_WEIGHTS`` in reason/doc/extractive.py).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/fit_answer_ranker.py \\
        --graph benchmarks/.work/musique --questions ../shared/data/musique100/questions.json \\
        --graph benchmarks/.work/musique_offline --questions ../shared/data/musique100/questions.json \\
        --graph benchmarks/.work/2wiki --questions benchmarks/.work/2wiki_questions.json \\
        --inputs /tmp/ranker-inputs [--json benchmarks/results/answer_ranker.json]

Retrieves once per question and graph (``--method``, default ``full``; the answerer's inputs are
kept as pickles under ``--inputs``, so a refit reads them instead of retrieving again), computes
every candidate's features (``extractive.FEATURES``) and fits a conditional logit (a softmax over
each question's candidates, L2-penalised) on the questions of all graphs pooled whose gold answer
is a candidate. It prints EM (the first candidate is the gold answer, over all questions) of the
rules (no weights), of the fitted weights in-sample, 5-fold cross-validated (folds by question,
the same on every graph: weights fitted on four folds of all graphs, scored on the fifth) and,
given several question sets (``--questions`` once per ``--graph``), fitted on the other sets'
graphs alone (how the ranker carries to questions of another corpus), per graph, and the weights
to paste into ``RANKER_WEIGHTS``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy.optimize import minimize

from hopgraph import HopGraph
from hopgraph.eval.answer_metrics import exact_match
from hopgraph.eval.qa_data import load_questions
from hopgraph.reason.doc.extractive import FEATURES, RANKER_GATE, TOP_CHUNKS, TOP_PATHS, rank_candidates
from hopgraph.reason.doc.pipeline import GraphQA, _in_order

FOLDS = 5
PENALTY = 1.0
"""L2 penalty on the weights (the log-likelihood is summed over questions)."""


def answerer_inputs(
    graph: str, questions: str, format: str, method: str, cache: Path | None
) -> list[dict[str, Any]]:
    """Per question: its id, text, gold answers, seeds, chunks and the extractive answerer's inputs."""
    key = hashlib.sha256(f"{Path(graph).resolve()}|{questions}|{method}".encode()).hexdigest()[:16]
    file = cache / f"inputs-{key}.pkl" if cache is not None else None
    if file is not None and file.exists():
        rows: list[dict[str, Any]] = pickle.loads(file.read_bytes())
        return rows
    rows = []
    with HopGraph.open(graph) as hg:
        qa = GraphQA.load(hg.store, cache_dir=hg.cache_dir)
        for item in load_questions(questions, format):
            found = qa.retrieve(item.question, method)
            chunks = _in_order(qa.store.get_chunks([c.id for c in found.chunks]), found.chunks)
            rows.append(
                {
                    "id": item.id,
                    "question": found.question,
                    "answers": item.answers,
                    "seeds": list(found.seeds),
                    "chunks": chunks,
                    "inputs": qa._extractive_inputs(found, chunks),
                }
            )
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(pickle.dumps(rows))
    return rows


Table = tuple[np.ndarray, list[bool], bool]
"""A question's candidates: their features (the rules' order), which are gold, and whether the
ranker decides it (the rules' best holds less than ``RANKER_GATE`` of their support)."""


def candidate_table(row: dict[str, Any]) -> Table:
    """The features of a question's candidates as the rules order them, which are gold, and whether
    the ranker reorders them."""
    inputs = dict(row["inputs"])
    found = rank_candidates(
        row["question"],
        inputs.pop("paths"),
        row["chunks"],
        row["seeds"],
        inputs.pop("mentions"),
        top_paths=TOP_PATHS,
        top_chunks=TOP_CHUNKS,
        ranker_weights=(),
        with_features=True,
        **inputs,
    )
    gold = [bool(exact_match(c.name, row["answers"])) for c in found]
    if any(not c.features for c in found):  # a choice between two named options: no ranker
        return np.zeros((len(found), len(FEATURES))), gold, False
    x = np.array([c.features for c in found], dtype=float).reshape(len(found), len(FEATURES))
    total = sum(c.score for c in found)
    gated = bool(found) and total > 0 and found[0].score / total < RANKER_GATE
    return x, gold, gated


def rules_weights(dims: int) -> np.ndarray:
    """The weights that rank as the rules do: all on the rules' log-score (the ``baseline`` feature)."""
    prior = np.zeros(dims)
    prior[FEATURES.index("baseline")] = 1.0
    return prior


def fit(tables: Sequence[Table], penalty: float = PENALTY) -> np.ndarray:
    """Conditional-logit weights: maximise the log-probability of the gold candidate of each question
    (its softmax share; several gold names share it) minus ``penalty`` times the squared distance of
    the weights from the rules' (:func:`rules_weights`: with little evidence the ranker stays the rules)."""
    usable = [(x, np.array(g)) for x, g, gated in tables if gated and any(g)]
    dims = len(FEATURES)
    prior = rules_weights(dims)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        d = w - prior
        total, grad = penalty * float(d @ d), 2 * penalty * d
        for x, gold in usable:
            z = x @ w
            z = z - z.max()
            p = np.exp(z)
            p /= p.sum()
            share = p[gold].sum()
            total -= float(np.log(share + 1e-12))
            grad = grad - (x[gold].T @ p[gold]) / (share + 1e-12) + x.T @ p
        return total, grad

    return np.asarray(minimize(loss, prior, jac=True, method="L-BFGS-B").x)


def exact(tables: Sequence[Table], w: np.ndarray | None) -> int:
    """Questions whose answer is gold: the rules' first, or by ``w`` where the ranker decides."""
    right = 0
    for x, gold, gated in tables:
        if not len(x):
            continue
        top = int(np.argmax(x @ w)) if w is not None and gated else 0
        right += bool(gold[top])
    return right


def fold_of(question_id: str) -> int:
    return int(hashlib.sha256(question_id.encode()).hexdigest(), 16) % FOLDS


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--graph", action="append", required=True, help="a graph (repeat: pooled)")
    parser.add_argument("--questions", action="append", required=True, help="one per --graph, or one for all")
    parser.add_argument("--format", choices=("musique", "hotpotqa"), default="musique")
    parser.add_argument("--method", default="full")
    parser.add_argument("--inputs", metavar="DIR", help="keep (and reuse) the answerer's inputs here")
    parser.add_argument("--penalty", type=float, default=PENALTY)
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args()
    if len(args.questions) not in (1, len(args.graph)):
        parser.error("give one --questions for all graphs or one per --graph")
    torch.set_num_threads(1)
    cache = Path(args.inputs) if args.inputs else None
    questions = args.questions * len(args.graph) if len(args.questions) == 1 else args.questions
    graphs: dict[str, list[tuple[str, Table]]] = {}
    for graph, file in zip(args.graph, questions, strict=True):
        rows = answerer_inputs(graph, file, args.format, args.method, cache)
        graphs[graph] = [(r["id"], candidate_table(r)) for r in rows]
    pooled = [t for rows in graphs.values() for _, t in rows]
    weights = fit(pooled, args.penalty)
    folds = [
        fit([t for rows in graphs.values() for i, t in rows if fold_of(i) != k], args.penalty)
        for k in range(FOLDS)
    ]
    corpus_of = dict(zip(args.graph, questions, strict=True))
    # with several question sets: each one's graphs scored by weights fitted on the others alone
    others = {
        corpus: fit([t for g, r in graphs.items() if corpus_of[g] != corpus for _, t in r], args.penalty)
        for corpus in set(questions)
        if len(set(questions)) > 1
    }
    report: dict[str, Any] = {
        "features": list(FEATURES),
        "gate": RANKER_GATE,
        "penalty": args.penalty,
        "weights": [round(float(v), 4) for v in weights],
        "graphs": {},
    }
    for graph, rows in graphs.items():
        n = len(rows)
        tables = [t for _, t in rows]
        figures = {
            "questions": n,
            "gold_candidate": sum(any(t[1]) for t in tables),
            "reranked": sum(t[2] for t in tables),
            "em_rules": exact(tables, None) / n,
            "em_fitted": exact(tables, weights) / n,
            "em_cross_validated": sum(exact([t], folds[fold_of(i)]) for i, t in rows) / n,
        }
        if others:
            figures["em_fitted_on_other_questions"] = exact(tables, others[corpus_of[graph]]) / n
        report["graphs"][graph] = figures
        print(
            f"{graph}: "
            + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items())
        )
    print("RANKER_WEIGHTS = (" + ", ".join(f"{v:.4f}" for v in weights) + ")")
    print("fold weights:\n" + "\n".join("  " + " ".join(f"{v:7.3f}" for v in w) for w in folds))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
