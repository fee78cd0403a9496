"""Which of a question's mentions the linker looks up by embedding (``linking._worth_embedding``)."""

from __future__ import annotations

from hopgraph.retrieval.linking import _worth_embedding


def test_a_mention_inside_a_longer_name_matched_exactly_is_not_embedded() -> None:
    # "the Nobel Prize" of "Who won the Nobel Prize in Physics?": its nearest names are the other
    # prizes, which seeded the Chemistry prize beside the Physics one the question writes
    exact = {"nobel prize in physics"}
    assert not _worth_embedding("the Nobel Prize", exact)
    assert not _worth_embedding("Physics", exact)
    assert not _worth_embedding("Nobel Prize in Physics", exact)  # matched exactly itself
    # a mention as long as an exact name, or saying more than it, is still looked up
    # ("Do You Believe" beside the exact "You Believe": the film's name is the longer one)
    assert _worth_embedding("Do You Believe", {"you believe"})
    assert _worth_embedding("film Student", {"student of the year"})
    assert _worth_embedding("the Nobel Prize", {"physics"})


def test_only_named_or_two_word_mentions_are_embedded() -> None:
    assert _worth_embedding("Alice Smiths", set())
    assert _worth_embedding("the river delta", set())
    assert not _worth_embedding("river", set())
