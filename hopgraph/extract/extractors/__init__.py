"""The Extractor seam: a chunk in, validated triples with provenance out.

- :mod:`hopgraph.extract.extractors.base`: ``Extractor`` / ``AsyncExtractor`` protocols, ``Extraction``.
- :mod:`hopgraph.extract.extractors.llm`: the LLM extractor (one or two passes, gleaning, repair).
- :mod:`hopgraph.extract.extractors.offline`: the spaCy extractor used when no LLM is configured.
- :mod:`hopgraph.extract.extractors.svo`: dependency-parse relation patterns (the offline core).
- :mod:`hopgraph.extract.extractors.validation`: model output to grounded, validated triples.
- :mod:`hopgraph.extract.extractors.prompts`: the extraction prompts, each next to its schema.
"""
