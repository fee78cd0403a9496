"""Graph-grounded QA end to end on the demo documents: real embedder, spaCy and embedded FalkorDB.

The demo graph is ingested once per module (offline spaCy extractor); one real embedder is shared
by the ingest, :meth:`HopGraph.ask` and every in-process ``hopgraph`` command. The API tests use
the graph through one open :class:`HopGraph`; the CLI tests a copy of the folder (an embedded
store is opened by one client at a time). Every path an answer returns is checked against the
store: each hop a stored relation with that wording and direction, its chunks stored passages of
its documents that mention both ends.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers.openai_server import Reply, ScriptedOpenAIServer

from hopgraph.api import HopGraph
from hopgraph.cli.app import main
from hopgraph.embed import sentence_transformers as embed
from hopgraph.errors import EmptyGraphError, QuestionError
from hopgraph.extract.load.files import load_documents
from hopgraph.reason.doc.options import MAX_QUESTION_CHARS, NO_SEEDS, QAOptions
from hopgraph.types import Answer, Hop
from tests.helpers.shared_embedder import share_embedder

ROOT = Path(__file__).resolve().parents[2]
DEMO_DOCS = ROOT / "data" / "demo" / "docs"
HEISENBERG = "Where was the teacher of Werner Heisenberg born?"
MEITNER = "Where was the teacher of Lise Meitner born?"
BOHR = "Niels Bohr was born in the capital of which country?"
DEMO = {  # question -> (answer, top path), as `make demo` shows them
    HEISENBERG: ("Königsberg", "Werner Heisenberg <-[teacher of]- Arnold Sommerfeld -[born in]-> Königsberg"),
    MEITNER: ("Vienna", "Lise Meitner -[study under]-> Ludwig Boltzmann -[born in]-> Vienna"),
    BOHR: ("Denmark", "Niels Bohr -[born in]-> Copenhagen -[capital of]-> Denmark"),
}
NO_LINK = "What is the meaning of life?"
JAPANESE = "ハイゼンベルクの先生はどこで生まれましたか？"
CHINESE = "海森堡的老师出生在哪里？"
LONG = ("Where was the teacher of Werner Heisenberg born? " * 250)[:10_000]
RELATION = (
    "MATCH (a:Entity {name: $source})-[r]->(b:Entity {name: $target}) WHERE r.predicate = $predicate "
    "RETURN r.chunk_ids AS chunk_ids"
)
CHUNKS = "MATCH (c:Chunk) WHERE c.id IN $ids RETURN c.id AS id, c.doc_id AS doc_id, c.text AS text"
MENTIONED = (
    "MATCH (c:Chunk {id: $chunk})-[:MENTIONS]->(e:Entity) WHERE e.name IN $names RETURN e.name AS name"
)


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def embedder(embedder: embed.SentenceTransformerEmbedder) -> Iterator[embed.SentenceTransformerEmbedder]:
    """The session's real embedder (tests/conftest.py): every ``SentenceTransformerEmbedder()`` made
    by hopgraph while this module runs (ingest, ask, the CLI) is this one."""
    shared = embedder
    with pytest.MonkeyPatch.context() as mp:
        share_embedder(mp, shared)
        yield shared


@pytest.fixture(scope="module")
def demo_folders(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> tuple[Path, Path]:
    """The demo documents ingested once (then closed), and a copy of that folder for the CLI."""
    folder = tmp_path_factory.mktemp("d")
    with HopGraph.open(folder) as hg:
        summary = hg.ingest(str(DEMO_DOCS))
    assert summary.status == "done" and summary.documents == 10 and not summary.problems
    copy = tmp_path_factory.mktemp("c") / "g"
    shutil.copytree(folder, copy)
    return folder, copy


@pytest.fixture(scope="module")
def hg(demo_folders: tuple[Path, Path]) -> Iterator[HopGraph]:
    with HopGraph.open(demo_folders[0]) as graph:
        yield graph


@pytest.fixture(scope="module")
def answers(hg: HopGraph) -> dict[str, Answer]:
    """The demo questions and the edge-case questions, asked once with no LLM."""
    return {q: hg.ask(q) for q in (*DEMO, NO_LINK, JAPANESE, CHINESE)}


@pytest.fixture
def cli_graph(demo_folders: tuple[Path, Path]) -> str:
    return str(demo_folders[1])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- checks against the store ---------------------------------------------------------------------
def assert_hop_is_stored(hg: HopGraph, hop: Hop) -> None:
    """The hop is a stored relation (wording and direction), read from chunks of its documents
    that mention both of its ends."""
    source, target = (hop.target, hop.source) if hop.inverse else (hop.source, hop.target)
    rows = hg.cypher(RELATION, {"source": source, "target": target, "predicate": hop.predicate})
    assert rows, f"no stored relation {source} -[{hop.predicate}]-> {target}"
    stored = {c for row in rows for c in row["chunk_ids"]}
    assert hop.chunk_ids and set(hop.chunk_ids) <= stored, (hop, stored)
    chunks = {row["id"]: row for row in hg.cypher(CHUNKS, {"ids": list(hop.chunk_ids)})}
    assert set(chunks) == set(hop.chunk_ids), f"{hop}: chunks missing from the store"
    assert {row["doc_id"] for row in chunks.values()} == set(hop.doc_ids), hop
    for chunk_id, row in chunks.items():
        linked = {r["name"] for r in hg.cypher(MENTIONED, {"chunk": chunk_id, "names": [source, target]})}
        for name in (source, target):
            # written out, or resolved from a short form the chunk mentions ("Bohr" -> Niels Bohr)
            assert name in row["text"] or name in linked, f"{hop}: chunk {chunk_id} never mentions {name}"


def assert_well_formed(hg: HopGraph, answer: Answer) -> None:
    for path in answer.paths:
        assert path.hops
        for before, after in zip(path.hops, path.hops[1:], strict=False):
            assert before.target == after.source, path  # a connected chain
        for hop in path.hops:
            assert_hop_is_stored(hg, hop)
    labels = {f"P{i}" for i in range(1, len(answer.paths) + 1)}
    labels |= {f"C{i}" for i in range(1, len(answer.chunks) + 1)}
    assert set(answer.citations) <= labels, answer.citations
    assert answer.timings["total"] > 0


# -- 1. the demo questions ------------------------------------------------------------------------
@pytest.mark.parametrize("question", list(DEMO))
def test_demo_question_answers_with_the_expected_stored_path(
    hg: HopGraph, answers: dict[str, Answer], question: str
) -> None:
    answer = answers[question]
    expected, top = DEMO[question]
    assert answer.best_guess == expected and answer.answerer == "extractive"  # (confident or not)
    assert str(answer.paths[0]) == top and answer.paths[0].answer == expected
    assert "P1" in answer.citations and answer.question == question
    # the top path's chunks are among the passages returned, and cited
    chunk_ids = [c.id for c in answer.chunks]
    for hop in answer.paths[0].hops:
        assert set(hop.chunk_ids) <= set(chunk_ids)
        for chunk_id in hop.chunk_ids:
            assert f"C{chunk_ids.index(chunk_id) + 1}" in answer.citations
    assert_well_formed(hg, answer)


def test_the_subgraph_read_from_the_store_gives_the_same_answers(
    hg: HopGraph, answers: dict[str, Answer]
) -> None:
    """``store.subgraph`` and the cut from the in-memory index hold the same small neighbourhood."""
    options = QAOptions(subgraph_from_store=True)
    for question, (expected, top) in DEMO.items():
        answer = hg.ask(question, options=options)
        assert answer.best_guess == expected and str(answer.paths[0]) == top
        assert answer.evidence is not None and answers[question].evidence is not None
        assert {r.target for r in answer.evidence.relations} == {
            r.target for r in answers[question].evidence.relations
        }


def test_spacy_loads_when_a_question_first_needs_it(
    hg: HopGraph, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the pipeline does not load spaCy (about a second of a cold ``hopgraph ask``): dense
    retrieval never needs it, the first graph question loads it once, and the answers are those
    of an eagerly loaded pipeline."""
    from hopgraph.reason.doc.pipeline import GraphQA
    from hopgraph.retrieval import linking

    loads: list[int] = []
    load_spacy = linking.load_spacy

    def counted() -> Any:
        loads.append(1)
        return load_spacy()

    monkeypatch.setattr(linking, "load_spacy", counted)
    qa = GraphQA.load(hg.store, embedder=embedder)
    assert loads == []
    assert qa.retrieve(HEISENBERG, "dense").chunks and loads == []
    for question, (expected, top) in DEMO.items():
        answer = qa.ask(question)
        assert answer.best_guess == expected and str(answer.paths[0]) == top
    assert loads == [1]
    assert GraphQA.load(hg.store, embedder=embedder, use_spacy=False).nlp is None and loads == [1]


