"""Answer-generation prompts: ``NAME.md`` (a ``string.Template``) next to ``NAME.schema.json``.

``answer`` takes ``$question``, ``$paths`` and ``$chunks``. Files are read on first use and kept.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from string import Template
from typing import Any


def _read(name: str) -> str:
    return (resources.files(__name__) / name).read_text(encoding="utf-8")


@cache
def prompt(name: str) -> Template:
    return Template(_read(f"{name}.md").strip())


@cache
def schema(name: str) -> dict[str, Any]:
    """The output schema of prompt ``name`` (shared, not copied: treat it as read-only)."""
    data: dict[str, Any] = json.loads(_read(f"{name}.schema.json"))
    return data
