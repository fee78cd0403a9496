"""Choose the extractive answerer's confidence threshold by cross-validation on eval results.

    .venv/bin/hopgraph eval retrieval --graph benchmarks/.work/musique --questions \\
        ../shared/data/musique100/questions.json --format musique --methods full \\
        --json benchmarks/results/musique_answers_gpt.json --details
    .venv/bin/python benchmarks/bench_abstention.py benchmarks/results/musique_answers_gpt.json \\
        [more results ...] [--method full] [--folds 5] [--pool] [--json benchmarks/results/abstention.json]

Reads each question's confidence and exact match (the best guess, scored even when it abstained)
from ``--details`` output, prints precision at each coverage level and the threshold
:func:`hopgraph.eval.abstention.cross_validated_threshold` chooses (at least 20% answered), with
its cross-validated precision and coverage (5 folds, seed 0). With ``--pool`` and several files,
also one threshold chosen the same way on all their questions together, and what it gives on
each file (the default threshold is chosen so, on both MuSiQue-100 graphs).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hopgraph.eval.abstention import coverage_curve, cross_validated_threshold


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("results", nargs="+", help="hopgraph eval retrieval --json ... --details output")
    parser.add_argument("--method", default="full")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", metavar="OUT")
    parser.add_argument(
        "--pool",
        action="store_true",
        help="also choose one threshold on all files' questions together and score it on each file",
    )
    args = parser.parse_args()
    out: dict[str, object] = {}
    pooled: list[tuple[str, list[float], list[float]]] = []
    for name in args.results:
        data = json.loads(Path(name).read_text())
        rows = [q["methods"][args.method] for q in data["per_question"] if args.method in q["methods"]]
        rows = [r for r in rows if "confidence" in r]
        confidences = [float(r["confidence"]) for r in rows]
        correct = [float(r["em"]) for r in rows]
        pooled.append((name, confidences, correct))
        choice = cross_validated_threshold(confidences, correct, folds=args.folds)
        curve = coverage_curve(confidences, correct)
        print(f"{name}: {len(rows)} questions, EM {sum(correct) / max(len(rows), 1):.3f}")
        for coverage, threshold, precision in curve:
            print(f"  coverage {coverage:.0%}: precision {precision:.3f} (confidence >= {threshold:.3f})")
        print(
            f"  chosen threshold {choice.threshold:.3f}: precision {choice.precision:.3f} at coverage "
            f"{choice.coverage:.0%}; cross-validated ({choice.folds} folds): precision "
            f"{choice.cv_precision:.3f} at coverage {choice.cv_coverage:.0%}, fold thresholds "
            + ", ".join(f"{t:.3f}" for t in choice.cv_thresholds)
        )
        out[name] = {
            "em": sum(correct) / max(len(rows), 1),
            "choice": choice.to_json(),
            "precision_at_coverage": [
                {"coverage": c, "min_confidence": t, "precision": p} for c, t, p in curve
            ],
        }
    if args.pool and len(pooled) > 1:
        out["pooled"] = _pooled(pooled, args.folds)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")


def _pooled(files: list[tuple[str, list[float], list[float]]], folds: int) -> dict[str, object]:
    """One threshold chosen (and cross-validated) on every file's questions together, then the
    share answered and the precision it gives on each file."""
    confidences = [c for _, cs, _ in files for c in cs]
    correct = [e for _, _, es in files for e in es]
    choice = cross_validated_threshold(confidences, correct, folds=folds)
    print(
        f"pooled ({len(confidences)} questions): chosen threshold {choice.threshold:.3f}: precision "
        f"{choice.precision:.3f} at coverage {choice.coverage:.0%}; cross-validated ({choice.folds} folds): "
        f"precision {choice.cv_precision:.3f} at coverage {choice.cv_coverage:.0%}, fold thresholds "
        + ", ".join(f"{t:.3f}" for t in choice.cv_thresholds)
    )
    per_file = {}
    for name, cs, es in files:
        kept = [e for c, e in zip(cs, es, strict=True) if c >= choice.threshold]
        precision = sum(kept) / len(kept) if kept else 0.0
        per_file[name] = {"coverage": len(kept) / max(len(cs), 1), "precision": precision}
        print(f"  {name}: answered {len(kept) / max(len(cs), 1):.0%}, precision {precision:.3f}")
    return {"choice": choice.to_json(), "per_file": per_file}


if __name__ == "__main__":
    main()