def test_a_cold_cli_ask_loads_no_sentence_transformers(cli_graph: str) -> None:
    """A fresh ``hopgraph ask`` process (what BENCHMARKS.md times cold) embeds the question with
    hopgraph's BERT encoder: sentence-transformers, transformers and torch-geometric, about 6 s of
    imports, stay unloaded, and the answer is the demo's."""
    heavy = ("sentence_transformers", "transformers", "torch_geometric", "sklearn")
    code = (
        "import sys\n"
        "from hopgraph.cli.app import main\n"
        f"code = main(['ask', '--graph', {cli_graph!r}, {HEISENBERG!r}])\n"
        f"print('LOADED', [m for m in {heavy!r} if m in sys.modules], code)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "Answer: Königsberg" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "LOADED [] 0"


def test_the_first_cli_ask_says_it_builds_the_graph_caches_and_the_second_is_silent(
    cli_graph: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Building the graph index and the passage entities takes minutes on a large graph: the
    first ``hopgraph ask`` after a change says so on stderr; once cached, nothing is printed."""
    graph = tmp_path / "g"
    shutil.copytree(cli_graph, graph, ignore=shutil.ignore_patterns("cache", "*.sock", "*.pid"))
    code, out, err = run(capsys, "ask", "--graph", str(graph), HEISENBERG)
    assert code == 0 and "Answer: Königsberg" in out
    assert "building the graph index" in err and "graph index built in" in err, err
    assert "passages for their names" in err, err
    code, out, err = run(capsys, "ask", "--graph", str(graph), HEISENBERG)
    assert code == 0 and "Answer: Königsberg" in out
    assert "graph index" not in err and "passage" not in err, err


def test_top_path_hops_are_read_from_chunks_naming_both_ends(
    hg: HopGraph, answers: dict[str, Answer]
) -> None:
    for question in DEMO:
        for hop in answers[question].paths[0].hops:
            [row] = hg.cypher(CHUNKS, {"ids": list(hop.chunk_ids)})
            assert hop.source in row["text"] and hop.target in row["text"], (hop, row["text"])


# -- 2. edge cases --------------------------------------------------------------------------------
@pytest.mark.parametrize("question", [NO_LINK, JAPANESE, CHINESE])
def test_unlinkable_question_says_so_and_returns_the_closest_passages(
    hg: HopGraph, answers: dict[str, Answer], question: str
) -> None:
    answer = answers[question]
    assert answer.text == NO_SEEDS
    assert answer.paths == () and answer.seeds == () and answer.citations == ()
    assert answer.chunks and answer.timings["total"] > 0


def test_graph_methods_fall_back_to_the_dense_ranking_without_seeds(hg: HopGraph) -> None:
    dense = [c.id for c in hg.ask(NO_LINK, method="dense").chunks]
    for method in ("ppr", "gnn_ppr", "full"):
        assert [c.id for c in hg.ask(NO_LINK, method=method).chunks] == dense, method


def test_full_ranks_passages_by_the_fusion_and_without_it_as_gnn_ppr(
    hg: HopGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``full``'s passages follow hopgraph.retrieval.fusion's order (a spy that reverses it
    reverses them); ``QAOptions(fusion=False)`` keeps the walk's own order, as ``gnn_ppr``."""
    from hopgraph.reason.doc import pipeline

    plain = QAOptions(fusion=False)
    walk = [c.id for c in hg.ask(HEISENBERG, method="gnn_ppr", options=plain).chunks]
    assert [c.id for c in hg.ask(HEISENBERG, options=plain).chunks] == walk
    every = QAOptions(k=1000, second_hop=False)  # every candidate the fusion ranks, in its order
    fused = [c.id for c in hg.ask(HEISENBERG, options=every).chunks]
    assert len(fused) > 2
    real = pipeline.fused_order
    monkeypatch.setattr(pipeline, "fused_order", lambda *a, **kw: real(*a, **kw)[::-1])
    assert [c.id for c in hg.ask(HEISENBERG, options=every).chunks] == fused[::-1]


def test_full_puts_the_second_hop_passage_fifth(hg: HopGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    """By default ``full`` asks hopgraph.retrieval.fusion.second_hop for a passage (given the
    fused order, the linked seeds' rows and the question's unit vector) and puts it fifth; a spy
    that names the fused order's last passage moves that one up; ``second_hop=False`` leaves it."""
    from hopgraph.reason.doc import pipeline

    fused = [c.id for c in hg.ask(HEISENBERG, options=QAOptions(k=1000, second_hop=False)).chunks]
    assert len(fused) > 5
    calls: list[tuple[list[int], set[int], float]] = []

    def last(index: Any, order: list[int], seeds: Any, question: np.ndarray) -> int:
        calls.append((list(order), set(seeds), float(np.linalg.norm(question))))
        return int(order[-1])

    monkeypatch.setattr(pipeline, "second_hop", last)
    got = [c.id for c in hg.ask(HEISENBERG, options=QAOptions(k=1000)).chunks]
    assert got == [*fused[:4], fused[-1], *fused[4:-1]]
    ((order, seeds, norm),) = calls
    assert len(order) == len(fused) and seeds and abs(norm - 1.0) < 1e-5


def test_bad_questions_raise_clear_errors(hg: HopGraph) -> None:
    for empty in ("", "   \n\t "):
        with pytest.raises(QuestionError, match="the question is empty"):
            hg.ask(empty)
    with pytest.raises(QuestionError) as info:
        hg.ask(LONG)
    assert f"{MAX_QUESTION_CHARS:,}" in str(info.value) and "characters" in str(info.value)


def test_empty_graph_raises_and_the_cli_exits_2(short_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with HopGraph.open(short_tmp) as empty, pytest.raises(EmptyGraphError) as info:
        empty.ask(HEISENBERG)
    assert "hopgraph ingest" in str(info.value) and "hopgraph import" in str(info.value)
    code, out, err = run(capsys, "ask", "--graph", str(short_tmp), HEISENBERG)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "is empty" in err and "hopgraph ingest" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "the question is empty"),
        ("  \t ", "the question is empty"),
        (LONG, f"questions are limited to {MAX_QUESTION_CHARS:,}"),
    ],
)
def test_cli_bad_question_exits_2_with_the_message(
    cli_graph: str, capsys: pytest.CaptureFixture[str], question: str, message: str
) -> None:
    code, out, err = run(capsys, "ask", "--graph", cli_graph, question)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and "Traceback" not in err


@pytest.mark.parametrize("question", [NO_LINK, JAPANESE])
def test_cli_unlinkable_question_exits_0_with_the_no_seed_answer(
    cli_graph: str, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    code, out, err = run(capsys, "ask", "--graph", cli_graph, question)
    assert code == 0 and "Traceback" not in err
    assert f"Question: {question}" in out and f"Answer: {NO_SEEDS}" in out


def test_cli_unlinkable_question_shows_the_passages_it_promises(
    cli_graph: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "ask", "--graph", cli_graph, NO_LINK)
    assert code == 0, err
    assert "passages below" in out  # the no-seed answer points to passages: they must follow
    assert "Closest passages (not cited by the answer):" in out and re.search(r'\n  C1 "[^"]+" \(chunk', out)


@pytest.mark.parametrize("method", ["ppr", "gnn_ppr"])
def test_cli_graph_methods_show_their_passages(
    cli_graph: str, capsys: pytest.CaptureFixture[str], method: str
) -> None:
    code, out, err = run(capsys, "ask", "--graph", cli_graph, "--method", method, HEISENBERG)
    assert code == 0, err
    code, js, err = run(capsys, "ask", "--graph", cli_graph, "--method", method, "--json", HEISENBERG)
    chunks = json.loads(js)["chunks"]
    assert chunks
    for chunk in chunks:  # every passage --json returns is on the terminal too
        assert f"chunk {chunk['id']}" in out


def test_api_render_text_shows_titles_like_the_cli(hg: HopGraph, answers: dict[str, Answer]) -> None:
    from hopgraph.render.text import render_text

    answer = answers[HEISENBERG]
    assert answer.titles and set(answer.titles.values()) >= {"Wolfgang Pauli", "Arnold Sommerfeld"}
    text = render_text(answer)
    sources = [line for line in text.splitlines() if "sources:" in line]
    assert sources and all("(doc " not in line for line in sources)
    assert '"Arnold Sommerfeld"' in sources[0]


# -- 3. CLI output --------------------------------------------------------------------------------
def test_cli_json_schema_paths_and_titled_chunks(cli_graph: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ask", "--graph", cli_graph, "--json", HEISENBERG)
    assert code == 0, err
    data = json.loads(out)
    assert data["schema"] == "hopgraph.answer/1" and data["question"] == HEISENBERG
    assert data["best_guess"] == "Königsberg" and data["answerer"] == "extractive"
    assert "explain" not in data
    top = data["paths"][0]
    assert top["label"] == "P1" and top["text"] == DEMO[HEISENBERG][1] and top["cited"]
    assert [(h["source"], h["predicate"], h["target"], h["inverse"]) for h in top["hops"]] == [
        ("Werner Heisenberg", "teacher of", "Arnold Sommerfeld", True),
        ("Arnold Sommerfeld", "born in", "Königsberg", False),
    ]
    assert all(h["chunk_ids"] and h["doc_ids"] for h in top["hops"])
    by_id = {c["id"]: c for c in data["chunks"]}
    assert [c["label"] for c in data["chunks"]] == [f"C{i}" for i in range(1, len(data["chunks"]) + 1)]
    # the top path's sources are returned passages with their document titles
    assert {by_id[c]["title"] for c in top["chunk_ids"]} == {"Wolfgang Pauli", "Arnold Sommerfeld"}
    assert top["chunk_labels"] == [by_id[c]["label"] for c in top["chunk_ids"]]
    assert all(c["title"] and c["text"] and c["doc_id"] for c in data["chunks"])
    assert set(data["citations"]) >= {"P1", *top["chunk_labels"]}


def test_cli_explain_shows_scores_seeds_and_timings(
    cli_graph: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "ask", "--graph", cli_graph, "--explain", BOHR)
    assert code == 0, err
    assert "Answer: Denmark" in out and "Answered by: extractive" in out
    path = re.escape(f"P1* {DEMO[BOHR][1]}")
    assert re.search(path + r"\s+\(score \d[\d.e-]*\)", out), out
    assert re.search(r"^  C1\* .*score \d", out.split("Passages:")[1], re.MULTILINE), out
    assert "Seeds: Niels Bohr (1)" in out
    assert re.search(r"^Timings \(ms\): embed [\d.]+, .*total [\d.]+$", out, re.MULTILINE), out


def test_cli_html_page_is_self_contained_and_draws_the_path(
    cli_graph: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "answer.html"
    code, out, err = run(capsys, "ask", "--graph", cli_graph, "--html", str(page), MEITNER)
    assert code == 0, err
    assert f"wrote {page}" in err and "Answer: Vienna" in out
    html = page.read_text(encoding="utf-8")
    assert "plotly" in html.lower() and len(html) > 100_000  # the library is inlined
    for name in ("Lise Meitner", "Ludwig Boltzmann", "Vienna"):
        assert name in html
    assert not re.search(r"<script[^>]+src=[\"']?https?:", html, re.IGNORECASE)


def test_cli_several_questions_give_a_json_list(cli_graph: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ask", "--graph", cli_graph, "--json", *DEMO)
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, list)
    assert [(d["question"], d["best_guess"], d["paths"][0]["text"]) for d in data] == [
        (q, *DEMO[q]) for q in DEMO
    ]


def test_cli_dense_method_answers_from_passages_without_paths(
    cli_graph: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "ask", "--graph", cli_graph, "--json", "--method", "dense", BOHR)
    assert code == 0, err
    data = json.loads(out)
    assert data["paths"] == [] and data["chunks"]
    assert data["best_guess"] and data["answer"] != NO_SEEDS
    # the answer (confident or not) is an entity the returned passages mention
    assert any(data["best_guess"] in c["text"] for c in data["chunks"]), data["answer"]


# -- 4. an LLM writes the answer --------------------------------------------------------------------
def test_llm_answer_keeps_valid_citations_and_flags_unknown_ones(
    hg: HopGraph, openai_server: ScriptedOpenAIServer
) -> None:
    text = "Arnold Sommerfeld, Heisenberg's teacher, was born in Königsberg."
    openai_server.script(Reply.chat({"answer": text, "citations": ["P1", "C2", "P99"]}))
    answer = hg.ask(HEISENBERG, llm=f"openai:test-model@{openai_server.base_url}")
    assert answer.text == text and answer.answerer == "llm:test-model"
    assert answer.citations == ("P1", "C2") and answer.unknown_citations == ("P99",)
    assert str(answer.paths[0]) == DEMO[HEISENBERG][1]
    assert_well_formed(hg, answer)
    [request] = openai_server.requests
    assert request.body["model"] == "test-model"
    prompt = "\n".join(str(m["content"]) for m in request.messages)
    assert f"P1: {answer.paths[0]}" in prompt and HEISENBERG in prompt
    for i, path in enumerate(answer.paths, 1):
        assert f"P{i}: {path}" in prompt
    for i, chunk in enumerate(answer.chunks, 1):  # passages are shown on one line each
        assert f"C{i}: {' '.join(chunk.text.split())[:300]}" in prompt


# -- 6. hopgraph eval retrieval -------------------------------------------------------------------
GOLD = {  # question -> titles of the documents that hold its two hops
    HEISENBERG: ("Werner Heisenberg", "Arnold Sommerfeld"),
    MEITNER: ("The discovery of nuclear fission", "Ludwig Boltzmann"),
    BOHR: ("Niels Bohr", "Places in the history of atomic physics"),
}


def test_eval_retrieval_on_musique_format_questions(
    cli_graph: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # gold passages as a dataset would hold them: each document's title and text as loaded
    docs, problems = load_documents([DEMO_DOCS])
    texts = {d.title: d.text for d in docs}
    assert not problems and len(texts) == 10
    records = [
        {
            "id": f"q{i}",
            "question": question,
            "answer": DEMO[question][0],
            "answer_aliases": [],
            "paragraphs": [
                *({"title": t, "paragraph_text": texts[t], "is_supporting": True} for t in GOLD[question]),
                {"title": "Unrelated", "paragraph_text": "Not in the graph.", "is_supporting": False},
            ],
        }
        for i, question in enumerate(DEMO)
    ]
    questions, report = tmp_path / "questions.json", tmp_path / "report.json"
    questions.write_text(json.dumps(records), encoding="utf-8")
    code, out, err = run(
        capsys, "eval", "retrieval", "--graph", cli_graph, "--questions", str(questions),
        "--format", "musique", "--json", str(report),
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(report.read_text())
    methods = data["methods"]
    assert list(methods) == ["dense", "fulltext", "hybrid", "ppr", "gnn_ppr", "full"]
    assert data["questions"] == 3 and data["gold"]["missing_from_graph"] == 0
    assert data["default_method"] == "full" and data["latency_ms"]["method"] == "full"
    for scores in methods.values():
        for key in ("recall@2", "recall@5", "all_gold@5", "em", "f1"):
            assert 0.0 <= scores[key] <= 1.0
    assert 0 < data["latency_ms"]["p50"] <= data["latency_ms"]["p95"]
    # `full` finds both hops' passages of these questions, at least as high as dense does, and
    # answers all three right (the text-only methods answer with the most-mentioned entity)
    full = methods["full"]
    assert full["recall@5"] == full["all_gold@5"] == 1.0
    assert full["recall@2"] >= methods["dense"]["recall@2"]
    assert full["em"] == full["f1"] == 1.0
    assert "full" in out and "recall@5" in out


def test_train_qa_links_questions_as_ask_does_and_ask_uses_the_weights(
    cli_graph: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pairs = tmp_path / "qa.jsonl"
    pairs.write_text("".join(json.dumps({"question": q, "answer": a}) + "\n" for q, (a, _) in DEMO.items()))
    weights = tmp_path / "qa.pt"
    code, out, err = run(
        capsys, "train", "qa", "--graph", cli_graph, "--questions", str(pairs), "--out", str(weights),
        "--epochs", "3", "--force",
    )  # fmt: skip
    assert code == 0, err
    # three pairs: cross-validated, zero-shot vs trained reported (--force writes the weights anyway)
    assert "held-out Hits@1 (3-fold cross-validation, 3 questions): zero-shot" in err
    # every question links (as ask links it) and has its answer in its 3-hop subgraph
    assert "3 usable questions (0 linked to no entity, 0 without the answer near their entities)" in err
    assert weights.is_file() and f"weights: {weights}" in out
    code, out, err = run(capsys, "ask", "--graph", cli_graph, "--weights", str(weights), "--json", *DEMO)
    assert code == 0, err
    answers = {a["question"]: a for a in json.loads(out)}
    # the two teacher questions keep their answers: paths are ranked by how much of the question
    # their relations explain, measured with the question itself, not with the trained scorer's
    # first-hop query (with that, they answered "Prussia" and "Austria", one hop past Königsberg
    # and Vienna). Three pairs with nothing held out over-fit: Bohr's question loses its born-in
    # path to the "study under" relation the other two taught, so its answer is not asserted.
    for question in (HEISENBERG, MEITNER):
        assert answers[question]["best_guess"] == DEMO[question][0], answers[question]
    assert all(a["paths"] for a in answers.values())
