"""Reasoning over the graph: the GNN scorer, its training, and the path reasoner.

- :mod:`hopgraph.reason.graph`: :class:`KBGraph`, a store, subgraph or TSV file as tensors.
- :mod:`hopgraph.reason.gnn`: :class:`HopScorer` (question-conditioned relation attention over
  hops, sparse message passing) and its save/load.
- :mod:`hopgraph.reason.paths`: beam search back from an answer to the topic; :func:`check_path`.
- :mod:`hopgraph.reason.train`: seeded training on resolved questions.
- :mod:`hopgraph.reason.kbqa`: :class:`KBReasoner` (batched answers with paths) and
  :func:`answer_kb_question`, what ``hopgraph ask`` calls on a KB graph.

Nothing here is imported by ``hopgraph`` itself: torch loads only when a reasoner is used.
"""
