"""Two-hop questions over the 2Wiki corpus, generated from its text: a second multi-hop set.

    .venv/bin/python benchmarks/make_2wiki_questions.py --out benchmarks/.work/2wiki_questions.json

The shared 2Wiki corpus (../shared/data/2wiki/corpus.json, 6,119 Wikipedia paragraphs) comes
without its questions. This script writes questions in 2WikiMultiHopQA's own templates, found by
patterns in the paragraphs, never by hopgraph's extractor or graph (so the set does not favour
the graph's view of the text):

- composition, from a film paragraph that says "directed by NAME" where NAME is the title of
  another paragraph of the corpus: "When was the director of film X born?", "When did the director
  of film X die?" (dates from "NAME( 24 May 1900 – 31 October 1984)" or "(born 13 April 1998)"),
  "What nationality is the director of film X?" ("was an American film director"); gold: both
  paragraphs;
- comparison: "Which film came out first, X or Y?" for two film paragraphs that give their year
  ("is a 1948 American drama film"); gold: both paragraphs.

Each director is used once, questions are drawn with a fixed seed, and the file is written in
MuSiQue's format (``hopgraph eval retrieval --format musique``), outside the repository: the
passages are the corpus's and stay in ../shared. Answers (a date, a nationality, a title) are
the text's own, so EM is measurable too.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "2wiki" / "corpus.json"

_NAME_END = r"(?=[,\.;]| and | \(|\(| from | for | with | starring| based| who| which| that| in \d|$)"
DIRECTED_BY = re.compile(r"directed by ([A-Z][\w\.'\- ]+?)" + _NAME_END)
FILM_YEAR = re.compile(r"\bis an? (\d{4}) (?:[A-Z][\w\-]+ )*(?:[a-z\-]+ )*film\b")
_DATE = r"(\d{1,2} [A-Z][a-z]+ \d{3,4}|[A-Z][a-z]+ \d{1,2}, \d{3,4}|\d{3,4})"
LIFE = re.compile(r"^[^(]{0,80}\(\s*(?:born )?" + _DATE + r"\s*[–-]\s*" + _DATE + r"\s*\)")
BORN = re.compile(r"^[^(]{0,80}\(\s*born " + _DATE)
NATIONALITY = re.compile(
    r"\b(?:is|was) an? ([A-Z][a-z]+(?:-[A-Z][a-z]+)?) (?:[a-z]+ ){0,3}(?:film )?director\b"
)


def short_title(title: str) -> str:
    """The film's name as 2Wiki's questions write it: without "(2013 film)"."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", title).strip()


def paragraph(doc: dict[str, str]) -> dict[str, Any]:
    return {"title": doc["title"], "paragraph_text": doc["text"], "is_supporting": True}


def composition(film: dict[str, str], director: dict[str, str], rng: random.Random) -> dict[str, Any] | None:
    name = short_title(film["title"])
    text = director["text"]
    options: list[tuple[str, str]] = []
    if m := LIFE.search(text):
        options.append((f"When was the director of film {name} born?", m.group(1)))
        options.append((f"When did the director of film {name} die?", m.group(2)))
    elif m := BORN.search(text):
        options.append((f"When was the director of film {name} born?", m.group(1)))
    if m := NATIONALITY.search(text):
        options.append((f"What nationality is the director of film {name}?", m.group(1)))
    if not options:
        return None
    question, answer = rng.choice(options)
    return {
        "question": question,
        "answer": answer,
        "answer_aliases": [],
        "type": "composition",
        "paragraphs": [paragraph(film), paragraph(director)],
    }


def comparison(a: dict[str, str], b: dict[str, str], years: dict[str, int]) -> dict[str, Any] | None:
    if years[a["title"]] == years[b["title"]]:
        return None
    first = a if years[a["title"]] < years[b["title"]] else b
    return {
        "question": f"Which film came out first, {short_title(a['title'])} or {short_title(b['title'])}?",
        "answer": short_title(first["title"]),
        "answer_aliases": [],
        "type": "comparison",
        "paragraphs": [paragraph(a), paragraph(b)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--out", required=True, help="the questions file to write (MuSiQue's format)")
    parser.add_argument("--composition", type=int, default=75, help="composition questions (default 75)")
    parser.add_argument("--comparison", type=int, default=25, help="comparison questions (default 25)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    corpus: list[dict[str, str]] = json.loads(Path(args.corpus).read_text(encoding="utf-8"))
    by_title = {d["title"]: d for d in corpus}
    rng = random.Random(args.seed)

    pairs: list[tuple[dict[str, str], dict[str, str]]] = []
    seen_directors: set[str] = set()
    for doc in corpus:
        m = DIRECTED_BY.search(doc["text"])
        name = m.group(1).strip() if m else ""
        if name in by_title and name != doc["title"] and name not in seen_directors:
            seen_directors.add(name)
            pairs.append((doc, by_title[name]))
    rng.shuffle(pairs)
    questions = [q for film, director in pairs if (q := composition(film, director, rng))]
    questions = questions[: args.composition]

    years = {d["title"]: int(m.group(1)) for d in corpus if (m := FILM_YEAR.search(d["text"]))}
    films = [by_title[t] for t in years]
    rng.shuffle(films)
    compared = [q for a, b in zip(films[::2], films[1::2], strict=False) if (q := comparison(a, b, years))]
    questions += compared[: args.comparison]

    for number, q in enumerate(questions, start=1):
        q["id"] = f"2wiki-gen-{number:03d}"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(questions, indent=1, ensure_ascii=False), encoding="utf-8")
    kinds = {k: sum(q["type"] == k for q in questions) for k in ("composition", "comparison")}
    print(f"{len(questions)} questions ({kinds}) from {len(pairs)} film-director pairs -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
