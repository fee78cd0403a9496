"""The entity graph of a store as a NetworkX multigraph or PyTorch Geometric tensors.

Both read through ``store.iter_entities()`` and ``store.iter_relations()`` (paged, so a large
graph is never loaded by one query). Node order is the store's entity order (by id), so two
exports of the same graph index nodes the same way. torch and torch_geometric are imported
only when a PyG export is asked for (``pip install 'hopgraph[gnn]'``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from hopgraph.errors import ConfigError
from hopgraph.kg.base import GraphStore
from hopgraph.kg.io.formats import EXPORT_FORMATS, EXPORT_SUFFIXES, export_format

if TYPE_CHECKING:
    from torch_geometric.data import Data, HeteroData

NODE_TYPE = "entity"
"""The one node type of :meth:`PygExport.hetero`."""


def to_networkx(store: GraphStore) -> nx.MultiDiGraph[str]:
    """Entities as nodes (``name``, ``type``, ``aliases``), relations as edges keyed by type.

    Edge attributes: ``predicate`` (original wording), ``chunk_ids``, ``doc_ids`` (lists) and
    ``confidence``. One edge per stored relationship: the key is its type, or ``TYPE (wording)``
    for a further wording of a type the same two entities already share.
    """
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for entity in store.iter_entities():
        graph.add_node(entity.id, name=entity.name, type=entity.type, aliases=list(entity.aliases))
    for rel in store.iter_relations():
        graph.add_edge(
            rel.source,
            rel.target,
            key=rel.type
            if not graph.has_edge(rel.source, rel.target, key=rel.type)
            else f"{rel.type} ({rel.predicate})",
            predicate=rel.predicate,
            chunk_ids=list(rel.chunk_ids),
            doc_ids=list(rel.doc_ids),
            confidence=rel.confidence,
        )
    return graph


@dataclass(frozen=True)
class GraphExport:
    """What :meth:`hopgraph.HopGraph.export` wrote: the file, its format and the counts."""

    path: Path
    format: str
    entities: int
    relations: int


def write_graphml(store: GraphStore, path: str | Path) -> tuple[int, int]:
    """Write the store's entity graph (:func:`to_networkx`) as GraphML; returns (nodes, edges).

    GraphML holds scalars only, so the list attributes are flattened: an edge's ``chunk_ids`` and
    ``doc_ids`` joined by spaces, a node's ``aliases`` joined by ``|``.
    """
    graph = to_networkx(store)
    for _, _, data in graph.edges(data=True):
        data["chunk_ids"] = " ".join(data["chunk_ids"])
        data["doc_ids"] = " ".join(data["doc_ids"])
    for _, data in graph.nodes(data=True):
        data["aliases"] = "|".join(data["aliases"])
    nx.write_graphml(graph, Path(path))
    return graph.number_of_nodes(), graph.number_of_edges()


def _pyg() -> tuple[Any, Any, Any]:
    try:
        import torch
        from torch_geometric.data import Data, HeteroData
    except ImportError as exc:
        raise ConfigError(
            f"PyTorch Geometric export needs torch and torch_geometric: pip install 'hopgraph[gnn]' ({exc})"
        ) from None
    return torch, Data, HeteroData


@dataclass(frozen=True)
class PygExport:
    """A homogeneous PyG graph of the store plus the maps back to hopgraph ids.

    ``data.edge_index`` is ``[2, E]`` (long), ``data.edge_type`` ``[E]`` (long, an index into
    ``relation_types``), ``data.edge_confidence`` ``[E]`` (float) and ``data.num_nodes`` the
    entity count. ``node_ids[i]`` is the entity id of node ``i``; ``node_index`` the inverse.
    """

    data: Data
    node_ids: list[str]
    node_index: dict[str, int]
    relation_types: list[str]

    @property
    def num_nodes(self) -> int:
        return len(self.node_ids)

    def hetero(self) -> HeteroData:
        """The same graph as HeteroData: node type ``"entity"`` and one edge type per relation type.

        Edge types are ``("entity", TYPE, "entity")`` with ``TYPE`` as in the store
        (e.g. ``DIRECTED_BY``); each carries its ``edge_index`` and ``edge_confidence``.
        """
        _, _, hetero_cls = _pyg()
        out = hetero_cls()
        out[NODE_TYPE].num_nodes = self.num_nodes
        edge_type = self.data.edge_type
        for index, rel_type in enumerate(self.relation_types):
            mask = edge_type == index
            store = out[NODE_TYPE, rel_type, NODE_TYPE]
            store.edge_index = self.data.edge_index[:, mask]
            store.edge_confidence = self.data.edge_confidence[mask]
        return out


def to_pyg(store: GraphStore) -> PygExport:
    """The store's entity graph as a PyG ``Data`` object with its id maps (see :class:`PygExport`)."""
    torch, data_cls, _ = _pyg()
    node_ids = [entity.id for entity in store.iter_entities()]
    node_index = {node_id: i for i, node_id in enumerate(node_ids)}
    sources: list[int] = []
    targets: list[int] = []
    types: list[str] = []
    confidences: list[float] = []
    for rel in store.iter_relations():
        for end in (rel.source, rel.target):
            if end not in node_index:  # an entity written after the node pass began
                node_index[end] = len(node_ids)
                node_ids.append(end)
        sources.append(node_index[rel.source])
        targets.append(node_index[rel.target])
        types.append(rel.type)
        confidences.append(rel.confidence)
    relation_types = sorted(set(types))
    type_index = {name: i for i, name in enumerate(relation_types)}
    data = data_cls(
        edge_index=torch.tensor([sources, targets], dtype=torch.long).reshape(2, -1),
        edge_type=torch.tensor([type_index[t] for t in types], dtype=torch.long),
        edge_confidence=torch.tensor(confidences, dtype=torch.float),
        num_nodes=len(node_ids),
    )
    return PygExport(data=data, node_ids=node_ids, node_index=node_index, relation_types=relation_types)


def to_pyg_hetero(store: GraphStore) -> HeteroData:
    """Shorthand for ``to_pyg(store).hetero()`` (use :func:`to_pyg` when you need the id maps)."""
    return to_pyg(store).hetero()


__all__ = [
    "EXPORT_FORMATS",
    "EXPORT_SUFFIXES",
    "NODE_TYPE",
    "GraphExport",
    "PygExport",
    "export_format",
    "to_networkx",
    "to_pyg",
    "to_pyg_hetero",
    "write_graphml",
]
