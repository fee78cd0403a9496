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
