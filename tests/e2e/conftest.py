"""Fixtures for end-to-end tests: a scripted OpenAI-protocol server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers.openai_server import ScriptedOpenAIServer


@pytest.fixture
def openai_server() -> Iterator[ScriptedOpenAIServer]:
    """A running :class:`ScriptedOpenAIServer`; script it with ``openai_server.script(Reply...)``."""
    with ScriptedOpenAIServer() as server:
        yield server
