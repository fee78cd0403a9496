"""Import of triples extracted elsewhere.

- :mod:`hopgraph.extract.importers.triples`: TSV and RDF files, and the driver writing them to a store.
- :mod:`hopgraph.extract.importers.openie`: HippoRAG OpenIE output (a corpus plus its triples).
"""
