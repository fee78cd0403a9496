"""Fault injection: every fault during ingest, delete or import ends in a graph equal to a clean run.

Each test injects one fault into the real components (the ``hopgraph`` command in a child process
for signals, FalkorDB, the offline extractor or an OpenAI-protocol server), recovers the way a
user would (run the same command again; ``--retry-failed``; free space; move a damaged file away)
and compares the graph with a clean run in canonical form (:mod:`hopgraph.kg.canonical`). The
default test run has one case per fault family; the ``stress`` marker (``make stress``) adds every
signal at every point.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli as cli
from helpers.faults import PEOPLE, PLACES, canonical, child_env, command, done_chunks, run_until, write_corpus
from helpers.openai_server import Reply, ScriptedOpenAIServer, chunk_text_of

from hopgraph.api import HopGraph
from hopgraph.extract.importers.triples import import_triples
from hopgraph.kg.canonical import graph_diff
from hopgraph.kg.falkordb.store import FalkorDBStore

OPTIONS = ["--no-embed", "--max-tokens", "48", "--overlap-tokens", "8", "--batch-size", "4"]


def ingest(corpus: Path, graph: Path, *extra: str, options: list[str] = OPTIONS) -> tuple[int, str, str]:
    return cli("ingest", str(corpus), "--graph", str(graph), *options, *extra)


WITH_VECTORS = [o for o in OPTIONS if o != "--no-embed"]
"""OPTIONS with embeddings: chunk vectors, and entity resolution by MiniLM name vectors too."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "docs")


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    graph = tmp_path_factory.mktemp("g")
    code, out, err = ingest(corpus, graph, "--json")
    assert code == 0, err
    assert json.loads(out)["chunks"] > 16
    return canonical(graph)


def assert_clean(graph: Path, clean: dict[str, list[str]]) -> None:
    assert graph_diff(clean, canonical(graph)) == []


# -- signals mid-job -----------------------------------------------------------------------------
SIGNALS = [
    pytest.param("kill-redis", 8, id="kill-redis-8"),
    pytest.param("kill", 8, id="kill-8", marks=pytest.mark.stress),
    pytest.param("kill", 20, id="kill-20", marks=pytest.mark.stress),
    pytest.param("kill-redis", 20, id="kill-redis-20", marks=pytest.mark.stress),
    pytest.param("int", 12, id="ctrl-c-12", marks=pytest.mark.stress),
    pytest.param("term", 12, id="sigterm-12", marks=pytest.mark.stress),
    pytest.param("hup", 12, id="sighup-12", marks=pytest.mark.stress),
]


@pytest.mark.parametrize(("fault", "at"), SIGNALS)
def test_signal_mid_ingest_then_resume_equals_a_clean_run(
    fault: str, at: int, corpus: Path, clean: dict[str, list[str]], short_tmp: Path
) -> None:
    state = short_tmp / "jobs.sqlite"
    status = run_until(
        ["ingest", str(corpus), "--graph", str(short_tmp), *OPTIONS],
        ready=lambda: done_chunks(state) >= at,
        fault=fault,
        delay=0.05,
    )
    assert status != 0  # the job did not finish on its own
    code, _, err = ingest(corpus, short_tmp)
    assert code == 0, err
    assert_clean(short_tmp, clean)


# -- an LLM server that misbehaves mid-job ----------------------------------------------------------
FACTS = [
    (re.compile(r"([A-Z][a-z]+(?: [A-Z][a-z]+)?) was born in ([A-Z][a-z]+)"), "born in"),
    (re.compile(r"([A-Z][a-z]+ [A-Z][a-z]+) worked with ([A-Z][a-z]+ [A-Z][a-z]+)"), "worked with"),
    (re.compile(r"([A-Z][a-z]+(?: [A-Z][a-z]+)?) studied under ([A-Z][a-z]+ [A-Z][a-z]+)"), "studied under"),
]
FAULTS = ["garbage", "500", "truncated", "timeout"]


