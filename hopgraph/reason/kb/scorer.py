"""The GNN scorer: question-conditioned relation attention over hops (TransferNet/NSM-lite).

At hop ``t`` the question gives a softmax attention ``a_t`` over relation types and their inverses
(``2 * R`` slots, plus one unknown-relation slot each way for relation types the model never saw).
Hop ``t``'s query reads the question, the token context of hop ``t - 1``, the relation attention
of hop ``t - 1`` and the topic's relation signature (which slots leave the topic entity: a person
who directs has ``DIRECTED_BY^-1``, a movie ``DIRECTED_BY``), so "who starred movies for the
director [X]" (2 hops from a person) and "... the director of [X]" (3 hops from a movie) are told
apart by the graph as well as by the wording. An entity distribution starting as the topic
entity's one-hot vector flows along every edge, weighted by ``a_t[edge_type]``, summed at the
target and clipped to 1 with a small slope above it (:class:`RelationTransfer`, a torch-geometric
``MessagePassing`` layer): an entity reached along more paths keeps a slightly higher score, which
breaks ties the hard clip left. The topic entity's score is zeroed after every hop:
answers never include the topic itself, and a score that flowed back into it would tie the
topic's own neighbours with the real answers. A learned hop attention mixes the hop outputs into
the final entity scores; the per-hop scores and attentions are kept so the path reasoner
(:mod:`hopgraph.reason.kb.paths`) can trace every answer back to the topic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn
from torch_geometric.nn import MessagePassing

from hopgraph.errors import ConfigError
from hopgraph.reason.base import load_weights, save_weights
from hopgraph.reason.kb.encoder import QuestionEncoder, Vocab
from hopgraph.reason.kb.graph import KBGraph

FORMAT = "hopgraph-hopscorer-2"


@dataclass(frozen=True)
class TransferGraph:
    """A graph's message edges (every stored relation both ways), grouped by (source, slot).

    Message edge ``e < E`` is stored relation ``e`` walked forwards (slot ``i(r)``); ``e >= E`` is
    stored relation ``e - E`` walked backwards (slot ``M + i(r)``), ``M = len(relations) + 1``.
    ``edge_index``/``edge_slot`` are in message-edge order; ``group_ptr``/``group_dst`` list the
    targets of group ``source * num_slots + slot``.
    """

    num_nodes: int
    num_slots: int
    edge_index: torch.Tensor
    edge_slot: torch.Tensor
    group_ptr: torch.Tensor
    group_dst: torch.Tensor

    def slots_of(self, nodes: torch.Tensor) -> torch.Tensor:
        """``[len(nodes), S]`` bool: which relation slots leave each node."""
        groups = nodes.unsqueeze(1) * self.num_slots + torch.arange(self.num_slots)
        return self.group_ptr[groups + 1] > self.group_ptr[groups]


class RelationTransfer(MessagePassing):
    """One hop: ``s = sum over edges u->v of x[b, u] * a[b, slot(edge)]``,
    ``out[b, v] = min(1, s) + slope * max(0, s - 1)``.

    Sparse: a (question, node, relation slot) triple sends messages only when
    ``x[b, u] * a[b, slot]`` exceeds ``threshold``, so a hop costs the edges that carry real
    weight, not ``batch * edges``. Message passing runs on the bipartite graph from those live
    triples to all ``batch * nodes`` (question, node) pairs.
    """

    def __init__(self) -> None:
        super().__init__(aggr="sum", node_dim=0)

    def forward(
        self,
        pairs: torch.Tensor,
        values: torch.Tensor,
        attention: torch.Tensor,
        graph: TransferGraph,
        threshold: float,
        slope: float = 0.0,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``pairs [P]`` flat ``b * N + u`` keys with ``values [P]``; ``attention [B, S]``.
        Returns the reached pairs (sorted keys) and their scores, clipped to 1 (``slope`` above)."""
        n, slots = graph.num_nodes, graph.num_slots
        row, node = pairs // n, pairs % n
        weight = values.unsqueeze(1) * attention[row]  # [P, S]
        live_pair, live_slot = torch.nonzero(weight.detach() > threshold, as_tuple=True)
        group = node[live_pair] * slots + live_slot
        start = graph.group_ptr[group]
        degree = graph.group_ptr[group + 1] - start
        source = torch.repeat_interleave(torch.arange(group.numel()), degree)
        offset = torch.arange(source.numel()) - (torch.cumsum(degree, 0) - degree)[source]
        target = row[live_pair][source] * n + graph.group_dst[start[source] + offset]
        keys, inverse = torch.unique(target, return_inverse=True)
        out: torch.Tensor = self.propagate(
            torch.stack([source, inverse]),
            x=weight[live_pair, live_slot].unsqueeze(-1),
            size=(group.numel(), keys.numel()),
        )
        out = out.squeeze(-1)
        return keys, out.clamp(max=1.0) + slope * (out - 1.0).clamp(min=0.0)

    def message(self, x_j: torch.Tensor) -> torch.Tensor:
        return x_j


