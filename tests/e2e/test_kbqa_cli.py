"""KBQA end to end on the embedded store: import a small MetaQA-format KB, train, eval, ask, link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("torch_geometric")

from hopgraph.cli.app import main
from hopgraph.kg.falkordb.store import FalkorDBStore
from hopgraph.retrieval.linking import link_entities

LANGS = ["English", "French", "Greek"]


def _write_metaqa(folder: Path) -> None:
    movies = [f"Movie {i}" for i in range(40)]
    director = {m: f"Director {i % 10}" for i, m in enumerate(movies)}
    year = {m: str(1990 + i % 8) for i, m in enumerate(movies)}
    lang = {m: LANGS[i % 3] for i, m in enumerate(movies)}
    lines = [f"{m}|directed_by|{director[m]}" for m in movies]
    lines += [f"{m}|release_year|{year[m]}" for m in movies] + [f"{m}|in_language|{lang[m]}" for m in movies]
    (folder / "kb.txt").write_text("\n".join(lines) + "\n")
    by_director: dict[str, list[str]] = {}
    for m in movies:
        by_director.setdefault(director[m], []).append(m)
    one = [f"who directed [{m}]\t{director[m]}" for m in movies]
    one += [f"which movies did [{d}] direct\t{'|'.join(ms)}" for d, ms in by_director.items()]
    two = [
        f"what languages are the films directed by [{d}] in\t{'|'.join(sorted({lang[m] for m in ms}))}"
        for d, ms in by_director.items()
    ]
    two += [
        f"when were the films directed by [{d}] released\t{'|'.join(sorted({year[m] for m in ms}))}"
        for d, ms in by_director.items()
    ]
    three = []
    for m in movies:
        others = [o for o in by_director[director[m]] if o != m]
        three.append(
            f"when were the films by the director of [{m}] released\t"
            + "|".join(sorted({year[o] for o in others}))
        )
    for n, rows in ((1, one), (2, two), (3, three)):
        (folder / f"{n}-hop").mkdir()
        (folder / f"{n}-hop" / "dev.txt").write_text("\n".join(rows) + "\n")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    data = tmp_path_factory.mktemp("d")
    graph = tmp_path_factory.mktemp("g")
    _write_metaqa(data)
    assert main(["import", str(data / "kb.txt"), "--graph", str(graph)]) == 0
    weights = data / "w.pt"
    args = ["train", "metaqa", "--graph", str(graph), "--data", str(data), "--out", str(weights)]
    assert main([*args, "--epochs", "15", "--batch-size", "16", "--lr", "0.01"]) == 0
    assert weights.is_file() and weights.stat().st_size < 20_000_000
    return data, graph, weights


@pytest.mark.slow
def test_eval_writes_hits_on_all_and_covered(trained: tuple[Path, Path, Path], capsys) -> None:
    data, graph, weights = trained
    out = data / "eval.json"
    two_hop = str(data / "2-hop" / "dev.txt")
    args = ["eval", "metaqa", "--graph", str(graph), "--questions", two_hop, "--weights", str(weights)]
    assert main([*args, "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["questions"] == 20 and result["covered_questions"] == 20
    assert result["hits@1"]["covered"] == pytest.approx(1.0)
    assert 0.0 <= result["hits@1"]["all"] <= 1.0 and result["questions_per_s"] > 0
    assert "Hits@1" in capsys.readouterr().out


@pytest.mark.slow
def test_eval_validation_split_and_all_files(trained: tuple[Path, Path, Path]) -> None:
    data, graph, weights = trained
    out = data / "val.json"
    args = ["eval", "metaqa", "--graph", str(graph), "--data", str(data), "--weights", str(weights)]
    assert main([*args, "--split", "val", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert 0 < result["questions"] < 180
    assert set(result["per_hop"]) <= {"1", "2", "3"}


@pytest.mark.slow
def test_ask_answers_with_a_path_that_walks_the_inverse_edge(
    trained: tuple[Path, Path, Path], capsys
) -> None:
    _, graph, weights = trained
    question = "what languages are the films directed by [Director 4] in"
    assert main(["ask", "--graph", str(graph), "--weights", str(weights), "--json", question]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["schema"] == "hopgraph.answer/1" and answer["answerer"] == "kb"
    texts = [p["text"] for p in answer["paths"]]
    assert texts and texts[0].startswith("Director 4 <-[directed_by]- Movie ")
    assert answer["paths"][0]["hops"][0]["inverse"] is True
    assert answer["citations"] == [p["label"] for p in answer["paths"]]  # each answer's own path
    names = answer["answer"].split("; ")
    assert set(names) <= set(LANGS) and len(names) == 3
    for name, text in zip(names, texts, strict=True):
        assert text.endswith(f"-[in_language]-> {name}")


@pytest.mark.slow
def test_ask_links_a_free_form_question(trained: tuple[Path, Path, Path], capsys) -> None:
    _, graph, weights = trained
    assert main(["ask", "--graph", str(graph), "--weights", str(weights), "who directed movie 12?"]) == 0
    out = capsys.readouterr().out
    assert "Answer: Director 2" in out.splitlines()[1]
    assert "Movie 12 -[directed_by]-> Director 2" in out


@pytest.mark.slow
def test_ask_without_a_topic_says_what_to_do(trained: tuple[Path, Path, Path], capsys) -> None:
    _, graph, weights = trained
    assert main(["ask", "--graph", str(graph), "--weights", str(weights), "who directed nothing at all"]) == 2
    assert "[brackets]" in capsys.readouterr().err


def test_linker_prefers_the_longest_mention_and_exact_case(short_tmp: Path) -> None:
    from hopgraph.types import Triple

    with FalkorDBStore(short_tmp) as store:
        store.upsert_triples(
            [
                Triple("The Godfather", "directed_by", "Francis Ford Coppola"),
                Triple("The Godfather Part II", "directed_by", "Francis Ford Coppola"),
                Triple("Heat", "has_tags", "sienna miller"),
                Triple("Layer Cake", "starred_actors", "Sienna Miller"),
            ]
        )
        hits = link_entities(store, "who directed the godfather part ii?", k=5)
        assert [h.text for h in hits][:2] == ["The Godfather Part II", "The Godfather"]
        assert hits[0].score > hits[1].score
        hits = link_entities(store, "which films did Sienna Miller act in", k=2)
        assert [h.text for h in hits] == ["Sienna Miller", "sienna miller"]
        assert link_entities(store, "who directed Heat's sequel", k=1)[0].text == "Heat"
        assert link_entities(store, "nothing to see here", k=3) == []
        assert link_entities(store, "", k=3) == []


def test_eval_on_a_graph_without_relations_says_to_import_the_kb(short_tmp: Path, capsys) -> None:
    questions = short_tmp / "q.txt"
    questions.write_text("who directed [Movie 1]\tDirector 1\n")
    (short_tmp / "g").mkdir()  # an empty graph (eval creates none: a missing folder is an error)
    assert main(["eval", "metaqa", "--graph", str(short_tmp / "g"), "--questions", str(questions)]) == 2
    assert capsys.readouterr().err == (
        "error: the graph has no relations: import the KB first (hopgraph import kb.txt --graph DIR)\n"
    )
