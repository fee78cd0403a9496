"""Title edges: the passage-entity edges the walk gets beyond the triples' MENTIONS."""

from __future__ import annotations

from hopgraph.retrieval.graph_index import name_words, title_edges

NAMES = ["Heat", "Michael Mann", "the city", "1995", "Los Angeles", "it", "Hell's Kitchen", "a", "The", "X"]


def pairs(edges: tuple[object, object]) -> list[tuple[int, int]]:
    chunks, entities = edges
    return list(zip(chunks.tolist(), entities.tolist(), strict=True))  # type: ignore[attr-defined]


def test_name_words_drop_punctuation_and_fold_case_on_request() -> None:
    assert name_words("Hell's  Kitchen!") == ("hell", "s", "kitchen")
    assert name_words("Hell's Kitchen", fold=False) == ("Hell", "s", "Kitchen")
    assert name_words("Ｈｅａｔ") == ("heat",)  # NFKC


def test_title_edges_link_the_entity_the_title_names() -> None:
    titles = ["Heat (1995 film)", "michael mann", "", "Nothing", "Heat"]
    # the bracketed qualifier is dropped only when the full title names no entity; case is folded
    assert pairs(title_edges(NAMES, titles)) == [(0, 0), (1, 1), (4, 0)]
    # every entity of the same words is linked (case variants are distinct entities)
    assert pairs(title_edges(["Paris", "paris", "France"], ["Paris"])) == [(0, 0), (0, 1)]
