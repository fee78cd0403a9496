"""Non-English questions get a warning naming the multilingual-model setting."""

from __future__ import annotations

import pytest

from hopgraph.reason.doc.language import SETTING, guess_language, language_note


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Where was the founder of Nimbus Robotics born?", "English"),
        ("In what county is the city where Harris W. Fawell was born?", "English"),
        ("Où est né le fondateur de Nimbus Robotics ?", "French"),
        ("Wo wurde der Gründer von Nimbus Robotics geboren?", "German"),
        ("¿Dónde nació el fundador de Nimbus Robotics?", "Spanish"),
        ("ニンバス・ロボティクスの創設者はどこで生まれましたか？", "Japanese"),
    ],
)
def test_guess_language(question: str, language: str) -> None:
    assert guess_language(question).startswith(language.split("/")[0]) or language in guess_language(question)


def test_the_note_names_the_setting_and_is_silent_for_english_or_a_multilingual_model() -> None:
    note = language_note("Wo wurde der Gründer von Nimbus Robotics geboren?", "all-MiniLM-L6-v2")
    assert note is not None and "German" in note and SETTING in note and "English-only" in note
    assert language_note("Where was the founder of Nimbus Robotics born?", "all-MiniLM-L6-v2") is None
    assert language_note("Wo wurde der Gründer geboren?", "paraphrase-multilingual-MiniLM-L12-v2") is None
