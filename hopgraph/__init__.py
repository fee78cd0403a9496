"""hopgraph: documents in, a knowledge graph out, multi-hop answers with checkable reasoning paths."""

from hopgraph.api import HopGraph
from hopgraph.config import Settings, load_settings
from hopgraph.errors import HopGraphError
from hopgraph.extract.jobs.options import IngestOptions
from hopgraph.reason.doc.options import QAOptions
from hopgraph.types import (
    Answer,
    Chunk,
    Document,
    Entity,
    GraphStats,
    Hop,
    ReasoningPath,
    Relation,
    Subgraph,
    Triple,
)

__all__ = [
    "Answer",
    "Chunk",
    "Document",
    "Entity",
    "GraphStats",
    "Hop",
    "HopGraph",
    "HopGraphError",
    "IngestOptions",
    "QAOptions",
    "ReasoningPath",
    "Relation",
    "Settings",
    "Subgraph",
    "Triple",
    "load_settings",
]
__version__ = "0.1.0"
