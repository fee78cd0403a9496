"""README's command-line synopsis, generated from the parser so the two cannot drift apart.

    python -m hopgraph.cli.synopsis              # print it
    python -m hopgraph.cli.synopsis --write README.md

One line per command with every option it takes, except the graph options every command shares
(``--url``, ``--backend``, ``--config``, ``-v``; ``--graph DIR`` is shown first). ``--write``
replaces the text between the ``<!-- synopsis -->`` and ``<!-- /synopsis -->`` markers of the file;
``tests/unit/cli/test_synopsis.py`` checks README.md holds what :func:`synopsis` prints.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

START = "<!-- synopsis -->"
END = "<!-- /synopsis -->"
SHARED = {"help", "graph", "url", "backend", "config", "verbose"}
"""Destinations of the options every command takes (described once, in the text around the synopsis)."""


def _metavar(action: argparse.Action) -> str:
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        return "|".join(str(c) for c in action.choices)
    if isinstance(action.metavar, str):
        return action.metavar
    return action.dest.upper()


def _word(action: argparse.Action) -> str:
    if not action.option_strings:  # positional
        name = _metavar(action)
        if action.nargs == "+":
            return f"{name}..."
        if action.nargs == "*":
            return f"[{name}...]"
        return f"[{name}]" if action.nargs == "?" else name
    flag = max(action.option_strings, key=len)
    takes_value = action.nargs != 0
    text = f"{flag} {_metavar(action)}" if takes_value else flag
    return text if action.required else f"[{text}]"


def _commands(parser: argparse.ArgumentParser, prefix: str) -> Iterator[str]:
    words: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{prefix} {name}")
            return
        if action.dest in SHARED:
            continue
        words.append(_word(action))
    positionals = [w for w in words if not w.startswith(("-", "[-"))]
    options = [w for w in words if w.startswith(("-", "[-"))]
    yield " ".join([prefix, "--graph DIR", *positionals, *options])


def synopsis(parser: argparse.ArgumentParser | None = None) -> str:
    """One line per ``hopgraph`` command, each with its arguments and options."""
    if parser is None:
        from hopgraph.cli.app import build_parser

        parser = build_parser()
    return "\n".join(_commands(parser, "hopgraph")) + "\n"


def readme_block(text: str | None = None) -> str:
    """The synopsis as README.md holds it between the markers: an indented code block."""
    lines = (text if text is not None else synopsis()).splitlines()
    return "\n".join([START, "", *("    " + line for line in lines), "", END])


def replace_block(document: str, block: str) -> str:
    """``document`` with the text from :data:`START` to :data:`END` replaced by ``block``."""
    start, end = document.find(START), document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"no {START} ... {END} markers in the document")
    return document[:start] + block + document[end + len(END) :]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hopgraph.cli.synopsis", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--write", metavar="FILE", help="replace the synopsis between the markers of FILE")
    args = parser.parse_args(argv)
    if args.write is None:
        sys.stdout.write(synopsis())
        return 0
    path = Path(args.write)
    path.write_text(replace_block(path.read_text(encoding="utf-8"), readme_block()), encoding="utf-8")
    print(f"updated the synopsis in {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
