"""Reasoning over the graph: the GNN scorer, its training, and the path reasoner.

- :mod:`hopgraph.reason.kb.graph`: :class:`KBGraph`, a store, subgraph or TSV file as tensors.
- :mod:`hopgraph.reason.kb.scorer`: :class:`HopScorer` (question-conditioned relation attention over
  hops, sparse message passing) and its save/load.
- :mod:`hopgraph.reason.kb.paths`: beam search back from an answer to the topic; :func:`check_path`.
- :mod:`hopgraph.reason.kb.train`: seeded training on resolved questions.
- :mod:`hopgraph.reason.kb.relax`: when a KB question's best relation sequence reaches nothing (a
  missing triple), the first loosened sequence that reaches something.
- :mod:`hopgraph.reason.kb.rank`: how a KB question's answers are ordered (revisits demoted,
  ties to the random-walk mass of the best relation sequence, then the lowest entity id).
- :mod:`hopgraph.reason.kb.answerer`: :class:`KBReasoner` (batched answers with paths) and
  :func:`answer_kb_question`, what ``hopgraph ask`` calls on a KB graph.

Document graphs (``HopGraph.ask``):

- :mod:`hopgraph.reason.doc.pipeline`: :class:`GraphQA`, the question pipeline (options in ``qa_options``).
- :mod:`hopgraph.reason.doc.subgraph`: a subgraph as tensors (:class:`ScoringGraph`) and the in-memory
  relation table it is cut from.
- :mod:`hopgraph.reason.doc.scorer`: :class:`DocScorer`, the zero-shot or trained GNN scorer.
- :mod:`hopgraph.reason.doc.paths`: beam-search path reasoner, checked and merged paths.
- :mod:`hopgraph.reason.doc.train`: ``hopgraph train qa``.
- :mod:`hopgraph.reason.doc.generator`: LLM answers citing paths and chunks.
- :mod:`hopgraph.reason.doc.extractive`: the answer without an LLM, from the best-supported paths.

Nothing here is imported by ``hopgraph`` itself: torch loads only when a reasoner is used.
"""
