"""Answering questions over the graph, with reasoning paths checked against the store.

Two pipelines that never import each other, and what they share:

- :mod:`hopgraph.reason.base`: the ``QuestionAnswerer`` protocol ``HopGraph.ask`` delegates to,
  the one path-in-store check (by stored entity ids), the citation labels (``P1``, ``C1``) and
  the scorers' weights-file I/O.
- :mod:`hopgraph.reason.doc`: document-graph QA (an ingested graph): seed linking, a bounded
  subgraph, a GNN scorer, beam-search paths, an LLM or extractive answer.
- :mod:`hopgraph.reason.kb`: knowledge-base QA (a MetaQA-style KB): a trained relation-attention
  GNN over the whole graph, answers traced back to the topic entity.

Nothing here is imported by ``import hopgraph`` except the light ``base`` and ``doc.options``:
torch loads only when a reasoner is used.
"""