@dataclass(frozen=True)
class ReasonerConfig:
    """Everything needed to rebuild the model (saved with the weights)."""

    relations: tuple[str, ...]
    """Relation types (store names, e.g. ``DIRECTED_BY``) the relation attention ranges over."""
    hops: int = 3
    dim: int = 128
    hidden: int = 128
    dropout: float = 0.1
    threshold: float = 1e-3
    """A score times a relation's attention at or below this does not spread along that relation."""
    clip_slope: float = 0.01
    """Slope of a hop's score above 1 (0: hard clip at 1)."""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["relations"] = list(self.relations)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReasonerConfig:
        known = {"relations", "hops", "dim", "hidden", "dropout", "threshold", "clip_slope", "extra"}
        unknown = set(data) - known
        if unknown:
            raise ConfigError(f"unknown reasoner config keys {sorted(unknown)}; valid: {sorted(known)}")
        return cls(**{**data, "relations": tuple(data["relations"])})


@dataclass
class ScorerOutput:
    """Scores of one batch, sparse: ``keys`` are sorted flat ``b * N + node`` indices with their
    ``scores`` (absent pairs score 0). ``hop_keys``/``hop_scores`` hold each hop's scores before
    mixing; ``relation_attention [T, B, 2M]``, ``hop_attention [B, T]``."""

    num_nodes: int
    keys: torch.Tensor
    scores: torch.Tensor
    hop_keys: list[torch.Tensor]
    hop_scores: list[torch.Tensor]
    relation_attention: torch.Tensor
    hop_attention: torch.Tensor

    def dense(self) -> torch.Tensor:
        """Scores as a dense ``[B, N]`` tensor (small graphs and tests)."""
        batch = self.hop_attention.shape[0]
        out = torch.zeros(batch * self.num_nodes, dtype=self.scores.dtype)
        out = out.index_put((self.keys,), self.scores)
        return out.view(batch, self.num_nodes)

    def squared_error(self, answers: list[list[int]]) -> torch.Tensor:
        """Mean over questions of ``sum over nodes (score - gold)^2`` with multi-hot gold answers."""
        n = self.num_nodes
        gold = torch.tensor([b * n + a for b, nodes in enumerate(answers) for a in nodes], dtype=torch.long)
        at_gold = torch.zeros(gold.numel(), dtype=self.scores.dtype)
        if self.keys.numel():
            pos = torch.searchsorted(self.keys, gold).clamp(max=self.keys.numel() - 1)
            at_gold = torch.where(self.keys[pos] == gold, self.scores[pos], at_gold)
        total = (self.scores**2).sum() + (1.0 - 2.0 * at_gold).sum()
        return total / max(1, len(answers))


