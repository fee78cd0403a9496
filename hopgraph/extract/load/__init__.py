"""Loading documents.

- :mod:`hopgraph.extract.load.files`: files, folders and globs in, documents (or problems) out.
- :mod:`hopgraph.extract.load.markup`: text and title out of HTML, Markdown and PDF.
- :mod:`hopgraph.extract.load.wrapping`: hard-wrapped plain text unwrapped, one line a paragraph.
"""
