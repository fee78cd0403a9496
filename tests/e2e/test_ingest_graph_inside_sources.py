"""``hopgraph ingest . --graph g`` with the graph folder inside the source folder: the graph's own
files (redis.log, append-only files, caches, jobs.sqlite) never become documents, on any run."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

from hopgraph.api import HopGraph
from hopgraph.cli.app import main


def ingest_here(folder: Path) -> dict[str, object]:
    out = io.StringIO()
    old = Path.cwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["ingest", ".", "--graph", "g", "--no-embed", "--json"])
    finally:
        os.chdir(old)
    assert code == 0
    return dict(json.loads(out.getvalue()))


def test_ingest_dot_never_reads_the_graph_folder_inside_it(short_tmp: Path) -> None:
    (short_tmp / "a.txt").write_text("Niels Bohr was born in Copenhagen. Bohr worked with Otto Hahn.\n")
    (short_tmp / "b.txt").write_text("Lise Meitner was born in Vienna. Meitner worked in Berlin.\n")
    first = ingest_here(short_tmp)
    assert first["documents"] == 2 and not first["problems"]
    with HopGraph.open(short_tmp / "g") as hg:
        before = hg.stats()
    for _ in range(2):  # the graph folder now holds redis.log, append-only files, caches, jobs.sqlite
        again = ingest_here(short_tmp)
        assert again["documents"] == 2 and again["documents_unchanged"] == 2 and not again["problems"]
    with HopGraph.open(short_tmp / "g") as hg:
        assert hg.stats() == before
        sources = [r["s"] for r in hg.cypher("MATCH (d:Document) RETURN d.source AS s ORDER BY s")]
    assert [Path(s).name for s in sources] == ["a.txt", "b.txt"]
