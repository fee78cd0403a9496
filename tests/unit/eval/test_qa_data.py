"""MuSiQue and HotpotQA question files: answers with aliases, gold passages, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hopgraph.errors import ConfigError, ImportFormatError
from hopgraph.eval.qa_data import GoldPassage, QAItem, load_questions

ROOT = Path(__file__).resolve().parents[3]
MUSIQUE = ROOT.parent / "shared" / "data" / "musique100" / "questions.json"


def musique_record(qid: str = "2hop__1_2") -> dict[str, object]:
    return {
        "id": qid,
        "question": "Who founded the label that signed Ann?",
        "answer": "Bo Lind",
        "answer_aliases": ["Lind", "Bo Lind", " "],
        "paragraphs": [
            {"idx": 0, "title": "Ann", "paragraph_text": "Ann signed with Blue.", "is_supporting": True},
            {"idx": 1, "title": "Noise", "paragraph_text": "Unrelated.", "is_supporting": False},
            {
                "idx": 2,
                "title": "Blue",
                "paragraph_text": "Blue was founded by Bo Lind.",
                "is_supporting": True,
            },
        ],
    }


def hotpot_record(qid: str = "5a8b") -> dict[str, object]:
    return {
        "_id": qid,
        "question": "Were Ed Wood and Scott Derrickson of the same nationality?",
        "answer": "yes",
        "supporting_facts": [["Scott Derrickson", 0], ["Ed Wood", 0], ["Ed Wood", 2]],
        "context": [
            ["Ed Wood", ["Edward Wood was an American filmmaker.", " He made films."]],
            ["Scott Derrickson", ["Scott Derrickson is an American director."]],
        ],
    }


def test_musique_items_keep_answer_first_then_aliases_and_supporting_passages(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    path.write_text(json.dumps([musique_record()]))
    [item] = load_questions(path, "musique")
    assert item == QAItem(
        id="2hop__1_2",
        question="Who founded the label that signed Ann?",
        answers=("Bo Lind", "Lind"),
        gold=(
            GoldPassage("Ann", "Ann signed with Blue."),
            GoldPassage("Blue", "Blue was founded by Bo Lind."),
        ),
    )


def test_jsonl_and_missing_ids_use_the_record_position(tmp_path: Path) -> None:
    first, second = musique_record(), musique_record()
    del first["id"], second["id"]
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps(first) + "\n\n" + json.dumps(second) + "\n")
    assert [i.id for i in load_questions(path, "musique")] == ["0", "2"]


def test_hotpotqa_gold_is_distinct_supporting_titles_with_context_text(tmp_path: Path) -> None:
    path = tmp_path / "hotpot.json"
    path.write_text(json.dumps([hotpot_record()]))
    [item] = load_questions(path, "hotpotqa")
    assert item.id == "5a8b" and item.answers == ("yes",)
    assert item.gold == (
        GoldPassage("Scott Derrickson", "Scott Derrickson is an American director."),
        GoldPassage("Ed Wood", "Edward Wood was an American filmmaker. He made films."),
    )


def test_hotpotqa_corpus_file_supplies_texts_and_context_is_optional(tmp_path: Path) -> None:
    record = hotpot_record()
    record["id"] = record.pop("_id")
    del record["context"]
    path = tmp_path / "hotpot.json"
    path.write_text(json.dumps([record]))
    [item] = load_questions(path, "hotpotqa")
    assert [(g.title, g.text) for g in item.gold] == [("Scott Derrickson", None), ("Ed Wood", None)]
    corpus = tmp_path / "corpus.json"
    corpus.write_text(json.dumps({"Ed Wood": ["Ed Wood was born in 1924.", "He died in 1978."]}))
    [item] = load_questions(path, "hotpotqa", corpus=corpus)
    assert [(g.title, g.text) for g in item.gold] == [
        ("Scott Derrickson", None),
        ("Ed Wood", "Ed Wood was born in 1924. He died in 1978."),
    ]
    listed = tmp_path / "corpus_list.json"
    listed.write_text(json.dumps([{"title": "Scott Derrickson", "text": "A director."}]))
    [item] = load_questions(path, "hotpotqa", corpus=listed)
    assert item.gold[0].text == "A director."


@pytest.mark.parametrize(
    ("records", "fmt", "expected"),
    [
        (
            [musique_record(), {"id": "x", "answer": "a", "paragraphs": []}],
            "musique",
            "record 1 (id x): no 'question'",
        ),
        (
            [{**musique_record(), "paragraphs": "p"}],
            "musique",
            "record 0 (id 2hop__1_2): no 'paragraphs' list",
        ),
        ([{**musique_record(), "answer": ["a"]}], "musique", "'answer' is a list, not a string"),
        ([{**musique_record(), "answer_aliases": "b"}], "musique", "'answer_aliases' must be a list"),
        ([musique_record(), musique_record()], "musique", "record 1 (id 2hop__1_2): duplicate id"),
        (["text"], "musique", "record 0 is a str, not an object"),
        ([musique_record()], "hotpotqa", "no 'supporting_facts' list (is this a hotpotqa file?)"),
        ([{**hotpot_record(), "supporting_facts": [[3, 0]]}], "hotpotqa", "supporting fact 0 is not"),
        ([{**hotpot_record(), "context": [["t", "s"]]}], "hotpotqa", "context entry 0 is not"),
    ],
)
def test_malformed_records_name_the_file_and_the_record(
    tmp_path: Path, records: list[object], fmt: str, expected: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records))
    with pytest.raises(ImportFormatError) as err:
        load_questions(path, fmt)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_unreadable_files_and_unknown_formats_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no questions file"):
        load_questions(tmp_path / "none.json", "musique")
    with pytest.raises(ConfigError, match="choose one of musique, hotpotqa"):
        load_questions(tmp_path / "none.json", "squad")
    (tmp_path / "a.json").write_text("[{")
    with pytest.raises(ImportFormatError, match="malformed JSON"):
        load_questions(tmp_path / "a.json", "musique")
    (tmp_path / "b.jsonl").write_text(json.dumps(musique_record()) + "\n{oops\n")
    with pytest.raises(ImportFormatError, match="line 2 is not JSON"):
        load_questions(tmp_path / "b.jsonl", "musique")
    (tmp_path / "c.json").write_text("7")
    with pytest.raises(ImportFormatError, match="expected a JSON list"):
        load_questions(tmp_path / "c.json", "musique")


@pytest.mark.skipif(not MUSIQUE.exists(), reason="no benchmark data")
def test_the_musique_benchmark_file_loads() -> None:
    items = load_questions(MUSIQUE, "musique")
    assert len(items) == 100 and len({i.id for i in items}) == 100
    assert sum(len(i.gold) for i in items) == 237
    assert all(i.answers and i.gold and all(g.text for g in i.gold) for i in items)
