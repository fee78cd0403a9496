"""Answer-generation prompts: ``NAME.md`` (a ``string.Template``) next to ``NAME.schema.json``.

``answer`` takes ``$question``, ``$paths`` and ``$chunks``. Files are read on first use and kept.
"""

from __future__ import annotations

from hopgraph.llm.prompt_files import PromptFiles

_FILES = PromptFiles(__name__, ".md")
prompt = _FILES.prompt
schema = _FILES.schema
