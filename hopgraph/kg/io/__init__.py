"""A store's graph in and out of other formats.

- :mod:`hopgraph.kg.io.rdf`: RDF (rdflib) to triples, and a store to RDF.
- :mod:`hopgraph.kg.io.export`: the entity graph as a NetworkX multigraph or PyTorch Geometric tensors.
"""
