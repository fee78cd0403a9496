"""Showing results to people and programs.

- :mod:`hopgraph.render.text`: an ``Answer`` as text (paths, cited passages) and as JSON.
- :mod:`hopgraph.render.html`: an ``Answer`` as one self-contained HTML page.
- :mod:`hopgraph.render.table`: aligned plain-text tables of query results.
"""