class FlakyModel:
    """Extracts the corpus's facts; while ``failing``, chunks whose text hashes to a fault get it."""

    def __init__(self) -> None:
        self.failing = True
        self.injected: dict[str, int] = dict.fromkeys(FAULTS, 0)

    def __call__(self, body: dict[str, Any]) -> Reply:
        text = chunk_text_of(body)
        triples = [
            {"subject": m.group(1), "predicate": predicate, "object": m.group(2)}
            for pattern, predicate in FACTS
            for m in pattern.finditer(text)
        ]
        good = json.dumps({"triples": triples})
        fault = FAULTS[sum(map(ord, text)) % 7] if sum(map(ord, text)) % 7 < len(FAULTS) else ""
        if not self.failing or not fault:
            return Reply(content=good)
        self.injected[fault] += 1
        if fault == "garbage":
            return Reply(content="Sure! Here are the triples you asked for: Bohr -> Copenhagen")
        if fault == "500":
            return Reply.fail(500, "the model server fell over")
        if fault == "truncated":  # the HTTP body (the JSON reply) cut off in transit
            return Reply.cut_off(Reply(content=good))
        return Reply.slow(3.0, Reply(content=good))


@pytest.mark.parametrize("options", [OPTIONS, pytest.param(WITH_VECTORS, marks=pytest.mark.stress)],
                         ids=["names", "name-vectors"])  # fmt: skip
