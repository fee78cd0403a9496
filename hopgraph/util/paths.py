"""The one rule for files hopgraph writes: their folder must already exist.

hopgraph creates no parent folders for an output file, from the CLI (``--html``, ``export OUT``,
``dump FILE``, ``--out``, ``--json``) or from Python (:func:`hopgraph.render.html.write_html`,
:meth:`hopgraph.api.HopGraph.export`, :meth:`~hopgraph.api.HopGraph.dump`): a missing folder is a
one-line :class:`~hopgraph.errors.ConfigError`, so a typo does not leave folders behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hopgraph.errors import ConfigError


def check_output_file(path: str | os.PathLike[str], option: str) -> Path:
    """``path`` as a :class:`~pathlib.Path` when a file may be written there: its folder exists
    and is writable, and the path is not a folder. Raises a one-line
    :class:`~hopgraph.errors.ConfigError` naming ``option`` (e.g. ``--html``) otherwise."""
    out = Path(path)
    if out.is_dir():
        raise ConfigError(f"{option} {out} is a folder; name a file in it, e.g. {out / 'NAME'}")
    parent = out.parent
    if not parent.exists():
        raise ConfigError(f"{option} {out}: no folder {parent}; create it first (mkdir -p {parent})")
    if not parent.is_dir():
        raise ConfigError(f"{option} {out}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ConfigError(f"{option} {out}: not writable by this user")
    return out


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *, durable: bool = False) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` all at once: a temporary file in the same folder,
    then a rename over ``path``, so a reader or a crash sees the old file or the new, never part
    of one. ``durable``: the data reaches the disk (fsync) before the rename. The temporary file
    is removed when anything fails."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


__all__ = ["check_output_file", "write_atomic"]
