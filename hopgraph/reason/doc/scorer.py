"""GNN scorer for document graphs: question-conditioned, hop-wise relation attention.

Node scores start at the seeds' weights and flow along every stored relation, both ways, for
``hops`` hops. At hop ``t`` the query ``q_t`` (the question vector at ``t = 0``, projected by a
per-hop low-rank residual map that is the identity until trained) scores every message edge from
its predicate vector, optionally the vector of the node it leads to (``far_weight``) and a
per-hop direction bias::

    s_t(e) = q_t . p(e) + far_weight * q_t . v(far end) + bias_t[direction]
    a_t(e) = exp((s_t(e) - max(best live s_t, stop)) / temperature)        in 0..1

so at each hop the best-matching relation leaving the nodes reached so far weighs 1, unless even
it matches the query less than ``stop`` (then every edge weighs little and paths stop growing),
and the rest fall off with their distance to it. ``x_{t+1}[v] = aggr_u x_t[u] * a_t(u -> v)``
(``max``: the best path product, as the path reasoner scores paths; ``sum``: clipped at 1),
computed by :class:`EdgeFlow` (torch-geometric's max/sum message passing). The query then loses
its component along what the hop attended, ``q_{t+1} = q_t - query_update * (q_t . m) m`` with
``m`` the flow-weighted mean predicate vector (normalised), so the next hop looks for a different
relation; the query is not renormalised, so a question whose relations are used up matches
nothing at the next hop (renormalising would amplify what is left, noise, into a match).
Node scores are ``max_t gamma_t * x_t`` (``gamma = 1`` untrained). With no weights file the model
is zero-shot; :func:`save_doc_scorer` / :func:`load_doc_scorer` keep the few trainable parameters
in a small tagged file.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from hopgraph.errors import ConfigError
from hopgraph.reason.base import load_weights, save_weights
from hopgraph.reason.doc.subgraph import ScoringGraph

FORMAT = "hopgraph-docscorer-1"
_LIVE = 1e-6


class EdgeFlow(nn.Module):
    """One hop: ``out[v] = aggr over message edges u -> v of x[u] * weight[edge]`` (0 where none).

    The message passing of torch-geometric's ``MessagePassing(aggr=..., node_dim=0)`` with this
    message, written with the same torch scatter operations it runs on the CPU (``scatter_reduce_``
    ``amax`` without the initial values, ``scatter_add_``), so scores and gradients are the same
    (``tests/unit/reason/doc/test_edge_flow.py`` checks it against the PyG layer); torch-geometric
    is not imported for it, whose package import costs seconds (datasets, its LLM module,
    transformers, torch._dynamo) on every ``hopgraph ask``.
    """

    def __init__(self, aggr: str = "max") -> None:
        super().__init__()
        if aggr not in ("max", "sum"):
            raise ConfigError(f"aggr must be 'max' or 'sum', got {aggr!r}")
        self.aggr = aggr

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        messages = x[edge_index[0]] * weight
        out = messages.new_zeros(x.shape[0])
        if self.aggr == "max":
            return out.scatter_reduce_(0, edge_index[1], messages, reduce="amax", include_self=False)
        return out.scatter_add_(0, edge_index[1], messages)


@dataclass(frozen=True)
class DocScorerConfig:
    """Everything needed to rebuild the scorer (saved with its weights)."""

    dim: int = 384
    hops: int = 3
    rank: int = 16
    """Rank of each hop's residual query projection (0: no projection)."""
    temperature: float = 0.05
    stop: float = 0.25
    """A hop's attention is relative to its best live edge, or to this similarity when that is
    lower: where no relation matches the (remaining) query, every edge weighs little."""
    far_weight: float = 0.0
    query_update: float = 1.0
    aggr: str = "max"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.aggr not in ("max", "sum"):
            raise ConfigError(f"aggr must be 'max' or 'sum', got {self.aggr!r}")
        if self.hops < 1 or self.dim < 1 or self.rank < 0 or self.temperature <= 0:
            raise ConfigError("hops and dim must be >= 1, rank >= 0 and temperature > 0")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocScorerConfig:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ConfigError(f"unknown doc scorer config keys {sorted(unknown)}; valid: {sorted(known)}")
        return cls(**data)


@dataclass
class ScoredGraph:
    """The scorer's output for one question. Message edge ``m < E`` is stored edge ``m`` walked
    forwards, ``m >= E`` stored edge ``m - E`` walked backwards.

    ``node_scores [N]``, ``edge_scores [E]`` (max over hops and directions of the attention),
    ``hop_node_scores [T + 1, N]`` (row 0: seed weights), ``hop_attention [T, 2E]``,
    ``queries [T, d]`` (the query of each hop), ``question [d]`` (the question vector, unit length,
    before any learned projection)."""

    node_scores: torch.Tensor
    edge_scores: torch.Tensor
    hop_node_scores: torch.Tensor
    hop_attention: torch.Tensor
    queries: torch.Tensor
    question: torch.Tensor


def message_edges(graph: ScoringGraph) -> tuple[torch.Tensor, torch.Tensor]:
    """``(edge_index [2, 2E], direction [2E])``: every stored edge forwards, then backwards."""
    ei = graph.edge_index
    both = torch.cat([ei, ei.flip(0)], dim=1)
    direction = torch.cat(
        [torch.zeros(ei.shape[1], dtype=torch.long), torch.ones(ei.shape[1], dtype=torch.long)]
    )
    return both, direction


