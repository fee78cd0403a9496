"""Resumable batch ingest: documents -> chunks -> triples -> resolved -> stored, exactly once.

- :mod:`hopgraph.extract.jobs.job`: ``IngestJob``, the two passes (scan, extract) over its input.
- :mod:`hopgraph.extract.jobs.state`: per-chunk job state in ``DIR/jobs.sqlite``.
- :mod:`hopgraph.extract.jobs.progress`: the progress line and the closing ``JobSummary``.
- :mod:`hopgraph.extract.jobs.background`: one writer thread keeping store writes in order.
- :mod:`hopgraph.extract.jobs.options`: ``IngestOptions`` (light: ``hopgraph`` exports it).
- :mod:`hopgraph.extract.jobs.wiring`: ``run_ingest``, the real components from the settings.
- :mod:`hopgraph.extract.jobs.journal`: each batch's extraction and resolver answers, replayed on
  resume so a resumed job builds the same graph as an uninterrupted one.
- :mod:`hopgraph.extract.jobs.delete`: delete a document (by id or source) from graph and job state.
- :mod:`hopgraph.extract.jobs.report`: jobs and their failed chunks, read from the job state.
"""