def test_llm_garbage_500s_timeouts_and_truncated_json_then_retry_failed_equals_a_clean_run(
    options: list[str],
    corpus: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOPGRAPH_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("HOPGRAPH_LLM_TIMEOUT_S", "1")
    model = FlakyModel()
    clean_graph, graph = tmp_path_factory.mktemp("g"), tmp_path_factory.mktemp("g")
    with ScriptedOpenAIServer(responder=model) as server:
        spec = f"openai:test-model@{server.base_url}"
        args = ["--llm", spec, "--concurrency", "4"]
        model.failing = False
        code, _, err = ingest(corpus, clean_graph, *args, options=options)
        assert code == 0, err
        model.failing = True
        code, out, _ = ingest(corpus, graph, *args, "--json", options=options)
        first = json.loads(out)
        assert code == 1 and first["status"] == "done" and first["chunks_failed"] > 0
        assert all(model.injected[f] > 0 for f in FAULTS), model.injected
        code, out, _ = cli("jobs", "--graph", str(graph), str(first["job_id"]), "--failed", "--json")
        errors = [f["error"] for f in json.loads(out)["failures"]]
        assert len(errors) == first["chunks_failed"] and all(errors)  # each failed chunk says why
        model.failing = False
        code, out, err = ingest(corpus, graph, *args, "--retry-failed", "--json", options=options)
        assert code == 0, err
        assert json.loads(out)["chunks_extracted"] == first["chunks_failed"]
    clean, retried = canonical(clean_graph), canonical(graph)
    for section in ("Document", "Chunk", "HAS_CHUNK"):
        assert clean[section] == retried[section]
    # no lost and no duplicated facts: every chunk contributed the same predicates, as often
    assert chunk_facts(retried) == chunk_facts(clean)
    # and the retried chunks resolved in their place: the same entities and merges as the clean run
    assert graph_diff(clean, retried) == []


@pytest.mark.parametrize(
    "at", [pytest.param(3, marks=pytest.mark.stress), pytest.param(40, marks=pytest.mark.stress), 120]
)
def test_retry_failed_cut_off_part_way_then_the_next_run_finishes_it_equal_to_a_clean_run(
    at: int, corpus: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--retry-failed writes the job's documents again in chunk order; a crash at write ``at`` of
    that (removing the old layer: writes 1-80; writing the batches again: later) is finished by the
    next run, without --retry-failed, and no chunk is recorded done twice."""
    monkeypatch.setenv("HOPGRAPH_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("HOPGRAPH_LLM_TIMEOUT_S", "1")
    model = FlakyModel()
    clean_graph, graph = tmp_path_factory.mktemp("g"), tmp_path_factory.mktemp("g")
    with ScriptedOpenAIServer(responder=model) as server:
        args = ["--llm", f"openai:test-model@{server.base_url}", "--concurrency", "4"]
        model.failing = False
        code, _, err = ingest(corpus, clean_graph, *args)
        assert code == 0, err
        model.failing = True
        code, _, _ = ingest(corpus, graph, *args)
        assert code == 1
        model.failing = False
        armed, writes = {"on": False}, {"n": 0}
        undo, run = FalkorDBStore.delete_extraction, FalkorDBStore._run

        def arming(self: FalkorDBStore, doc_id: str) -> Any:
            armed["on"] = True
            return undo(self, doc_id)

        def faulty(self: FalkorDBStore, query: str, params: Any = None, *, write: bool, **kw: Any) -> Any:
            if write and armed["on"]:
                writes["n"] += 1
                if writes["n"] == at:
                    raise KeyboardInterrupt
            return run(self, query, params, write=write, **kw)

        monkeypatch.setattr(FalkorDBStore, "delete_extraction", arming)
        monkeypatch.setattr(FalkorDBStore, "_run", faulty)
        code, _, err = ingest(corpus, graph, *args, "--retry-failed")
        assert code == 130 and writes["n"] == at, (code, writes, err)
        monkeypatch.setattr(FalkorDBStore, "delete_extraction", undo)
        monkeypatch.setattr(FalkorDBStore, "_run", run)
        code, _, err = ingest(corpus, graph, *args)
        assert code == 0, err
    assert graph_diff(canonical(clean_graph), canonical(graph)) == []
    with contextlib.closing(sqlite3.connect(graph / "jobs.sqlite")) as db:
        rows = db.execute("SELECT status, completions, count(*) FROM chunks GROUP BY 1, 2").fetchall()
        assert rows == [("done", 1, rows[0][2])], rows
        assert db.execute("SELECT count(*) FROM rederive").fetchone() == (0,)


def chunk_facts(form: dict[str, list[str]]) -> Counter[tuple[str, str]]:
    """(chunk id, predicate) of every relation's provenance, with multiplicity."""
    facts: Counter[tuple[str, str]] = Counter()
    for line in form["relations"]:
        props = json.loads(line)[5]
        facts.update((chunk, props["predicate"]) for chunk in props["chunk_ids"])
    return facts


# -- a damaged job state ------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["garbage", pytest.param("truncated", marks=pytest.mark.stress)])
def test_damaged_job_state_is_a_clear_error_then_moving_it_away_recovers(
    damage: str, corpus: Path, clean: dict[str, list[str]], short_tmp: Path
) -> None:
    code, _, err = ingest(corpus, short_tmp)
    assert code == 0, err
    state = short_tmp / "jobs.sqlite"
    data = state.read_bytes()
    state.write_bytes(b"this is not a database\n" * 100 if damage == "garbage" else data[: len(data) // 2])
    for argv in (
        ["ingest", str(corpus), "--graph", str(short_tmp), *OPTIONS],
        ["jobs", "--graph", str(short_tmp)],
    ):
        code, _, err = cli(*argv)
        assert code == 2 and str(state) in err and "move the file away" in err and "Traceback" not in err
    assert_clean(short_tmp, clean)  # nothing stored was touched
    state.rename(state.with_suffix(".damaged"))
    code, _, err = ingest(corpus, short_tmp)
    assert code == 0, err
    assert_clean(short_tmp, clean)


# -- two processes racing to open one folder -----------------------------------------------------------
def test_two_processes_racing_to_ingest_into_one_folder(
    corpus: Path, clean: dict[str, list[str]], short_tmp: Path
) -> None:
    argv = [*command(), "ingest", str(corpus), "--graph", str(short_tmp), *OPTIONS]
    procs = [subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=child_env())
             for _ in range(2)]  # fmt: skip
    results = [(p.wait(timeout=300), p.stderr.read().decode() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert "open in another process" in loser and "Traceback" not in loser
    assert_clean(short_tmp, clean)


# -- disk full ---------------------------------------------------------------------------------------------
@contextlib.contextmanager
def small_tmpfs(path: Path, size: str) -> Any:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_disk_full_mid_ingest_is_a_clear_error_and_resumes_cleanly_after_space_is_freed(
    corpus: Path, clean: dict[str, list[str]], short_tmp: Path
) -> None:
    with small_tmpfs(short_tmp / "disk", "24m") as disk:
        graph = disk / "g"
        filler = disk / "filler"
        # leave room for the server to start and the first batches, not for the whole job
        free = shutil.disk_usage(disk).free
        with open(filler, "wb") as f:
            f.write(b"\0" * (free - 500_000))
        code, out, err = ingest(corpus, graph)
        assert code == 2, (out, err)
        assert "Traceback" not in err and ("space" in err.lower() or "full" in err.lower()), err
        filler.unlink()
        code, _, err = ingest(corpus, graph)
        assert code == 0, err
        assert_clean(graph, clean)


# -- faults during delete and import ------------------------------------------------------------------------
def interrupt_writes(store: Any, at: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``at``-th write statement of ``store`` raises KeyboardInterrupt (a crash mid-operation)."""
    run = store._run
    count = {"writes": 0}

    def faulty(query: str, params: Any = None, *, write: bool = False, **options: Any) -> Any:
        if write:
            count["writes"] += 1
            if count["writes"] == at:
                raise KeyboardInterrupt
        return run(query, params, write=write, **options)

    monkeypatch.setattr(store, "_run", faulty)


@pytest.mark.parametrize(
    "at", [3, pytest.param(1, marks=pytest.mark.stress), pytest.param(5, marks=pytest.mark.stress)]
)
def test_interrupted_delete_then_delete_again_equals_a_clean_delete(
    at: int,
    corpus: Path,
    short_tmp: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference = tmp_path_factory.mktemp("g")
    for graph in (reference, short_tmp):
        code, _, err = ingest(corpus, graph)
        assert code == 0, err
    original = canonical(reference)
    target = str(corpus / "doc03.txt")
    with HopGraph.open(reference) as hg:
        hg.delete_document(target)
    with HopGraph.open(short_tmp) as hg:
        interrupt_writes(hg.store, at, monkeypatch)
        with pytest.raises(KeyboardInterrupt):
            hg.delete_document(target)
        monkeypatch.undo()
    code, _, err = cli("delete", "--graph", str(short_tmp), "--doc", target)
    assert code == 0, err
    assert graph_diff(canonical(reference), canonical(short_tmp)) == []
    code, _, err = ingest(corpus, short_tmp)  # and the document comes back exactly
    assert code == 0, err
    assert graph_diff(original, canonical(short_tmp)) == []


@pytest.mark.parametrize("at", [2, 4])
def test_interrupted_import_then_import_again_equals_a_clean_import(
    at: int,
    short_tmp: Path,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tsv = tmp_path / "kb.tsv"
    rng = random.Random(5)
    lines = {f"{rng.choice(PEOPLE)}\t{rng.choice(['born in', 'worked in', 'visited'])}\t{rng.choice(PLACES)}"
             for _ in range(300)}  # fmt: skip
    tsv.write_text("\n".join(sorted(lines)) + "\n")
    reference = tmp_path_factory.mktemp("g")
    with HopGraph.open(reference) as hg:
        import_triples(hg.store, tsv, batch_size=16)
    with HopGraph.open(short_tmp) as hg:
        interrupt_writes(hg.store, at, monkeypatch)
        with pytest.raises(KeyboardInterrupt):
            import_triples(hg.store, tsv, batch_size=16)
        monkeypatch.undo()
        import_triples(hg.store, tsv, batch_size=16)
    assert graph_diff(canonical(reference), canonical(short_tmp)) == []
