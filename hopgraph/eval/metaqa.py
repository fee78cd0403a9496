"""MetaQA: question files, the default data folder, and Hits@1 (all and covered) of a reasoner.

A MetaQA question line is ``text with [topic entity]<TAB>answer1|answer2``. Hits@1 counts a
question as right when the top-ranked entity is one of its gold answers (exact entity id:
``hopgraph.ids.entity_id`` of the gold name). "Covered" questions are those whose every gold
answer is within N undirected hops of the topic in this KB (the KB here lacks ~5% of the
original triples; see the data README), N being the question's hop count.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hopgraph.errors import ConfigError, ImportFormatError
from hopgraph.reason.kb.answerer import KBReasoner
from hopgraph.reason.kb.graph import KBGraph
from hopgraph.reason.kb.questions import Example, KBQuestion, resolve

_TOPIC = re.compile(r"\[([^\]]+)\]")
_HOP_DIR = re.compile(r"(\d+)-hop")
DATA_ENV = "HOPGRAPH_METAQA_DIR"


def default_data_dir() -> Path:
    """``$HOPGRAPH_METAQA_DIR``, else ``../shared/data/metaqa`` from the working directory."""
    folder = Path(os.environ.get(DATA_ENV) or Path("..") / "shared" / "data" / "metaqa")
    if not (folder / "kb.txt").is_file():
        raise ConfigError(f"no MetaQA data at {folder} (kb.txt missing): pass --data DIR or set {DATA_ENV}")
    return folder


def kb_files(folder: Path) -> list[Path]:
    return [p for p in (folder / "kb.txt", folder / "kb_supplement.txt") if p.is_file()]


def hops_from_path(path: str | Path) -> int:
    """``N`` of an ``N-hop`` folder or file name, else 0."""
    found = _HOP_DIR.search(str(path))
    return int(found.group(1)) if found else 0


def parse_line(line: str, hops: int = 0) -> KBQuestion:
    text, sep, answers = line.rstrip("\r\n").partition("\t")
    topic = _TOPIC.search(text)
    gold = tuple(a.strip() for a in answers.split("|") if a.strip()) if sep else ()
    return KBQuestion(
        text=text.strip(), topic=topic.group(1).strip() if topic else "", answers=gold, hops=hops
    )


def read_questions(path: str | Path, hops: int | None = None) -> list[KBQuestion]:
    """Questions of a MetaQA-format file; ``hops`` defaults to the ``N-hop`` in its path (else 0)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"no questions file at {p}")
    n = hops_from_path(p) if hops is None else hops
    out = []
    with p.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if "\t" not in line:
                raise ImportFormatError(f"{p}:{number}: expected 'question<TAB>answer1|answer2'")
            out.append(parse_line(line, n))
    return out


def dev_questions(folder: Path) -> list[KBQuestion]:
    """The 1-, 2- and 3-hop dev questions of a MetaQA folder, in that order."""
    files = [folder / f"{n}-hop" / "dev.txt" for n in (1, 2, 3)]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise ConfigError(f"MetaQA dev files missing: {', '.join(missing)}")
    return [q for f in files for q in read_questions(f)]


@dataclass
class EvalResult:
    questions: int
    covered_questions: int
    hits_all: float
    hits_covered: float
    seconds: float
    per_hop: dict[int, dict[str, float]]

    @property
    def questions_per_s(self) -> float:
        return self.questions / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "hits@1": {"all": self.hits_all, "covered": self.hits_covered},
            "questions": self.questions,
            "covered_questions": self.covered_questions,
            "questions_per_s": self.questions_per_s,
            "seconds": self.seconds,
            "per_hop": {str(k): v for k, v in sorted(self.per_hop.items())},
        }


def coverage(graph: KBGraph, examples: Sequence[Example], default_hops: int = 3) -> list[bool]:
    """Whether every gold answer of each example is within its hop count (undirected) of the topic."""
    out = [False] * len(examples)
    by_hops: dict[int, list[int]] = {}
    for i, e in enumerate(examples):
        if e.topic >= 0 and e.answers and len(e.answers) == len(set(e.question.answers)):
            by_hops.setdefault(e.question.hops or default_hops, []).append(i)
    for hops, indices in by_hops.items():
        for start in range(0, len(indices), 512):
            chunk = indices[start : start + 512]
            reach = graph.reachable([examples[i].topic for i in chunk], hops)
            for row, i in enumerate(chunk):
                out[i] = bool(reach[row, list(examples[i].answers)].all())
    return out


def evaluate(
    reasoner: KBReasoner,
    questions: Sequence[KBQuestion],
    *,
    hops: int | None = None,
    batch_size: int = 256,
    with_paths: bool = True,
) -> EvalResult:
    """Hits@1 of ``reasoner`` on all and on covered questions, per hop count, and throughput.

    Timing covers resolving topics, scoring and (``with_paths``) extracting each answer's path.
    """
    if hops is not None:
        questions = [KBQuestion(q.text, q.topic, q.answers, hops) for q in questions]
    started = time.perf_counter()
    examples = resolve(reasoner.graph, questions)
    predictions = reasoner.predict(examples, batch_size=batch_size, with_paths=with_paths)
    seconds = time.perf_counter() - started
    covered = coverage(reasoner.graph, examples)
    hits = [p.node >= 0 and p.node in set(e.answers) for p, e in zip(predictions, examples, strict=True)]
    per_hop: dict[int, dict[str, float]] = {}
    for n in sorted({q.hops for q in questions}):
        idx = [i for i, q in enumerate(questions) if q.hops == n]
        cov = [i for i in idx if covered[i]]
        per_hop[n] = {
            "questions": len(idx),
            "covered_questions": len(cov),
            "hits@1_all": sum(hits[i] for i in idx) / max(1, len(idx)),
            "hits@1_covered": sum(hits[i] for i in cov) / max(1, len(cov)),
        }
    cov_all = [i for i, c in enumerate(covered) if c]
    return EvalResult(
        questions=len(questions),
        covered_questions=len(cov_all),
        hits_all=sum(hits) / max(1, len(hits)),
        hits_covered=sum(hits[i] for i in cov_all) / max(1, len(cov_all)),
        seconds=seconds,
        per_hop=per_hop,
    )
