"""The HotpotQA corpus layout, ``{title: [sentences]}``, read as one Document per title."""

from __future__ import annotations

import json
from pathlib import Path

from hopgraph.extract.load.files import join_sentences, load_documents, sha256_text


def test_each_title_is_one_document_with_its_sentences_joined(tmp_path: Path) -> None:
    path = tmp_path / "hotpotqa_corpus.json"
    corpus = {
        "Ed Wood": ["Edward Wood was an American filmmaker.", " He made films.", " "],
        "Scott Derrickson": ["Scott Derrickson is an American director."],
        "Empty": [],
    }
    path.write_text(json.dumps(corpus))
    docs, problems = load_documents([path])
    assert [(d.title, d.text) for d in docs] == [
        ("Ed Wood", "Edward Wood was an American filmmaker. He made films."),
        ("Scott Derrickson", "Scott Derrickson is an American director."),
    ]
    assert [d.source for d in docs] == [f"{path.resolve()}#Ed Wood", f"{path.resolve()}#Scott Derrickson"]
    assert docs[0].metadata["sha256"] == sha256_text(docs[0].text)
    assert [(p.path.rsplit("#", 1)[1], p.reason) for p in problems] == [("Empty", "record 2 has empty text")]


def test_other_objects_keep_their_old_meaning(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"a": [{"text": "One."}], "b": []}))
    docs, problems = load_documents([path])
    assert docs == [] and "--json-records NAME" in problems[0].reason
    path.write_text(json.dumps({"passages": [{"text": "One."}]}))
    docs, problems = load_documents([path])
    assert [d.text for d in docs] == ["One."] and problems == []


def test_join_sentences_strips_and_drops_blanks() -> None:
    assert join_sentences([" A.", "", "B. ", "  "]) == "A. B."
    assert join_sentences([]) == ""
