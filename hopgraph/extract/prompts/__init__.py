"""Extraction prompts, each ``NAME.txt`` next to the JSON Schema of its answer.

Prompts are ``string.Template`` texts (``$text``, ``$guidance``, ``$entities``, ``$error``).
``triples_given_entities`` and ``gleaning`` answer in the ``triples`` schema.
Files are read on first use and kept.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from string import Template
from typing import Any

SCHEMA_OF = {
    "triples": "triples",
    "triples_given_entities": "triples",
    "gleaning": "triples",
    "entities": "entities",
}


def _read(name: str) -> str:
    return (resources.files(__name__) / name).read_text(encoding="utf-8")


@cache
def prompt(name: str) -> Template:
    return Template(_read(f"{name}.txt").strip())


@cache
def schema(name: str) -> dict[str, Any]:
    """The output schema of prompt ``name`` (a fresh copy is not made: treat it as read-only)."""
    data: dict[str, Any] = json.loads(_read(f"{SCHEMA_OF.get(name, name)}.schema.json"))
    return data
