"""Finding evidence for a question: passages and the entities it mentions.

- :mod:`hopgraph.retrieval.base`: the ``Retriever`` protocol and ``RetrievalOutput``.
- :mod:`hopgraph.retrieval.text`: dense, full-text and BM25 passage retrieval, rank fusion.
- :mod:`hopgraph.retrieval.linking`: which graph entities a question mentions.
- :mod:`hopgraph.retrieval.graph_index`: the entity-passage graph in memory, cached on disk.
- :mod:`hopgraph.retrieval.ppr`: personalized PageRank over that graph (HippoRAG style).
"""
