"""Shared fixtures. No test touches the network: the hub is switched off for every test."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hopgraph.embed import SentenceTransformerEmbedder

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
DEMO_KB = ROOT / "data" / "demo" / "science.tsv"


@pytest.fixture
def short_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short temporary folder (unix socket paths must stay under ~107 bytes)."""
    return tmp_path_factory.mktemp("g", numbered=True)


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real embedder (all-MiniLM-L6-v2, offline), one for the whole session.

    The model loads on first use, so a test that needs only the tokenizer does not pay for it.
    Tests must not change its settings: every test that asks for it shares it.
    """
    from hopgraph.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()
