"""``hopgraph reembed``: embed a graph's chunks again as chunks are embedded now (title + text).

    hopgraph reembed --graph my-graph

A graph built before chunk vectors carried their document's title still answers, with a warning
naming this command. The job embeds only the chunks whose vectors are stale, in batches; a killed
run resumes where it stopped (see :mod:`hopgraph.extract.reembed`). Registered by
:func:`register`; this module never imports the rest of ``cli`` beyond ``common``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hopgraph.cli.common import open_graph, positive_int


def cmd_reembed(args: argparse.Namespace) -> int:
    from hopgraph.embed import SentenceTransformerEmbedder
    from hopgraph.extract.reembed import reembed_chunks
    from hopgraph.kg.content_cache import bump_generation

    with open_graph(args) as hg:
        embedder = SentenceTransformerEmbedder.from_settings(hg.settings.embed)  # the graph's model

        def progress(done: int, stale: int) -> None:
            if not args.json:
                print(f"\rre-embedded {done:,} of {stale:,} chunks", end="", file=sys.stderr, flush=True)

        # the graph index caches the chunks' vectors and re-embedding changes no count its key
        # holds: the write generation is bumped before (an interrupted run) and after
        if hg.cache_dir is not None:
            bump_generation(hg.cache_dir)
        counts = reembed_chunks(hg.store, embedder, batch_size=args.batch_size, progress=progress)
        if hg.cache_dir is not None and counts.embedded:
            bump_generation(hg.cache_dir)
    if args.json:
        print(json.dumps({"stale_chunks": counts.stale, "embedded_chunks": counts.embedded}))
    else:
        if counts.stale:
            print(file=sys.stderr)
        print(
            f"{counts.embedded:,} chunk(s) embedded with their titles ({counts.stale:,} stale)"
            if counts.embedded
            else "every chunk is already embedded with its title: nothing to do"
        )
    return 0


def register(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add ``reembed`` to the ``hopgraph`` command's subparsers."""
    p = sub.add_parser(
        "reembed",
        parents=common,
        help="embed chunks again with their document titles (resumable)",
        description="Embed the chunks whose vectors were made without their document's title again, "
        "in batches. Rerunning skips what is done; a killed run resumes where it stopped.",
    )
    p.add_argument("--batch-size", type=positive_int, default=256, metavar="N", help="chunks per batch")
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p.set_defaults(func=cmd_reembed)


__all__ = ["cmd_reembed", "register"]
