"""Prompt files shipped inside a package: ``NAME<suffix>`` (a ``string.Template``) next to the JSON
Schema of its answer, ``NAME.schema.json``. Files are read on first use and kept."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from string import Template
from typing import Any


class PromptFiles:
    """The prompts of one package. ``schema_of`` maps a prompt to the schema it answers in when the
    names differ (several prompts can share one schema)."""

    def __init__(self, package: str, suffix: str, schema_of: Mapping[str, str] | None = None) -> None:
        self.package, self.suffix, self.schema_of = package, suffix, dict(schema_of or {})
        self.prompt = cache(self._prompt)
        self.schema = cache(self._schema)

    def _read(self, name: str) -> str:
        return (resources.files(self.package) / name).read_text(encoding="utf-8")

    def _prompt(self, name: str) -> Template:
        return Template(self._read(f"{name}{self.suffix}").strip())

    def _schema(self, name: str) -> dict[str, Any]:
        """The output schema of prompt ``name`` (shared, not copied: treat it as read-only)."""
        data: dict[str, Any] = json.loads(self._read(f"{self.schema_of.get(name, name)}.schema.json"))
        return data


__all__ = ["PromptFiles"]
