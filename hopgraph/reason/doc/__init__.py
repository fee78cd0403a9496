"""Document-graph QA (``HopGraph.ask`` on an ingested graph): seeds, subgraph, GNN, paths, answer.

- :mod:`hopgraph.reason.doc.pipeline`: ``GraphQA``, the question pipeline, one method per stage.
- :mod:`hopgraph.reason.doc.options`: ``QAOptions``, the methods and the question check (light).
- :mod:`hopgraph.reason.doc.subgraph`: the bounded subgraph as tensors, and the relation table.
- :mod:`hopgraph.reason.doc.scorer`: ``DocScorer``, the zero-shot or trained GNN scorer.
- :mod:`hopgraph.reason.doc.paths`: the beam-search path reasoner; checked, merged paths.
- :mod:`hopgraph.reason.doc.train`: training the scorer on the user's (question, answer) pairs.
- :mod:`hopgraph.reason.doc.generator`: the LLM answer, citing paths and passages.
- :mod:`hopgraph.reason.doc.extractive`: the answer without an LLM: typed candidates, confidence.
- :mod:`hopgraph.reason.doc.answer_types`: what a question asks for, and the type of a candidate.
- :mod:`hopgraph.reason.doc.language`: a note for questions that are not in English.
- :mod:`hopgraph.reason.doc.prompts`: the answer prompt and its schema.
"""
