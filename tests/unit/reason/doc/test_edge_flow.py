"""EdgeFlow computes what torch-geometric's MessagePassing computed for it: same scores, same
gradients, bit for bit (it no longer imports torch-geometric, whose import costs seconds)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pyg_nn = pytest.importorskip("torch_geometric.nn")

from hopgraph.errors import ConfigError  # noqa: E402
from hopgraph.reason.doc.scorer import EdgeFlow  # noqa: E402


class PygFlow(pyg_nn.MessagePassing):  # type: ignore[misc]
    """The layer EdgeFlow replaced, as it was."""

    def __init__(self, aggr: str) -> None:
        super().__init__(aggr=aggr, node_dim=0)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        out = self.propagate(edge_index, x=x.unsqueeze(-1), weight=weight.unsqueeze(-1), size=(n, n))
        return out.squeeze(-1)

    def message(self, x_j: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return x_j * weight


@pytest.mark.parametrize("aggr", ["max", "sum"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_edge_flow_matches_the_pyg_layer(aggr: str, seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    n, e = 40, 150
    edge_index = torch.randint(0, n, (2, e), generator=gen)
    edge_index[1, :5] = 0  # a node with several incoming edges; some nodes get none
    for layer_out in (EdgeFlow(aggr), PygFlow(aggr)):
        assert not list(layer_out.parameters())  # nothing to load: weights files are unchanged
    x1 = torch.rand(n, generator=gen).requires_grad_()
    w1 = torch.rand(e, generator=gen).requires_grad_()
    x2, w2 = x1.detach().clone().requires_grad_(), w1.detach().clone().requires_grad_()
    ours, theirs = EdgeFlow(aggr)(x1, edge_index, w1), PygFlow(aggr)(x2, edge_index, w2)
    assert torch.equal(ours, theirs)
    (ours * torch.arange(n)).sum().backward()
    (theirs * torch.arange(n)).sum().backward()
    assert x1.grad is not None and w1.grad is not None
    assert torch.equal(x1.grad, x2.grad) and torch.equal(w1.grad, w2.grad)


def test_unknown_aggregation_is_refused() -> None:
    with pytest.raises(ConfigError, match="aggr"):
        EdgeFlow("mean")
