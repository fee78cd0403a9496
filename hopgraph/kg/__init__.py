"""Graph store seam: the GraphStore protocol, its backends and the factory that picks one by name.

- :mod:`hopgraph.kg.base`: the ``GraphStore`` protocol and its result types.
- :mod:`hopgraph.kg.open`: ``open_store``, the backend ``[store] backend`` names (re-exported here).
- :mod:`hopgraph.kg.cypher`: the store written once in Cypher, and the per-backend dialects.
- :mod:`hopgraph.kg.falkordb`: the FalkorDB store, embedded (a graph folder) or remote.
- :mod:`hopgraph.kg.neo4j`: the Neo4j 5 store (optional ``neo4j`` driver).
- :mod:`hopgraph.kg.io`: RDF in and out, dump/restore (JSON lines); NetworkX, PyG and GraphML exports.
- :mod:`hopgraph.kg.canonical`: a store's content in canonical form, to compare two graphs exactly.
- :mod:`hopgraph.kg.content_cache`: cache files keyed by the store's content (graph index, KB graph).
"""

from hopgraph.kg.base import DeleteCounts, GraphStore, WriteCounts
from hopgraph.kg.open import BACKENDS, open_store

__all__ = ["BACKENDS", "DeleteCounts", "GraphStore", "WriteCounts", "open_store"]
