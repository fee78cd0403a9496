"""Documents to graph: loading, chunking, extraction, entity resolution, resumable jobs, imports.

- :mod:`hopgraph.extract.load`: files, folders and globs to :class:`~hopgraph.types.Document` values.
- :mod:`hopgraph.extract.chunking`: token-aware, sentence-respecting chunks.
- :mod:`hopgraph.extract.extractors`: the Extractor seam; LLM and offline (spaCy) extractors, prompts.
- :mod:`hopgraph.extract.resolution`: which new entity names are an entity already stored.
- :mod:`hopgraph.extract.jobs`: resumable batch ingest jobs, their state, progress and wiring.
- :mod:`hopgraph.extract.importers`: already-extracted triples (TSV, RDF, HippoRAG OpenIE).
- :mod:`hopgraph.extract.embed_graph`: embeddings of the stored chunks (with their titles) and entities.
- :mod:`hopgraph.extract.reembed`: ``hopgraph reembed``, chunk vectors made again with titles (resumable).
"""
