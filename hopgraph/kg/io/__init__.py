"""A store's graph in and out of other formats.

- :mod:`hopgraph.kg.io.rdf`: RDF (rdflib) to triples, and a store to RDF.
- :mod:`hopgraph.kg.io.export`: the entity graph as a NetworkX multigraph, PyTorch Geometric
  tensors or a GraphML file.
- :mod:`hopgraph.kg.io.dump`: the whole graph (embeddings included) to JSON lines and back.
- :mod:`hopgraph.kg.io.formats`: export formats by file suffix (only those import reads back).
"""