class DocScorer(nn.Module):
    """See the module docstring. ``forward(graph, question_vector, hops=None) -> ScoredGraph``."""

    def __init__(self, config: DocScorerConfig | None = None) -> None:
        super().__init__()
        self.config = config or DocScorerConfig()
        c = self.config
        self.down = nn.Parameter(torch.zeros(c.hops, c.rank, c.dim))
        self.up = nn.Parameter(
            torch.randn(c.hops, c.dim, c.rank, generator=torch.Generator().manual_seed(0)) * 0.1
        )
        self.log_temperature = nn.Parameter(torch.tensor(math.log(c.temperature)))
        self.stop = nn.Parameter(torch.tensor(float(c.stop)))
        self.far_weight = nn.Parameter(torch.tensor(float(c.far_weight)))
        self.query_update = nn.Parameter(torch.tensor(float(c.query_update)))
        self.direction_bias = nn.Parameter(torch.zeros(c.hops, 2))
        self.hop_logits = nn.Parameter(torch.zeros(c.hops))
        self.flow = EdgeFlow(c.aggr)

    def _query(self, t: int, q: torch.Tensor) -> torch.Tensor:
        return q + self.up[t] @ (self.down[t] @ q) if self.config.rank else q

    def forward(self, graph: ScoringGraph, question_vector: Any, hops: int | None = None) -> ScoredGraph:
        c = self.config
        hops = c.hops if hops is None else min(int(hops), c.hops)
        q = torch.as_tensor(question_vector, dtype=torch.float32).flatten()
        if q.numel() != c.dim or (graph.num_nodes and graph.node_vectors.shape[1] != c.dim):
            raise ConfigError(
                f"the scorer expects {c.dim}-d vectors, got a {q.numel()}-d question and "
                f"{graph.node_vectors.shape[1]}-d entity vectors: use the embedder it was trained with"
            )
        q = q / q.norm().clamp(min=1e-12)
        question = q
        n, e = graph.num_nodes, graph.num_edges
        edge_index, direction = message_edges(graph)
        far = edge_index[1]
        pred = torch.cat([graph.edge_predicate, graph.edge_predicate])
        temperature = self.log_temperature.exp()
        gamma = 2.0 * torch.sigmoid(self.hop_logits)
        x = graph.seed_weights.clone()
        hop_scores = [x]
        attention: list[torch.Tensor] = []
        queries: list[torch.Tensor] = []
        best = torch.zeros(n)
        for t in range(hops):
            query = self._query(t, q)
            queries.append(query)
            if e == 0:
                attention.append(torch.zeros(0))
                x = torch.zeros(n)
                hop_scores.append(x)
                continue
            logit = (graph.predicate_vectors @ query)[pred]
            if self.training or float(self.far_weight.detach()) != 0.0:
                logit = logit + self.far_weight * (graph.node_vectors @ query)[far]
            logit = logit + self.direction_bias[t][direction]
            live = x.detach()[edge_index[0]] > _LIVE
            top = logit.detach()[live].max() if bool(live.any()) else logit.detach().max()
            a = torch.exp(((logit - torch.maximum(top, self.stop)) / temperature).clamp(max=0.0))
            attention.append(a)
            flow = x[edge_index[0]] * a
            nxt = self.flow(x, edge_index, a)
            if c.aggr == "sum":
                nxt = nxt.clamp(max=1.0)
            # the next query moves away from the relations this hop used
            weight = flow.detach()
            if float(weight.sum()) > 0:
                mean = (weight.unsqueeze(1) * graph.predicate_vectors[pred]).sum(0)
                mean = mean / mean.norm().clamp(min=1e-12)
                q = q - self.query_update * (q @ mean) * mean
            x = nxt
            hop_scores.append(x)
            best = torch.maximum(best, gamma[t] * x)
        stacked = torch.stack(attention) if e else torch.zeros(hops, 0)
        edge_scores = stacked.view(hops, 2, e).amax(dim=(0, 1)) if e else torch.zeros(0)
        return ScoredGraph(
            node_scores=best,
            edge_scores=edge_scores,
            hop_node_scores=torch.stack(hop_scores),
            hop_attention=stacked,
            queries=torch.stack(queries),
            question=question,
        )


def save_doc_scorer(model: DocScorer, path: str | Path, meta: dict[str, Any] | None = None) -> None:
    """Config, trainable parameters and ``meta`` in one file (loadable with ``weights_only=True``)."""
    save_weights(path, FORMAT, {"config": model.config.to_dict(), "state_dict": model.state_dict()}, meta)


def load_doc_scorer(path: str | Path) -> tuple[DocScorer, dict[str, Any]]:
    """The scorer saved by :func:`save_doc_scorer` (in eval mode) and its ``meta``."""
    payload = load_weights(path, FORMAT, what="doc scorer", train="hopgraph train qa")
    model = DocScorer(DocScorerConfig.from_dict(payload["config"]))
    model.load_state_dict(payload["state_dict"])
    model.eval()
    return model, dict(payload.get("meta", {}))
