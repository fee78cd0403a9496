"""The Cypher store: every :class:`~hopgraph.kg.base.GraphStore` operation written once in Cypher,
over a backend primitive ``_run`` and a :class:`~hopgraph.kg.cypher.dialect.Dialect`.

- :mod:`hopgraph.kg.cypher.store`: ``CypherGraphStore``, the write and read sides together.
- :mod:`hopgraph.kg.cypher.writes`: upserts, mentions, embeddings, merging, deletion, the schema.
- :mod:`hopgraph.kg.cypher.reads`: stats, lookups, neighbourhoods, vector and full-text search, paging.
- :mod:`hopgraph.kg.cypher.rows`: ``RETURN`` clauses and row -> hopgraph type converters.
- :mod:`hopgraph.kg.cypher.parts`: Cypher pieces shared by writes and entity merging.
- :mod:`hopgraph.kg.cypher.entity_merge`: folding an alias entity into its canonical one.
- :mod:`hopgraph.kg.cypher.dialect`: what differs between backends (index DDL, search procedures).
"""
