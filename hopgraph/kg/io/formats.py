"""Export file formats by suffix (imports nothing heavy: the CLI checks a name before opening a graph)."""

from __future__ import annotations

from pathlib import Path

from hopgraph.errors import ConfigError

EXPORT_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
    ".graphml": "graphml",
}
"""Output suffix -> export format. Each RDF suffix is one ``hopgraph import`` recognises, so an
export can be imported again without naming its format."""

EXPORT_FORMATS = ("turtle", "nt", "xml", "json-ld", "graphml")


def export_format(path: str | Path, format: str | None = None) -> str:
    """The export format for ``path``: its suffix's, which must agree with ``format`` when given.

    An unknown or missing suffix, or one that means another format, is a one-line
    :class:`~hopgraph.errors.ConfigError` listing the valid suffixes (``x.csv`` is not Turtle).
    """
    out = Path(path)
    suffix = out.suffix.lower()
    by_suffix = EXPORT_SUFFIXES.get(suffix)
    if format is not None and format not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format {format!r}: one of {', '.join(EXPORT_FORMATS)}")
    if by_suffix is None:
        wanted = [s for s, f in EXPORT_SUFFIXES.items() if f == format] or list(EXPORT_SUFFIXES)
        what = f"the suffix {suffix!r}" if suffix else "no suffix"
        raise ConfigError(
            f"{out}: {what} names no export format; end the file name in one of {', '.join(wanted)}"
            + ("" if format else f" ({', '.join(f'{s} {f}' for s, f in EXPORT_SUFFIXES.items())})")
        )
    if format is not None and by_suffix != format:
        wanted = [s for s, f in EXPORT_SUFFIXES.items() if f == format]
        raise ConfigError(
            f"{out}: the suffix {suffix} means {by_suffix}, not {format}; "
            f"end the file name in {' or '.join(wanted)}"
        )
    return by_suffix


__all__ = ["EXPORT_FORMATS", "EXPORT_SUFFIXES", "export_format"]
