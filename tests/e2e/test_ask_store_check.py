"""Paths come from an in-memory snapshot of the graph, but only paths the store still holds are
returned: an edit the snapshot missed (another process, a raw store write) never yields a path
that is not in the graph."""

from __future__ import annotations

from pathlib import Path

from hopgraph import HopGraph

TRIPLES = "Heat|directed by|Michael Mann\nMichael Mann|born in|Chicago\nHeat|released in|1995\n"
QUESTION = "Where was the director of Heat born?"


def test_a_path_the_store_no_longer_holds_is_dropped(short_tmp: Path) -> None:
    tsv = short_tmp / "kb.tsv"
    tsv.write_text(TRIPLES)
    with HopGraph.open(short_tmp / "g") as hg:
        hg.import_triples(tsv)
        before = hg.ask(QUESTION)
        assert str(before.paths[0]) == "Heat -[directed by]-> Michael Mann -[born in]-> Chicago"
        assert before.best_guess == "Chicago"
        # behind the loaded pipeline's back: its index still holds the relation
        hg.store.cypher("MATCH ()-[r:BORN_IN]->() DELETE r", write=True)
        after = hg.ask(QUESTION)
        assert after.paths and all("born in" not in str(p) for p in after.paths)
        assert after.text != "Chicago"
        # a write through the HopGraph itself reloads the pipeline from the changed graph
        hg.cypher("MATCH (e:Entity {name: $n}) SET e.type = 'PERSON'", {"n": "Michael Mann"}, write=True)
        assert all("born in" not in str(p) for p in hg.ask(QUESTION).paths)
