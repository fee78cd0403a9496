"""Title edges and name mentions: the passage-entity edges the walk gets beyond the triples'."""

from __future__ import annotations

from hopgraph.retrieval.graph_index import name_mentions, name_words, title_edges

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


def test_name_mentions_find_proper_names_as_written() -> None:
    texts = [
        "Heat is a 1995 film by Michael Mann, set in Los Angeles and the city. The end, X.",
        "Hell's Kitchen: the heat of it, a michael mann.",
        "",
    ]
    found = pairs(name_mentions(NAMES, texts))
    # proper names (a capital or a digit) of 2+ characters, each once per passage; "the city" (no
    # capital), "it", "a", "The" (stopwords) and "X" (one character) never match; "heat" and
    # "michael mann" in lower case are not the film or the director
    assert found == [(0, 0), (0, 3), (0, 1), (0, 4), (1, 6)]


def test_name_mentions_find_nested_names_and_whole_names_only() -> None:
    # a name is found wherever its words stand in a row, also inside a longer name
    found = pairs(name_mentions(["New York", "New York City", "York"], ["He left New York City in 1990."]))
    assert sorted(found) == [(0, 0), (0, 1), (0, 2)]
    assert pairs(name_mentions(["A B C D"], ["A B C"])) == []
