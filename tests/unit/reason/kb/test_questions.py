"""MetaQA question parsing, topic masking, coverage, the seeded split and the evaluation figures."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from helpers.movie_kb import movie_questions

from hopgraph.errors import ConfigError, ImportFormatError
from hopgraph.eval.metaqa import coverage, hops_from_path, parse_line, read_questions
from hopgraph.ids import relation_type
from hopgraph.reason.kb.encoder import Vocab, mask_topic, tokenize
from hopgraph.reason.kb.graph import KBGraph
from hopgraph.reason.kb.questions import KBQuestion, resolve, split_questions
from hopgraph.types import Relation, Triple


def test_parse_line_takes_the_bracketed_topic_and_all_answers() -> None:
    q = parse_line("what movies did [Temuera Morrison] act in\tOnce Were Warriors|Tracker|River Queen\n", 1)
    assert q.topic == "Temuera Morrison"
    assert q.answers == ("Once Were Warriors", "Tracker", "River Queen")
    assert q.hops == 1


def test_read_questions_gets_hops_from_the_path_and_rejects_bad_lines(short_tmp: Path) -> None:
    folder = short_tmp / "2-hop"
    folder.mkdir()
    good = folder / "dev.txt"
    good.write_text("who directed the films starring [A]\tD1|D2\n\n")
    assert [q.hops for q in read_questions(good)] == [2]
    assert hops_from_path("x/3-hop/dev.txt") == 3 and hops_from_path("q.txt") == 0
    bad = short_tmp / "bad.txt"
    bad.write_text("no tab here\n")
    with pytest.raises(ImportFormatError, match=r"bad\.txt:1"):
        read_questions(bad)
    with pytest.raises(ConfigError, match="no questions file"):
        read_questions(short_tmp / "missing.txt")


def test_topic_masking_and_unknown_tokens() -> None:
    assert tokenize(mask_topic("who directed [Heat]?")) == ["who", "directed", "<e>"]
    assert tokenize(mask_topic("who directed heat", "Heat")) == ["who", "directed", "<e>"]
    vocab = Vocab.build(["who directed <e>"])
    assert vocab.encode("who produced <e>") == [vocab.tokens.index("who"), 1, 2]
    ids, lengths = vocab.batch(["who <e>", "who directed <e>"])
    assert ids.shape == (2, 3) and lengths.tolist() == [2, 3] and int(ids[0, 2]) == 0


def test_coverage_is_undirected_reachability_within_the_hop_count(short_tmp: Path) -> None:
    triples = [
        Triple(*line.split("|")) for line in ("M1|directed_by|D", "M2|directed_by|D", "M2|release_year|2001")
    ]
    names = {i: n for t in triples for i, n in ((t.subject_id, t.subject), (t.object_id, t.object))}
    relations = [
        Relation(t.subject_id, relation_type(t.predicate), t.object_id, t.predicate) for t in triples
    ]
    graph = KBGraph.from_relations(names, relations)
    questions = [
        KBQuestion("films directed by [D] released when", "D", ("2001",), 2),  # D <- M2 -> 2001
        KBQuestion("films directed by [D] released when", "D", ("2001",), 1),  # two hops away
        KBQuestion("same director as [M1]", "M1", ("M2",), 2),  # M1 -> D <- M2
        KBQuestion("who directed [M1]", "M1", ("Nobody",), 1),  # not in the KB
        KBQuestion("who directed [M9]", "M9", ("D",), 1),  # topic not in the KB
    ]
    examples = resolve(graph, questions)
    assert examples[4].topic == -1
    assert coverage(graph, examples) == [True, False, True, False, False]


def test_split_is_seeded_and_independent_of_order() -> None:
    questions = movie_questions()
    train, valid = split_questions(questions, seed=3)
    train2, valid2 = split_questions(list(reversed(questions)), seed=3)
    assert set(train) == set(train2) and set(valid) == set(valid2)
    assert not set(train) & set(valid)
    assert 0.6 < len(train) / len(questions) < 0.95
    assert split_questions(questions, seed=4)[1] != valid
