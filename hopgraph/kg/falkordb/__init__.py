"""The FalkorDB backend, hopgraph's default store.

- :mod:`hopgraph.kg.falkordb.store`: ``FalkorDBStore``, embedded (a graph folder) or remote (a URL).
- :mod:`hopgraph.kg.falkordb.server`: the embedded server, a private redis-server with the
  FalkorDB module per graph folder, started and stopped by hopgraph on a unix socket.
"""
