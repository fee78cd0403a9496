"""Small shared helpers with no hopgraph dependencies (but :mod:`hopgraph.errors`); every other
package may use them.

- :mod:`hopgraph.util.text`: one-line excerpts (renderers, answer prompts), first-seen
  ``unique``, ``search_terms`` (the words a full-text query or entity linking looks for).
- :mod:`hopgraph.util.stopwords`: the one English stopword list and the narrower sets drawn from it.
- :mod:`hopgraph.util.batching`: batches of an iterable.
- :mod:`hopgraph.util.processes`: process liveness (job rows, server pid files).
- :mod:`hopgraph.util.paths`: the one rule for output files (their folder must exist).
- :mod:`hopgraph.util.progress`: the logger of progress lines of one-time work (cache builds).
"""
