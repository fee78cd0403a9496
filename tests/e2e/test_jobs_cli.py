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
