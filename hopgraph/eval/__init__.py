"""Benchmarks of retrieval and reasoning: datasets, metrics, runners.

- :mod:`hopgraph.eval.qa_data`: MuSiQue and HotpotQA question files as ``QAItem`` values.
- :mod:`hopgraph.eval.gold`: gold passages to the graph's document ids.
- :mod:`hopgraph.eval.retrieval`: recall@k, EM/F1 and latency per method of a ``Retriever``.
- :mod:`hopgraph.eval.answer_metrics`: SQuAD exact match and token F1.
- :mod:`hopgraph.eval.metaqa`: MetaQA question files and Hits@1 of a KB reasoner.
- :mod:`hopgraph.eval.abstention`: precision by coverage, and a confidence threshold chosen by
  cross-validation.
- :mod:`hopgraph.eval.typed_answers`: the typed-answer check set (``data/typed/``) and its score.
"""
