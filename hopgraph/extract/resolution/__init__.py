"""Entity resolution: each new entity name mapped to a canonical entity before triples are stored.

- :mod:`hopgraph.extract.resolution.resolver`: ``EntityResolver`` (exact keys, aliases, vectors).
- :mod:`hopgraph.extract.resolution.names`: name keys, type compatibility, the guards that veto a merge.
"""
