"""``hopgraph serve`` and ``hopgraph mcp``: the graph behind an HTTP API, an OpenAI-compatible chat
endpoint and MCP tools, in one long-lived process that owns the store and keeps the models warm.

- :mod:`hopgraph.serve.service`: what every door does (:class:`GraphService`).
- :mod:`hopgraph.serve.app`: the FastAPI app (REST under ``/v1``, chat, MCP at ``/mcp``, ``/healthz``).
- :mod:`hopgraph.serve.chat`: the OpenAI chat completion format.
- :mod:`hopgraph.serve.mcp_tools`: the MCP tools.
- :mod:`hopgraph.serve.problems`: errors as RFC 9457 problem details.

Only :mod:`hopgraph.cli.serve` imports this package (it needs the ``serve`` extra:
``pip install 'hopgraph[serve]'``).
"""
