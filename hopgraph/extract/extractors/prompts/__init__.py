"""Extraction prompts, each ``NAME.txt`` next to the JSON Schema of its answer.

Prompts are ``string.Template`` texts (``$text``, ``$guidance``, ``$entities``, ``$error``).
``triples_given_entities`` and ``gleaning`` answer in the ``triples`` schema.
Files are read on first use and kept.
"""

from __future__ import annotations

from hopgraph.llm.prompt_files import PromptFiles

SCHEMA_OF = {
    "triples": "triples",
    "triples_given_entities": "triples",
    "gleaning": "triples",
    "entities": "entities",
}
_FILES = PromptFiles(__name__, ".txt", SCHEMA_OF)
prompt = _FILES.prompt
schema = _FILES.schema
