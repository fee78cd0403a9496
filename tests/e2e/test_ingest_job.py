"""Ingest jobs end to end: the real loaders, chunker, store and CLI; the LLM path against a scripted
OpenAI-protocol server; a folder of hostile files.

The hostile-folder test uses a fast stand-in extractor (one triple per chunk) and a word-count
chunker: it checks the job's plumbing on a 50 MB file, which spaCy or a tokenizer would take
minutes over. Everything else here uses the real extractors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.openai_server import Reply, ScriptedOpenAIServer, chunk_text_of

from hopgraph.api import HopGraph
from hopgraph.cli.app import main
from hopgraph.extract.chunking import Chunker
from hopgraph.extract.extractors.base import Extraction
from hopgraph.extract.jobs.job import IngestJob
from hopgraph.extract.jobs.state import JobState
from hopgraph.extract.load.files import iter_documents
from hopgraph.types import Chunk, Triple

PEOPLE = {
    "marie.txt": "Marie Curie was born in Warsaw. Marie Curie worked in Paris.",
    "bohr.txt": "Niels Bohr was born in Copenhagen. Niels Bohr worked in Manchester.",
    "meitner.txt": "Lise Meitner was born in Vienna. Lise Meitner worked in Berlin. FAILME",
    "hahn.txt": "Otto Hahn was born in Frankfurt. Otto Hahn worked in Berlin.",
    "fermi.txt": "Enrico Fermi was born in Rome. Enrico Fermi worked in Chicago.",
    "dirac.txt": "Paul Dirac was born in Bristol. Paul Dirac worked in Cambridge.",
}
FACT = re.compile(r"([A-Z][a-z]+ [A-Z][a-z]+) (was born in|worked in) ([A-Z][a-z]+)\.")


def relations(hg: HopGraph) -> set[tuple[str, str, str]]:
    rows = hg.cypher("MATCH (s:Entity)-[r]->(o:Entity) RETURN s.name AS s, r.predicate AS p, o.name AS o")
    return {(r["s"], r["p"], r["o"]) for r in rows}


# -- (c) the LLM extractor against an OpenAI-protocol server ------------------------------------------
class Script:
    """Answers from the chunk text; a chunk holding FAILME gets HTTP 500 while ``failing``."""

    def __init__(self) -> None:
        self.failing = True

    def __call__(self, body: dict[str, Any]) -> Reply:
        text = chunk_text_of(body)
        if "FAILME" in text and self.failing:
            return Reply.fail(500, "this chunk upsets the model")
        triples = [
            {"subject": s, "subject_type": "Person", "predicate": p, "object": o, "object_type": "Place"}
            for s, p, o in FACT.findall(text)
        ]
        return Reply(content=json.dumps({"triples": triples}), delay=0.05)


@pytest.fixture
def people(tmp_path: Path) -> Path:
    folder = tmp_path / "people"
    folder.mkdir()
    for name, text in PEOPLE.items():
        (folder / name).write_text(text)
    return folder


def test_llm_ingest_with_a_failed_chunk_then_retry_failed(
    people: Path, short_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOPGRAPH_LLM_MAX_RETRIES", "0")
    script = Script()
    with ScriptedOpenAIServer(responder=script) as server:
        spec = f"openai:test-model@{server.base_url}"
        base = ["ingest", str(people), "--graph", str(short_tmp), "--llm", spec, "--no-embed"]
        # exit 1: the job finished, but a chunk failed
        assert main([*base, "--concurrency", "4", "--price-per-1k", "0.5", "--json"]) == 1
        first = json.loads(capsys.readouterr().out)
        assert first["status"] == "done" and first["documents"] == 6 and first["chunks"] == 6
        assert first["chunks_extracted"] == 5 and first["chunks_failed"] == 1
        assert first["tokens"] > 0 and first["cost"].startswith("$")
        assert server.request_count == 6 and server.max_in_flight == 4

        assert main(["jobs", "--graph", str(short_tmp), str(first["job_id"]), "--failed", "--json"]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert len(shown["failures"]) == 1 and "this chunk upsets the model" in shown["failures"][0]["error"]
        assert shown["chunks"] == {"done": 5, "failed": 1}

        assert main([*base]) == 1  # a plain rerun leaves the failed chunk alone
        assert server.request_count == 6
        assert "1 chunk(s) failed" in capsys.readouterr().out

        script.failing = False
        assert main([*base, "--retry-failed", "--json"]) == 0
        retried = json.loads(capsys.readouterr().out)
        assert retried["chunks_extracted"] == 1 and retried["chunks_failed"] == 0
        assert retried["chunks_skipped"] == 5 and server.request_count == 7  # only the failed chunk

    with HopGraph.open(short_tmp) as hg:
        expected = {(s, p, o) for text in PEOPLE.values() for s, p, o in FACT.findall(text)}
        assert relations(hg) == expected
        assert hg.stats().documents == 6 and hg.stats().chunks == 6
    with JobState.open(short_tmp / "jobs.sqlite") as state:
        assert state.status_counts() == {"done": 6}
        assert all(r.completions == 1 for r in state.chunks())


# -- the offline extractor through the CLI: ingest, rerun, change, jobs, delete ----------------------------
def test_offline_cli_ingest_change_and_delete(
    people: Path, short_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    graph = str(short_tmp)
    assert main(["ingest", str(people), "--graph", graph, "--no-embed", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["chunks_extracted"] == 6 and first["triples"] > 0
    with HopGraph.open(graph) as hg:
        before = relations(hg)
    assert ("Otto Hahn", "bear in", "Frankfurt") in before or any(s == "Otto Hahn" for s, _, _ in before)

    (people / "hahn.txt").write_text("Otto Hahn was born in Frankfurt. Otto Hahn studied in Marburg.")
    assert main(["ingest", str(people), "--graph", graph, "--no-embed", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["documents_replaced"] == 1 and second["chunks_extracted"] == 1
    assert second["documents_unchanged"] == 5
    with HopGraph.open(graph) as hg:
        after = relations(hg)
    assert not any("Marburg" in o for _, _, o in before) and any("Marburg" in o for _, _, o in after)

    assert main(["jobs", "--graph", graph]) == 0
    listing = capsys.readouterr().out
    assert "(2 rows)" in listing and "done" in listing

    assert main(["delete", "--graph", graph, "--doc", str(people / "hahn.txt")]) == 0
    assert "deleted document" in capsys.readouterr().out
    with HopGraph.open(graph) as hg:
        assert hg.stats().documents == 5
        assert not any("Marburg" in o or s == "Otto Hahn" for s, _, o in relations(hg))
    with JobState.open(short_tmp / "jobs.sqlite") as state:
        assert sum(state.status_counts().values()) == 5


# -- (b) a folder of hostile files --------------------------------------------------------------------
class FirstLastWord:
    """Stand-in extractor for the 50 MB plumbing test: (first word, "precedes", last word) per chunk."""

    name = "first-last"

    def extract(self, chunk: Chunk) -> Extraction:
        words = chunk.text.split()
        t = Triple(words[0], "precedes", words[-1], doc_id=chunk.doc_id, chunk_id=chunk.id)
        return Extraction(chunk.id, triples=(t,))

    def extract_many(self, chunks: Iterable[Chunk]) -> Iterator[Extraction]:
        return (self.extract(c) for c in chunks)


@pytest.mark.slow
def test_hostile_folder_reports_each_problem_and_stores_the_rest(tmp_path: Path, short_tmp: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("Marie Curie was born in Warsaw.")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.bin").write_bytes(bytes(range(256)) * 64)
    (folder / "latin1.txt").write_bytes(
        "Ren\u00e9 Descartes lived in Leiden. ".encode() * 40 + b"caf\xe9 au lait\n"
    )
    paragraphs = (
        f"Paragraph {i}: scientist {i % 97} wrote to colleague {i % 89} about topic {i}."
        for i in range(10**6)
    )
    big = folder / "big.txt"
    with big.open("w") as handle:
        size = 0
        for text in paragraphs:
            size += handle.write(text + "\n\n")
            if size >= 50 * 1024 * 1024:
                break
    assert big.stat().st_size >= 50 * 1024 * 1024

    with HopGraph.open(short_tmp) as hg, JobState.open(short_tmp / "jobs.sqlite") as state:
        job = IngestJob(
            hg.store,
            state,
            extractor=FirstLastWord(),
            chunker=Chunker(lambda text: len(text.split()), max_tokens=2000, overlap_tokens=0),
            batch_size=2000,
        )
        summary = job.run(iter_documents([folder]))
        problems = {Path(p["path"]).name: (p["severity"], p["reason"]) for p in summary.problems}
        assert set(problems) == {"empty.txt", "image.bin", "latin1.txt"}
        assert problems["empty.txt"][0] == "error"
        # in a folder, a .bin file is no document type: reported as skipped, never read
        assert problems["image.bin"][0] == "skipped" and "not a document type" in problems["image.bin"][1]
        assert problems["latin1.txt"][0] == "warning"  # loaded with a replacement character
        assert summary.status == "done" and summary.documents == 3
        stats = hg.stats()
        assert stats.documents == 3 and stats.chunks == summary.chunks == summary.chunks_extracted
        assert summary.chunks > 3000  # the 50 MB file is all there
        assert state.status_counts() == {"done": summary.chunks}
        sources = {d["s"] for d in hg.cypher("MATCH (d:Document) RETURN d.source AS s")}
        assert {Path(s).name for s in sources} == {"good.txt", "latin1.txt", "big.txt"}
        text = hg.cypher("MATCH (d:Document)-[:HAS_CHUNK]->(c:Chunk) WHERE d.source ENDS WITH 'big.txt' "
                         "RETURN sum(size(c.text)) AS n")[0]["n"]  # fmt: skip
        assert text >= 0.99 * big.stat().st_size - 2 * summary.chunks  # whitespace between chunks trimmed


@pytest.mark.slow
def test_ingest_exit_code_says_when_input_was_skipped(
    short_tmp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder"
    assert main(["ingest", str(missing), "--graph", str(short_tmp), "--no-embed"]) == 1
    assert f"{missing}: no such file or folder (skipped)" in capsys.readouterr().err
    empty_ok = tmp_path / "ok"
    empty_ok.mkdir()
    (empty_ok / "a.txt").write_text("Ada Lovelace wrote notes.", encoding="utf-8")
    assert main(["ingest", str(empty_ok), "--graph", str(short_tmp), "--no-embed"]) == 0


def test_summary_counts_every_vector_written(
    short_tmp: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Niels Bohr was born in Copenhagen. Bohr studied under Ernest Rutherford.")
    assert main(["ingest", str(docs), "--graph", str(short_tmp), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert main(["cypher", "--graph", str(short_tmp), "--json",
                 "MATCH (n) WHERE n.embedding IS NOT NULL RETURN count(n) AS n"]) == 0  # fmt: skip
    vectors = json.loads(capsys.readouterr().out)[0]["n"]
    assert summary["embedded"] == vectors == summary["chunks"] + summary["entities"]
