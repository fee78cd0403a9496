"""Ingest progress covers every phase: extraction (with resolution and writing as they happen),
then embedding on a line of its own with its duration; no silent gap between them."""

from __future__ import annotations

import io

from hopgraph.extract.jobs.progress import JobProgress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_phases_each_get_a_line_at_once() -> None:
    out, clock = io.StringIO(), Clock()
    progress = JobProgress(out, tty=False, every=5.0, clock=clock)
    progress.begin(4)
    clock.now = 6.0
    progress.set_activity("resolving the entities of 4 chunks")
    assert out.getvalue().splitlines()[-1].endswith("| resolving the entities of 4 chunks")
    clock.now = 7.0
    progress.activity = ""
    progress.advance(done=4, triples=9)  # throttled: under 5 s since the last line
    clock.now = 8.0
    progress.phase("embedding new chunks and entities ...")  # shown at once, after the final chunk line
    lines = out.getvalue().splitlines()
    assert lines[-2].startswith("chunks 4/4 (100%)") and "9 triples" in lines[-2]
    assert lines[-1] == "embedding new chunks and entities ..."
    clock.now = 20.5
    progress.phase_done("embedded 12 chunks and entities")
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[-1] == "embedded 12 chunks and entities in 12.5 s"
    assert sum(line.startswith("chunks 4/4") for line in lines) == 1  # close() does not repeat it


def test_on_a_terminal_the_chunk_line_is_kept_when_embedding_starts() -> None:
    out, clock = io.StringIO(), Clock()
    progress = JobProgress(out, tty=True, every=0.1, clock=clock)
    progress.begin(2)
    clock.now = 1.0
    progress.advance(done=2)
    progress.phase("embedding new chunks and entities ...")
    clock.now = 3.0
    progress.phase_done("embedded 5 chunks and entities")
    progress.close()
    text = out.getvalue()
    kept = [part.split("\r\x1b[K")[-1] for part in text.split("\n")]
    assert any(k.startswith("[") and "chunks 2/2 (100%)" in k for k in kept)
    assert "embedding new chunks and entities ..." in kept
    assert "embedded 5 chunks and entities in 2.0 s" in kept


def test_the_embedding_phase_shows_how_far_it_is() -> None:
    out, clock = io.StringIO(), Clock()
    progress = JobProgress(out, tty=False, every=5.0, clock=clock)
    progress.phase("embedding new chunks and entities ...")
    clock.now = 2.0
    progress.phase_progress("embedded 256 chunks")  # throttled: under 5 s since the phase line
    clock.now = 6.0
    progress.phase_progress("embedded 1,024 chunks")
    clock.now = 9.0
    progress.phase_progress("embedded 1,929 chunks, 512 entities")  # throttled again
    clock.now = 12.0
    progress.phase_progress("embedded 1,929 chunks, 4,096 entities")
    progress.phase_done("embedded 6,025 chunks and entities")
    lines = out.getvalue().splitlines()
    assert lines == [
        "embedding new chunks and entities ...",
        "embedded 1,024 chunks (6 s)",
        "embedded 1,929 chunks, 4,096 entities (12 s)",
        "embedded 6,025 chunks and entities in 12.0 s",
    ]


def test_on_a_terminal_the_embedding_progress_is_rewritten_in_place() -> None:
    out, clock = io.StringIO(), Clock()
    progress = JobProgress(out, tty=True, every=0.1, clock=clock)
    progress.phase("embedding new chunks and entities ...")
    for n in (1, 2):
        clock.now = float(n)
        progress.phase_progress(f"embedded {n * 256} chunks")
    progress.phase_done("embedded 512 chunks and entities")
    text = out.getvalue()
    assert "\rembedded" not in text.replace("\r\x1b[K", "")  # every rewrite clears the line first
    assert text.endswith("\r\x1b[Kembedded 512 chunks and entities in 2.0 s\n")
    assert "\r\x1b[Kembedded 256 chunks (1 s)\r\x1b[Kembedded 512 chunks (2 s)" in text
