"""A small synthetic movie KB (40 movies, 10 directors, 20 actors) and its 1- and 2-hop questions."""

from __future__ import annotations

from hopgraph.ids import entity_id, relation_type
from hopgraph.reason.kb.graph import KBGraph
from hopgraph.reason.kb.questions import KBQuestion
from hopgraph.types import Relation

MOVIES = [f"Movie {i}" for i in range(40)]


def movie_facts() -> list[tuple[str, str, str]]:
    facts = []
    for i, m in enumerate(MOVIES):
        facts.append((m, "directed_by", f"Director {i % 10}"))
        facts.append((m, "starred_actors", f"Actor {i % 20}"))
        facts.append((m, "starred_actors", f"Actor {(i + 7) % 20}"))
        facts.append((m, "release_year", str(1990 + i % 8)))
        facts.append((m, "in_language", ["English", "French", "Greek"][i % 3]))
    return facts


def movie_graph() -> KBGraph:
    names: dict[str, str] = {}
    relations = []
    for s, p, o in movie_facts():
        names[entity_id(s)] = s
        names[entity_id(o)] = o
        relations.append(Relation(entity_id(s), relation_type(p), entity_id(o), p))
    return KBGraph.from_relations(names, relations)


def movie_questions() -> list[KBQuestion]:
    facts = movie_facts()

    def objects(subject: str, predicate: str) -> set[str]:
        return {o for s, p, o in facts if s == subject and p == predicate}

    def subjects(obj: str, predicate: str) -> set[str]:
        return {s for s, p, o in facts if o == obj and p == predicate}

    out = []
    for m in MOVIES:
        out.append(KBQuestion(f"who directed [{m}]", m, tuple(sorted(objects(m, "directed_by"))), 1))
        out.append(KBQuestion(f"when was [{m}] released", m, tuple(sorted(objects(m, "release_year"))), 1))
    for d in sorted({o for _, p, o in facts if p == "directed_by"}):
        films = subjects(d, "directed_by")
        langs = {lang for f in films for lang in objects(f, "in_language")}
        actors = {a for f in films for a in objects(f, "starred_actors")}
        out.append(KBQuestion(f"which movies did [{d}] direct", d, tuple(sorted(films)), 1))
        out.append(
            KBQuestion(f"what languages are the films directed by [{d}] in", d, tuple(sorted(langs)), 2)
        )
        out.append(KBQuestion(f"who acted in the films directed by [{d}]", d, tuple(sorted(actors)), 2))
    for a in sorted({o for _, p, o in facts if p == "starred_actors"}):
        films = subjects(a, "starred_actors")
        years = {y for f in films for y in objects(f, "release_year")}
        directors = {d for f in films for d in objects(f, "directed_by")}
        out.append(KBQuestion(f"when were the films starring [{a}] released", a, tuple(sorted(years)), 2))
        out.append(KBQuestion(f"who directed the films starring [{a}]", a, tuple(sorted(directors)), 2))
    return out
