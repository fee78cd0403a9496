"""The GNN scorer and path reasoner on a small synthetic movie KB built here (trains in seconds)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from hopgraph.errors import ConfigError  # noqa: E402
from hopgraph.ids import entity_id, relation_type  # noqa: E402
from hopgraph.reason.kb.answerer import KBReasoner  # noqa: E402
from hopgraph.reason.kb.encoder import Vocab  # noqa: E402
from hopgraph.reason.kb.graph import KBGraph  # noqa: E402
from hopgraph.reason.kb.paths import check_path  # noqa: E402
from hopgraph.reason.kb.questions import KBQuestion, resolve, split_questions  # noqa: E402
from hopgraph.reason.kb.rank import rank  # noqa: E402
from hopgraph.reason.kb.scorer import HopScorer, ReasonerConfig, RelationTransfer, load_scorer, save_scorer  # noqa: E402
from hopgraph.reason.kb.train import TrainConfig, train_scorer  # noqa: E402
from hopgraph.types import Relation  # noqa: E402

MOVIES = [f"Movie {i}" for i in range(40)]


def _facts() -> list[tuple[str, str, str]]:
    facts = []
    for i, m in enumerate(MOVIES):
        facts.append((m, "directed_by", f"Director {i % 10}"))
        facts.append((m, "starred_actors", f"Actor {i % 20}"))
        facts.append((m, "starred_actors", f"Actor {(i + 7) % 20}"))
        facts.append((m, "release_year", str(1990 + i % 8)))
        facts.append((m, "in_language", ["English", "French", "Greek"][i % 3]))
    return facts


def _graph() -> KBGraph:
    names: dict[str, str] = {}
    relations = []
    for s, p, o in _facts():
        names[entity_id(s)] = s
        names[entity_id(o)] = o
        relations.append(Relation(entity_id(s), relation_type(p), entity_id(o), p))
    return KBGraph.from_relations(names, relations)


def _questions() -> list[KBQuestion]:
    facts = _facts()

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


@pytest.fixture(scope="module")
def trained() -> tuple[KBGraph, KBReasoner]:
    graph = _graph()
    config = TrainConfig(epochs=12, batch_size=16, lr=1e-2, dim=32, hidden=32, seed=1)
    model, report = train_scorer(graph, resolve(graph, _questions()), config)
    assert report.losses[-1] < report.losses[0]
    return graph, KBReasoner(model, graph)


def test_reaches_perfect_accuracy_on_two_hop_questions(trained: tuple[KBGraph, KBReasoner]) -> None:
    graph, reasoner = trained
    examples = resolve(graph, [q for q in _questions() if q.hops == 2])
    predictions = reasoner.predict(examples, with_paths=False)
    hits = [p.node in e.answers for p, e in zip(predictions, examples, strict=True)]
    assert len(hits) == 60
    assert all(hits)


def test_every_returned_path_exists_and_ends_at_the_answer(trained: tuple[KBGraph, KBReasoner]) -> None:
    graph, reasoner = trained
    examples = resolve(graph, _questions())
    predictions = reasoner.predict(examples, top_k=3)
    checked = 0
    for example, prediction in zip(examples, predictions, strict=True):
        assert prediction.answers
        for answer in prediction.answers:
            assert answer.node != example.topic  # never the topic itself
            assert answer.path is not None
            assert check_path(graph, answer.path, graph.node_ids[example.topic], answer.entity)
            assert len(answer.path.steps) <= 3
            checked += 1
    assert checked >= len(examples)


def test_path_text_shows_inverse_edges_with_the_original_predicate(
    trained: tuple[KBGraph, KBReasoner],
) -> None:
    graph, reasoner = trained
    question = KBQuestion("what languages are the films directed by [Director 4] in", "Director 4", (), 2)
    prediction = reasoner.predict(resolve(graph, [question]))[0]
    path = prediction.answers[0].path
    assert path is not None
    text = str(path)
    # Director 4 directs Movie 4, 14, 24, 34: the path walks directed_by backwards, then in_language
    assert text.startswith("[Director 4] <-[directed_by]- Movie ")
    assert "-[in_language]-> " + prediction.answers[0].name in text
    hops = path.to_reasoning_path().hops
    assert [(h.predicate, h.inverse) for h in hops] == [("directed_by", True), ("in_language", False)]
    assert str(path.to_reasoning_path()).startswith("Director 4 <-[directed_by]- Movie ")


def test_check_path_rejects_a_path_that_is_not_in_the_graph(trained: tuple[KBGraph, KBReasoner]) -> None:
    graph, reasoner = trained
    example = resolve(graph, [KBQuestion("who directed [Movie 3]", "Movie 3", ("Director 3",), 1)])[0]
    path = reasoner.predict([example])[0].answers[0].path
    assert path is not None and check_path(graph, path, entity_id("Movie 3"), entity_id("Director 3"))
    assert not check_path(graph, path, entity_id("Movie 3"), entity_id("Director 4"))  # wrong end
    assert not check_path(graph, path, entity_id("Movie 4"), entity_id("Director 3"))  # wrong start
    step = path.steps[0]
    forged_step = type(step)(
        step.source,
        step.source_name,
        step.predicate,
        step.relation_type,
        entity_id("Director 4"),
        "Director 4",
        step.inverse,
    )
    forged = type(path)((forged_step,), path.score)
    assert not check_path(graph, forged, entity_id("Movie 3"), entity_id("Director 4"))


def test_without_walk_masses_ties_go_to_the_lowest_entity_id() -> None:
    import numpy as np

    n = 5
    keys = np.array([0 * n + 3, 0 * n + 1, 0 * n + 4, 1 * n + 2])
    scores = np.array([1.0, 1.0, 0.5, 0.25], dtype=np.float32)
    assert rank(np.sort(keys), scores[np.argsort(keys)], n, 3, 2) == [[(1, 1.0), (3, 1.0)], [(2, 0.25)], []]


def test_weights_round_trip(trained: tuple[KBGraph, KBReasoner], short_tmp) -> None:
    graph, reasoner = trained
    path = short_tmp / "w.pt"
    save_scorer(reasoner.model, str(path), {"note": "test"})
    model, meta = load_scorer(str(path))
    assert meta == {"note": "test"}
    examples = resolve(graph, _questions()[:20])
    again = KBReasoner(model, graph).predict(examples, with_paths=False)
    assert [p.node for p in again] == [p.node for p in reasoner.predict(examples, with_paths=False)]


def test_split_is_seeded_and_independent_of_order() -> None:
    questions = _questions()
    train, valid = split_questions(questions, seed=3)
    train2, valid2 = split_questions(list(reversed(questions)), seed=3)
    assert set(train) == set(train2) and set(valid) == set(valid2)
    assert not set(train) & set(valid)
    assert 0.6 < len(train) / len(questions) < 0.95
    assert split_questions(questions, seed=4)[1] != valid


def test_an_entity_reached_along_more_paths_scores_slightly_higher() -> None:
    graph = _graph()
    model = HopScorer(ReasonerConfig(relations=tuple(graph.relation_types)), Vocab.build(["x"]))
    transfer = model.prepare(graph)
    m = model.num_slots
    directed, language = graph.relation_types.index("DIRECTED_BY"), graph.relation_types.index("IN_LANGUAGE")
    pairs, values = torch.tensor([graph.index_of(entity_id("Director 4"))]), torch.ones(1)
    for slot in (m + directed, language):  # Director 4 <-directed_by- Movie 4/14/24/34 -in_language->
        attention = torch.zeros(1, 2 * m)
        attention[0, slot] = 1.0
        pairs, values = RelationTransfer()(pairs, values, attention, transfer, 0.0, 0.01)
    scores = {graph.names[int(k)]: float(v) for k, v in zip(pairs, values, strict=True)}
    # Movies 4 and 34 are French, 14 Greek, 24 English: two paths reach French, one each the others
    assert scores == pytest.approx({"French": 1.01, "Greek": 1.0, "English": 1.0})


def test_weights_of_an_older_format_are_refused_with_what_to_do(short_tmp) -> None:
    path = short_tmp / "old.pt"
    torch.save({"format": "hopgraph-hopscorer-1", "config": {}, "vocab": [], "state_dict": {}}, path)
    with pytest.raises(ConfigError, match="retrain it with 'hopgraph train metaqa'"):
        load_scorer(str(path))
