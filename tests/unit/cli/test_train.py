"""``hopgraph train qa``: question files are read with clear errors; ``train`` owns ``qa`` and ``metaqa``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from hopgraph.cli.train import add_qa_parser, read_pairs, register
from hopgraph.errors import ConfigError, ImportFormatError


def test_reads_jsonl_and_musique(tmp_path: Path) -> None:
    jsonl = tmp_path / "qa.jsonl"
    jsonl.write_text(
        json.dumps({"question": "Who directed Heat?", "answer": "Michael Mann", "aliases": ["Mann"]})
        + "\n\n"
        + json.dumps({"question": "Where?", "answers": ["Chicago", "Chicago"]})
        + "\n"
    )
    assert read_pairs(jsonl, "jsonl") == [
        ("Who directed Heat?", ("Michael Mann", "Mann")),
        ("Where?", ("Chicago",)),
    ]
    musique = tmp_path / "m.json"
    musique.write_text(json.dumps([{"question": "Q?", "answer": "A", "answer_aliases": ["B"], "id": "x"}]))
    assert read_pairs(musique, "musique") == [("Q?", ("A", "B"))]


def test_bad_files_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "Q?", "answer": "A"}\n{oops\n')
    with pytest.raises(ImportFormatError, match="line 2"):
        read_pairs(bad, "jsonl")
    no_answer = tmp_path / "none.json"
    no_answer.write_text(json.dumps([{"question": "Q?"}]))
    with pytest.raises(ImportFormatError, match="record 0: no 'answer'"):
        read_pairs(no_answer, "hotpotqa")
    with pytest.raises(ConfigError, match="no questions file"):
        read_pairs(tmp_path / "missing.jsonl", "jsonl")
    with pytest.raises(ImportFormatError, match="valid: musique"):
        read_pairs(bad, "csv")


def test_add_qa_parser_joins_a_train_group_and_register_makes_one() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train").add_subparsers(dest="dataset", required=True)
    train.add_parser("metaqa")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--graph")
    add_qa_parser(train, [common])
    args = parser.parse_args(["train", "qa", "--graph", "g", "--questions", "q.jsonl", "--format", "musique"])
    assert (args.dataset, args.graph, args.format, args.epochs, args.hops) == ("qa", "g", "musique", 30, None)
    assert parser.parse_args(["train", "metaqa"]).dataset == "metaqa"
    fresh = argparse.ArgumentParser().add_subparsers(dest="command")
    register(fresh, [common])
    assert "train" in fresh.choices


def test_train_qa_embeds_with_the_graphs_embed_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The questions are embedded by the model the graph is built with (its ``[embed]``
    settings), not the bundled one whatever they say."""
    import hopgraph.reason.doc.train as train
    from hopgraph.api import HopGraph
    from hopgraph.cli.app import main
    from tests.helpers.shared_embedder import share_embedder

    class Stop(Exception):
        pass

    def prepared(store: object, pairs: object, embedder: object, **kwargs: object) -> None:
        raise Stop(embedder)

    folder = tmp_path / "g"
    with HopGraph.open(folder):
        pass
    questions = tmp_path / "qa.jsonl"
    questions.write_text(json.dumps({"question": "Who directed Heat?", "answer": "Michael Mann"}) + "\n")
    monkeypatch.setenv("HOPGRAPH_EMBED_MODEL", "/models/multilingual")
    sentinel = object()
    shared = share_embedder(monkeypatch, sentinel)
    monkeypatch.setattr(train, "prepare_store_examples", prepared)
    with pytest.raises(Stop) as stopped:
        main(["train", "qa", "--graph", str(folder), "--questions", str(questions), "--format", "jsonl"])
    assert stopped.value.args == (sentinel,)
    assert [s.model if s else None for s in shared.built_from] == ["/models/multilingual"]
