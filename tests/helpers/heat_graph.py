"""A hand-made document graph (Heat, Michael Mann, Chicago, ...) with one-hot entity and predicate vectors."""

from __future__ import annotations

import numpy as np

from hopgraph.types import Entity, Relation, Subgraph

DIM = 16
PREDICATES = ["directed by", "born in", "released in", "married to", "located in"]
FACTS = [
    ("Heat", "directed by", "Michael Mann"),
    ("Michael Mann", "born in", "Chicago"),
    ("Heat", "released in", "1995"),
    ("Michael Mann", "married to", "Summer Mann"),
    ("Chicago", "located in", "Illinois"),
    ("Summer Mann", "born in", "Boston"),
]


def _basis(i: int) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    return v


def predicate_vectors(texts: list[str]) -> np.ndarray:
    return np.stack([_basis(PREDICATES.index(t)) for t in texts])


def entity_vectors(ids: list[str]) -> np.ndarray:
    return np.stack([_basis(8 + (sum(map(ord, i)) % 8)) for i in ids])


def subgraph() -> Subgraph:
    names = sorted({n for s, _, o in FACTS for n in (s, o)})
    entities = tuple(Entity(n, id=f"e:{n}") for n in names)
    relations = tuple(
        Relation(f"e:{s}", p.upper().replace(" ", "_"), f"e:{o}", p, (f"c{i}",), (f"d{i}",))
        for i, (s, p, o) in enumerate(FACTS)
    )
    return Subgraph(entities, relations, seeds=("e:Heat",))


def question(*predicates: str) -> np.ndarray:
    v = sum(_basis(PREDICATES.index(p)) for p in predicates)
    return np.asarray(v / np.linalg.norm(v), dtype=np.float32)
