"""``hopgraph jobs`` reads only the job state: it works while another process (here another
HopGraph in this process) holds the embedded graph folder's lock, as during a running ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hopgraph.api import HopGraph
from hopgraph.cli.app import main
from hopgraph.extract.jobs.state import JobState


def test_jobs_lists_while_the_graph_folder_is_held(
    short_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with JobState.open(short_tmp / "jobs.sqlite") as state:
        job_id = state.start_job({"sources": ["docs/"]})
    with HopGraph.open(short_tmp):  # holds the folder lock, as an ingest would
        assert main(["jobs", "--graph", str(short_tmp), "--json"]) == 0
        jobs = json.loads(capsys.readouterr().out)
        assert [(j["id"], j["status"]) for j in jobs] == [(job_id, "running")]
        assert main(["jobs", "--graph", str(short_tmp), str(job_id), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["job"]["args"] == {"sources": ["docs/"]}


class _BrokenExtractor:
    """Fails every chunk with a long error, as an unreachable LLM server would."""

    name = "broken"

    def extract(self, chunk: object) -> object:
        raise ConnectionError("connection refused by http://127.0.0.1:9/v1 " + "after retrying " * 12 + "END")


def test_a_job_whose_every_chunk_failed_is_failed_and_shows_whole_errors(
    short_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = short_tmp / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Maya Chen founded Orbital Ink in Lisbon.\n")
    graph = short_tmp / "g"
    with HopGraph.open(graph) as hg:
        summary = hg.ingest(docs, extractor=_BrokenExtractor(), embed=False)  # type: ignore[arg-type]
    assert summary.chunks_failed == 1 and summary.chunks_extracted == 0
    assert summary.status == "failed"
    assert main(["jobs", "--graph", str(graph), str(summary.job_id)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"job {summary.job_id} failed")
    assert "after retrying END" in out  # the whole error, not cut by a table cell
    wall = next(line for line in out.splitlines() if line.startswith("wall time"))
    assert main(["jobs", "--graph", str(graph), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)[0]
    assert listed["status"] == "failed" and wall.split()[-1] == listed["wall"]


def test_a_killed_job_shows_the_same_wall_time_in_list_and_detail(
    short_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with JobState.open(short_tmp / "jobs.sqlite") as state:
        killed = state.start_job({"sources": ["docs/"]})
        state.db.execute("UPDATE jobs SET pid = ? WHERE id = ?", (2**22 + 12345, killed))  # a dead pid
        state.start_job({"sources": ["docs/"]})  # marks the dead one interrupted, as a new ingest does
    assert main(["jobs", "--graph", str(short_tmp), "--json"]) == 0
    listed = {j["id"]: j for j in json.loads(capsys.readouterr().out)}
    assert listed[killed]["status"] == "interrupted" and listed[killed]["wall"] == "-"
    assert main(["jobs", "--graph", str(short_tmp), str(killed)]) == 0
    out = capsys.readouterr().out
    assert any(line.startswith("wall time") and line.split()[-1] == "-" for line in out.splitlines())


def test_retry_failed_with_another_extractor_says_so(
    short_tmp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    docs = short_tmp / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Maya Chen founded Orbital Ink in Lisbon.\n")
    with HopGraph.open(short_tmp / "g") as hg:
        hg.ingest(docs, extractor=_BrokenExtractor(), embed=False)  # type: ignore[arg-type]
        with caplog.at_level(logging.WARNING, logger="hopgraph"):
            summary = hg.ingest(docs, retry_failed=True, embed=False)  # no llm: the offline extractor
    assert summary.chunks_extracted == 1
    assert (
        "retrying failed chunks with the spacy extractor, not the one they failed with (1 with broken)"
        in (caplog.text)
    )
    assert "--llm broken" in caplog.text
