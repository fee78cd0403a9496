"""Reading jobs back from the state file (what ``hopgraph jobs`` shows, via HopGraph.jobs / job)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopgraph.api import HopGraph
from hopgraph.errors import HopGraphError
from hopgraph.extract.jobs.report import failed_chunks, job_report, list_jobs
from hopgraph.extract.jobs.state import ChunkResult, DocumentRow, JobState


def _state(path: Path) -> int:
    with JobState.open(path) as s:
        job_id = s.start_job({"sources": ["x"]})
        s.register_document(job_id, DocumentRow("d1", "x", "sha", "", job_id, 2), ["c1", "c2"])
        s.record(job_id, [ChunkResult("c1", tokens=7, triples=2), ChunkResult("c2", error="bad json")])
        s.add_problem(job_id, "y.pdf", "no text")
        s.finish_job(job_id, "done", {"chunks": 2})
    return job_id


def test_one_job_with_its_counts_problems_and_failures(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    job_id = _state(path)
    assert [j.id for j in list_jobs(path)] == [job_id] == [j.id for j in HopGraph.jobs(path)]
    report = HopGraph.job(path, job_id)
    assert report == job_report(path, job_id)
    assert report.job.status == "done" and report.job.args == {"sources": ["x"]}
    assert report.chunks == {"done": 1, "failed": 1}
    assert report.problems == [("y.pdf", "no text")]
    assert [(f.chunk_id, f.error) for f in report.failures] == [("c2", "bad json")]
    assert (
        [f.chunk_id for f in failed_chunks(path)]
        == ["c2"]
        == [f.chunk_id for f in HopGraph.failed_chunks(path)]
    )


def test_unknown_job_and_missing_state_name_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite"
    with pytest.raises(HopGraphError, match=r"no job state at .*jobs.sqlite: no ingest job has run"):
        list_jobs(path)
    assert not path.exists()  # reading does not create a state file
    job_id = _state(path)
    with pytest.raises(HopGraphError, match=rf"no job 99 in .*jobs.sqlite; jobs: {job_id}$"):
        job_report(path, 99)
