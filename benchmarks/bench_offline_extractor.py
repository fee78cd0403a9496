"""Offline (spaCy) extractor benchmarks: Re-DocRED precision/recall and 2Wiki throughput/memory.

    .venv/bin/python benchmarks/bench_offline_extractor.py [--limit N] [--only redocred|2wiki]
        [--n-process 1 2] [--batch-size 64]

(c) Re-DocRED dev (../shared/data/redocred/dev.json, 500 docs, 17,284 gold triples). Each
document is ONE chunk: its sentences' tokens joined by spaces, with spaces before closing
punctuation and after opening brackets removed. Matching is entity-level and ignores the
relation label (gold relations are Wikidata P-ids, not comparable with free-text predicates, so
a relation-aware score is impossible without a P-id <-> predicate mapping and is not reported):

  norm(s)   = lower-case, every non-alphanumeric character -> space, the articles a/an/the
              dropped, split into tokens.
  lenient   : a ~ b  iff  norm(a) == norm(b), or one token sequence occurs contiguously inside
              the other (so they share >= 1 token; "Bohr" ~ "Niels Bohr", "1922" ~ "May 1922").
  exact     : a ~ b  iff  norm(a) == norm(b).
  A predicted triple (s, p, o) matches a gold triple (h, r, t) of the same document when s ~ some
  mention name of entity h and o ~ some mention name of entity t ("directed"), or additionally the
  other way round ("undirected": s ~ t and o ~ h).
  precision = predicted triples matching >= 1 gold triple / all predicted triples;
  recall    = gold triples matched by >= 1 predicted triple / all gold triples (gold triples are
              (h, t, r) labels, so one matched entity pair can cover several gold relations).
  Also reported: the same on the subset of predictions whose two arguments are both NER spans,
  and the share of gold triples whose head and tail are ever mentioned in one sentence (the
  ceiling of any sentence-level extractor without coreference).

(b) 2Wiki corpus (../shared/data/2wiki/corpus.json, 6,119 passages, one chunk each): extraction
wall time (model load excluded, reported apart), passages/s, triples per passage, and peak memory
(ru_maxrss of the process; with n_process > 1 also of the largest worker). Each n_process setting
runs in a fresh subprocess so its peak memory is its own.

Results go to benchmarks/results/offline_redocred.json and offline_2wiki.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hopgraph.extract.extractors.offline import SpacyExtractor  # noqa: E402
from hopgraph.types import Chunk, Triple  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "benchmarks" / "results"
ARTICLES = frozenset({"a", "an", "the"})
_NON_ALNUM = re.compile(r"[\W_]+")
_SPACE_BEFORE = re.compile(r" ([.,;:!?%)\]}]|'s\b|n't\b)")
_SPACE_AFTER = re.compile(r"([(\[{$]) ")


def detokenize(sents: list[list[str]]) -> str:
    text = " ".join(" ".join(tokens) for tokens in sents)
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))


def norm(text: str) -> tuple[str, ...]:
    return tuple(t for t in _NON_ALNUM.sub(" ", text.lower()).split() if t not in ARTICLES)


def _contains(big: tuple[str, ...], small: tuple[str, ...]) -> bool:
    n = len(small)
    return any(big[i : i + n] == small for i in range(len(big) - n + 1))


def similar(a: tuple[str, ...], b: tuple[str, ...], lenient: bool) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    return lenient and (_contains(a, b) if len(a) >= len(b) else _contains(b, a))


def _score(matched_pred: int, n_pred: int, matched_gold: int, n_gold: int) -> dict[str, float | int]:
    p = matched_pred / n_pred if n_pred else 0.0
    r = matched_gold / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f1, 4),
        "matched_predicted": matched_pred,
        "predicted": n_pred,
        "matched_gold": matched_gold,
        "gold": n_gold,
    }


def evaluate(docs: list[dict[str, Any]], predictions: list[list[Triple]]) -> dict[str, Any]:
    variants = {
        f"{mode}_{direction}{subset}": (mode == "lenient", direction == "undirected", subset == "_ner_only")
        for mode in ("lenient", "exact")
        for direction in ("directed", "undirected")
        for subset in ("", "_ner_only")
    }
    counts = {name: [0, 0, 0, 0] for name in variants}
    for doc, triples in zip(docs, predictions, strict=True):
        names = [{norm(m["name"]) for m in cluster} for cluster in doc["vertexSet"]]
        gold = [(names[lab["h"]], names[lab["t"]]) for lab in doc["labels"]]
        for name, (lenient, undirected, ner_only) in variants.items():
            preds = [t for t in triples if not ner_only or (t.subject_type and t.object_type)]
            hit_gold = [False] * len(gold)
            matched = 0
            for t in preds:
                s, o = norm(t.subject), norm(t.object)
                any_hit = False
                for g, (heads, tails) in enumerate(gold):
                    forward = any(similar(s, h, lenient) for h in heads) and any(
                        similar(o, x, lenient) for x in tails
                    )
                    backward = undirected and (
                        any(similar(s, x, lenient) for x in tails)
                        and any(similar(o, h, lenient) for h in heads)
                    )
                    if forward or backward:
                        hit_gold[g] = any_hit = True
                matched += any_hit
            c = counts[name]
            c[0] += matched
            c[1] += len(preds)
            c[2] += sum(hit_gold)
            c[3] += len(gold)
    return {name: _score(*c) for name, c in counts.items()}


def cooccurrence_ceiling(docs: list[dict[str, Any]]) -> float:
    total = same = 0
    for doc in docs:
        sents = [{m["sent_id"] for m in cluster} for cluster in doc["vertexSet"]]
        for lab in doc["labels"]:
            total += 1
            same += bool(sents[lab["h"]] & sents[lab["t"]])
    return round(same / total, 4) if total else 0.0


def bench_redocred(limit: int | None, batch_size: int) -> dict[str, Any]:
    docs = json.loads((DATA / "redocred" / "dev.json").read_text())[:limit]
    chunks = [Chunk(doc_id=f"redocred-{i}", ord=0, text=detokenize(d["sents"])) for i, d in enumerate(docs)]
    extractor = SpacyExtractor(batch_size=batch_size)
    t0 = time.perf_counter()
    _ = extractor.nlp
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    extractions = list(extractor.extract_many(chunks))
    wall = time.perf_counter() - t0
    predictions = [list(e.triples) for e in extractions]
    return {
        "benchmark": "offline extractor on Re-DocRED dev (entity-level, relation label ignored)",
        "model": extractor.model,
        "chunking": "one chunk per document (tokens joined by spaces, light detokenisation)",
        "documents": len(docs),
        "predicted_triples": sum(len(p) for p in predictions),
        "errors": sum(not e.ok for e in extractions),
        "model_load_s": round(load_s, 2),
        "wall_s": round(wall, 2),
        "docs_per_s": round(len(docs) / wall, 2),
        "gold_head_tail_in_one_sentence": cooccurrence_ceiling(docs),
        "scores": evaluate(docs, predictions),
        "matching": __doc__.split("(b)")[0].strip() if __doc__ else "",
        "python": platform.python_version(),
    }


def worker_2wiki(limit: int | None, batch_size: int, n_process: int) -> dict[str, Any]:
    passages = json.loads((DATA / "2wiki" / "corpus.json").read_text())[:limit]
    chunks = [Chunk(doc_id=f"2wiki-{i}", ord=0, text=p["text"]) for i, p in enumerate(passages)]
    extractor = SpacyExtractor(batch_size=batch_size, n_process=n_process)
    t0 = time.perf_counter()
    _ = extractor.nlp
    load_s = time.perf_counter() - t0
    rss_after_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    triples = errors = 0
    for extraction in extractor.extract_many(chunks):
        triples += len(extraction.triples)
        errors += not extraction.ok
    wall = time.perf_counter() - t0
    return {
        "n_process": n_process,
        "batch_size": batch_size,
        "passages": len(chunks),
        "triples": triples,
        "triples_per_passage": round(triples / max(1, len(chunks)), 2),
        "errors": errors,
        "model_load_s": round(load_s, 2),
        "wall_s": round(wall, 2),
        "passages_per_s": round(len(chunks) / wall, 2),
        "peak_rss_mb_after_load": round(rss_after_load, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_mb_largest_worker": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def bench_2wiki(limit: int | None, batch_size: int, n_processes: list[int]) -> dict[str, Any]:
    runs = []
    for n in n_processes:
        cmd = [sys.executable, __file__, "--worker-2wiki", str(n), "--batch-size", str(batch_size)]
        if limit is not None:
            cmd += ["--limit", str(limit)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {
        "benchmark": "offline extractor throughput on the 2Wiki corpus (one chunk per passage)",
        "runs": runs,
        "cpu_count": len(__import__("os").sched_getaffinity(0)),
        "python": platform.python_version(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents/passages")
    parser.add_argument("--only", choices=["redocred", "2wiki"])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-process", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--worker-2wiki", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_2wiki:
        print(json.dumps(worker_2wiki(args.limit, args.batch_size, args.worker_2wiki)))
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "redocred"):
        red = bench_redocred(args.limit, args.batch_size)
        (RESULTS / "offline_redocred.json").write_text(json.dumps(red, indent=2) + "\n")
        print(
            f"\nRe-DocRED dev: {red['documents']} docs, {red['predicted_triples']} predicted triples, "
            f"{red['docs_per_s']} docs/s, gold pairs co-mentioned in one sentence: "
            f"{red['gold_head_tail_in_one_sentence']}\n"
        )
        print("| variant | P | R | F1 | matched pred / pred | matched gold / gold |")
        print("|---|---|---|---|---|---|")
        for name, s in red["scores"].items():
            print(
                f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
                f"{s['matched_predicted']}/{s['predicted']} | {s['matched_gold']}/{s['gold']} |"
            )
    if args.only in (None, "2wiki"):
        wiki = bench_2wiki(args.limit, args.batch_size, args.n_process)
        (RESULTS / "offline_2wiki.json").write_text(json.dumps(wiki, indent=2) + "\n")
        print(
            "\n| n_process | passages | wall s | passages/s | triples/passage | peak RSS MB (main / worker) |"
        )
        print("|---|---|---|---|---|---|")
        for r in wiki["runs"]:
            print(
                f"| {r['n_process']} | {r['passages']} | {r['wall_s']} | {r['passages_per_s']} | "
                f"{r['triples_per_passage']} | {r['peak_rss_mb']} / {r['peak_rss_mb_largest_worker']} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
