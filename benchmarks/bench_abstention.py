"""Choose the extractive answerer's confidence threshold by cross-validation on eval results.

    .venv/bin/hopgraph eval retrieval --graph benchmarks/.work/musique --questions \\
        ../shared/data/musique100/questions.json --format musique --methods full \\
        --json benchmarks/results/musique_answers_gpt.json --details
    .venv/bin/python benchmarks/bench_abstention.py benchmarks/results/musique_answers_gpt.json \\
        [--method full] [--folds 5] [--json benchmarks/results/abstention.json]

Reads each question's confidence and exact match (the best guess, scored even when it abstained)
from ``--details`` output, prints precision at each coverage level and the threshold
:func:`hopgraph.eval.abstention.cross_validated_threshold` chooses (at least 20% answered), with
its cross-validated precision and coverage (5 folds, seed 0).
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
    args = parser.parse_args()
    out = {}
    for name in args.results:
        data = json.loads(Path(name).read_text())
        rows = [q["methods"][args.method] for q in data["per_question"] if args.method in q["methods"]]
        rows = [r for r in rows if "confidence" in r]
        confidences = [float(r["confidence"]) for r in rows]
        correct = [float(r["em"]) for r in rows]
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
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