class HopScorer(nn.Module):
    """Question encoder + topic signature + per-hop relation attention + :class:`RelationTransfer`."""

    def __init__(self, config: ReasonerConfig, vocab: Vocab) -> None:
        super().__init__()
        self.config = config
        self.vocab = vocab
        self.num_slots = len(config.relations) + 1  # + unknown relation
        self.encoder = QuestionEncoder(len(vocab), config.dim, config.hidden, config.dropout)
        width, slots = self.encoder.out_dim, 2 * self.num_slots
        # hop t's query: [question, topic signature, hop t-1 token context, hop t-1 relation attention]
        self.hop_query = nn.ModuleList(nn.Linear(3 * width + slots, width) for _ in range(config.hops))
        self.relation_head = nn.Linear(2 * width, slots)
        self.topic_proj = nn.Linear(slots, width)
        self.hop_head = nn.Linear(2 * width, config.hops)
        self.transfer = RelationTransfer()

    # -- graph to model relation slots ----------------------------------------------------------
    def prepare(self, graph: KBGraph) -> TransferGraph:
        """The graph's message edges with their relation slots (see :class:`TransferGraph`);
        relation types the model never saw share the unknown slot."""
        index = {name: i for i, name in enumerate(self.config.relations)}
        unknown = self.num_slots - 1
        slot_of = torch.tensor([index.get(t, unknown) for t in graph.relation_types] or [0], dtype=torch.long)
        fwd = slot_of[graph.rel]
        edge_index = torch.stack([torch.cat([graph.src, graph.dst]), torch.cat([graph.dst, graph.src])])
        edge_slot = torch.cat([fwd, fwd + self.num_slots])
        slots = 2 * self.num_slots
        key = edge_index[0] * slots + edge_slot
        order = torch.argsort(key, stable=True)
        counts = torch.bincount(key, minlength=graph.num_nodes * slots)
        ptr = torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(counts, 0)])
        return TransferGraph(graph.num_nodes, slots, edge_index, edge_slot, ptr, edge_index[1][order])

    # -- scoring --------------------------------------------------------------------------------
    def attend(
        self, ids: torch.Tensor, lengths: torch.Tensor, topic_slots: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(relation attention [T, B, 2M], hop attention [B, T])`` for a batch of questions.

        ``topic_slots [B, 2M]`` (bool: the relation slots that leave each topic entity) is the
        topic's signature fed to every hop query and to the hop attention, and limits the first
        hop's attention to those slots: the first step cannot be wasted on a relation the topic
        lacks (which also keeps "who directed [movie]" and "films directed by [person]" apart early
        in training, when the encoder cannot yet tell the direction). None: no signature, no mask."""
        states, question, mask = self.encoder(ids, lengths)
        batch, slots = ids.shape[0], 2 * self.num_slots
        signature = topic_slots.float() if topic_slots is not None else torch.zeros(batch, slots)
        base = torch.cat([question, torch.tanh(self.topic_proj(signature))], dim=-1)
        context = torch.zeros_like(question)
        previous = torch.zeros(batch, slots)
        attention = []
        for t, layer in enumerate(self.hop_query):
            query = torch.tanh(layer(torch.cat([base, context, previous], dim=-1)))
            logits = (states @ query.unsqueeze(-1)).squeeze(-1).masked_fill(~mask, float("-inf"))
            alpha = torch.softmax(logits, dim=-1)
            context = (alpha.unsqueeze(-1) * states).sum(1)
            relation_logits = self.relation_head(torch.cat([context, query], -1))
            if t == 0 and topic_slots is not None:
                allowed = topic_slots | ~topic_slots.any(dim=1, keepdim=True)  # no edges: leave unmasked
                relation_logits = relation_logits.masked_fill(~allowed, float("-inf"))
            previous = torch.softmax(relation_logits, dim=-1)
            attention.append(previous)
        return torch.stack(attention), torch.softmax(self.hop_head(base), dim=-1)

    def forward(
        self, ids: torch.Tensor, lengths: torch.Tensor, topics: torch.Tensor, graph: TransferGraph
    ) -> ScorerOutput:
        """Score every node for each question; ``topics [B]`` are node indices (one per question)."""
        relation_attention, hop_attention = self.attend(ids, lengths, graph.slots_of(topics))
        batch, n = topics.shape[0], graph.num_nodes
        rows = torch.arange(batch)
        pairs = rows * n + topics
        values = torch.ones(batch, dtype=relation_attention.dtype)
        hop_keys: list[torch.Tensor] = []
        hop_scores: list[torch.Tensor] = []
        for t in range(self.config.hops):
            # the first hop spreads along every relation of the topic (few edges), so no relation the
            # question needs is ever cut off from its gradient; later hops drop negligible flows
            threshold = 0.0 if t == 0 else self.config.threshold
            slope = self.config.clip_slope
            keys, x = self.transfer(pairs, values, relation_attention[t], graph, threshold, slope)
            keep = (keys % n) != topics[keys // n]  # the topic never scores
            pairs, values = keys[keep], x[keep]
            hop_keys.append(pairs)
            hop_scores.append(values)
        all_keys = torch.cat(hop_keys)
        weights = torch.cat(
            [v * hop_attention[k // n, t] for t, (k, v) in enumerate(zip(hop_keys, hop_scores, strict=True))]
        )
        keys, inverse = torch.unique(all_keys, return_inverse=True)
        scores = torch.zeros(keys.numel(), dtype=weights.dtype).index_add(0, inverse, weights)
        return ScorerOutput(n, keys, scores, hop_keys, hop_scores, relation_attention, hop_attention)


def save_scorer(model: HopScorer, path: str, meta: dict[str, Any] | None = None) -> None:
    """Weights, vocabulary and config in one file (loadable with ``weights_only=True``)."""
    fields = {
        "config": model.config.to_dict(),
        "vocab": list(model.vocab.tokens),
        "state_dict": model.state_dict(),
    }
    save_weights(path, FORMAT, fields, meta)


def load_scorer(path: str) -> tuple[HopScorer, dict[str, Any]]:
    """The model saved by :func:`save_scorer` (in eval mode) and its ``meta``."""
    payload = load_weights(path, FORMAT, what="scorer", train="hopgraph train metaqa")
    model = HopScorer(ReasonerConfig.from_dict(payload["config"]), Vocab(tuple(payload["vocab"])))
    model.load_state_dict(payload["state_dict"])
    model.eval()
    return model, dict(payload.get("meta", {}))
