"""Reading what ingest jobs did from their state file (``jobs.sqlite``): the jobs, one job with
its chunk counts, input problems and failed chunks, and the failed chunks of every job.

Only the state file is read, never the graph store, so a job can be watched while it runs (an
embedded graph folder is locked by the process that ingests into it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hopgraph.errors import HopGraphError
from hopgraph.extract.jobs.state import ChunkRow, JobRow, JobState


@dataclass(frozen=True)
class JobReport:
    """One ingest job: its row, chunk counts by status (chunks it processed last), the inputs it
    could not load (``(path, reason)``) and its failed chunks."""

    job: JobRow
    chunks: dict[str, int]
    problems: list[tuple[str, str]]
    failures: list[ChunkRow]


def _open(path: str | Path) -> JobState:
    state_path = Path(path)
    if not state_path.is_file():
        raise HopGraphError(f"no job state at {state_path}: no ingest job has run on this graph yet")
    return JobState.open(state_path)


def list_jobs(path: str | Path) -> list[JobRow]:
    """Every job recorded in the state file ``path``."""
    with _open(path) as state:
        return state.jobs()


def job_report(path: str | Path, job_id: int) -> JobReport:
    """Job ``job_id`` of the state file ``path``; :class:`HopGraphError` naming the known jobs if none."""
    with _open(path) as state:
        job = state.job(job_id)
        if job is None:
            known = ", ".join(str(j.id) for j in state.jobs()) or "none"
            raise HopGraphError(f"no job {job_id} in {path}; jobs: {known}")
        return JobReport(
            job=job,
            chunks=state.status_counts(job.id),
            problems=state.problems(job.id),
            failures=list(state.chunks(job_id=job.id, status="failed")),
        )


def failed_chunks(path: str | Path) -> list[ChunkRow]:
    """The failed chunks of every job in the state file ``path`` (a chunk's last attempt failed)."""
    with _open(path) as state:
        return list(state.chunks(status="failed"))


__all__ = ["JobReport", "failed_chunks", "job_report", "list_jobs"]
