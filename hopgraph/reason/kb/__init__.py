"""Knowledge-base QA (MetaQA-style KBs): a trained relation-attention GNN over the whole graph.

- :mod:`hopgraph.reason.kb.answerer`: ``KBReasoner`` and ``KBQuestionAnswerer`` (answers with paths).
- :mod:`hopgraph.reason.kb.graph`: ``KBGraph``, the store's entity graph as tensors (cached).
- :mod:`hopgraph.reason.kb.questions`: questions resolved against the graph; the seeded split.
- :mod:`hopgraph.reason.kb.encoder`: question tokens and the trainable question encoder.
- :mod:`hopgraph.reason.kb.scorer`: ``HopScorer`` and its weights file (bundled: ``weights/metaqa.pt``).
- :mod:`hopgraph.reason.kb.paths`: tracing an answer back to the topic entity.
- :mod:`hopgraph.reason.kb.relax`: loosened relation sequences when the best one reaches nothing.
- :mod:`hopgraph.reason.kb.rank`: how answers are ordered.
- :mod:`hopgraph.reason.kb.train`: seeded training and batched prediction.
"""
