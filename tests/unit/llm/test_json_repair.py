"""Lenient JSON parsing of model output: what small models actually write."""

from __future__ import annotations

from typing import Any

import pytest

from hopgraph.errors import LLMOutputError
from hopgraph.llm.json_repair import parse_json_lenient


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('```json\n{"a": [1, 2]}\n```', {"a": [1, 2]}),
        ("Sure, here you go:\n[1, 2, 3]\nHope this helps!", [1, 2, 3]),
        ('{"a": [1, 2,], "b": {"c": 3,},}', {"a": [1, 2], "b": {"c": 3}}),
        ("{'s': 'Ada's father', 'o': 'Byron'}", {"s": "Ada's father", "o": "Byron"}),
        ('{"x": True, "y": None, "z": False}', {"x": True, "y": None, "z": False}),
        ('{subject: "Ada", year: 1815}', {"subject": "Ada", "year": 1815}),
        ('{"a": "line one\nline two\tend"}', {"a": "line one\nline two\tend"}),
        ('{"q": "say \\"hi\\""}', {"q": 'say "hi"'}),
        ("{'q': 'she said \"no\"'}", {"q": 'she said "no"'}),
        ('```\n{"a": [1, 2, 3\n', {"a": [1, 2, 3]}),
    ],
)
def test_repairs(text: str, expected: Any) -> None:
    assert parse_json_lenient(text) == expected


def test_truncated_output_keeps_complete_elements_only() -> None:
    cut = '{"triples": [{"s": "A", "p": "x", "o": "B"}, {"s": "C", "p": "y", "o": "D'
    assert parse_json_lenient(cut) == {"triples": [{"s": "A", "p": "x", "o": "B"}]}
    cut_lists = '{"triples": [["A", "x", "B"], ["C", "y", "D"], ["E", "z'
    assert parse_json_lenient(cut_lists)["triples"][:2] == [["A", "x", "B"], ["C", "y", "D"]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("I could not find any relations.", "no JSON"),
        ('{"triples": [{"subject": "A", "pred', "cut off"),
        ('{"a": 1]', "unbalanced"),
    ],
)
def test_unusable_output_raises_a_message_fit_to_feed_back(text: str, message: str) -> None:
    with pytest.raises(LLMOutputError, match=message):
        parse_json_lenient(text)
