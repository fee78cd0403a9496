"""``hopgraph shell``: the interactive Cypher prompt.

    hopgraph shell --graph my-graph [--write]

Statements may span lines; one ends at a line ending in ``;`` or at a blank line. A line that
starts with ``:`` is a shell command (``:help``); inside a statement only the known commands are,
since a line there may start with a ``:Label``. Without a terminal the shell reads statements
from stdin with no prompts, so a script can be piped in.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from hopgraph import __version__
from hopgraph.cli.common import EXIT_ERROR, EXIT_OK, open_graph, positive_int, read_only_message
from hopgraph.cli.limits import DEFAULT_MAX_ROWS, add_timeout_option
from hopgraph.errors import HopGraphError, ReadOnlyError
from hopgraph.render.table import DEFAULT_MAX_WIDTH, format_table, to_json

log = logging.getLogger(__name__)

Runner = Callable[[str, dict[str, Any]], list[dict[str, Any]]]
"""Runs one Cypher statement with parameters and returns its rows."""

HISTORY_FILE_NAME = ".cypher_history"
PROMPT = "cypher> "
CONTINUATION = "   ...> "
HISTORY_LENGTH = 1000
QUIT = (":quit", ":exit", ":q")
COMMANDS = {*QUIT, ":help", ":h", ":?", ":json", ":params"}

HELP = """\
Enter a Cypher statement; end it with ; or a blank line. Statements may span lines.
  :help            this help
  :json            toggle JSON output (now {json})
  :params          show the parameters sent with every statement
  :params {{json}}   set them, e.g. :params {{"name": "Niels Bohr"}}  (use $name in a query)
  :quit, :exit     leave (Ctrl-D too)"""


def _load_readline() -> ModuleType | None:
    try:
        import readline
    except ImportError:  # e.g. Windows without pyreadline
        return None
    return readline


class CypherShell:
    """A read-eval-print loop over ``run``.

    ``interactive`` shows prompts and keeps readline history in ``history_file``; otherwise
    lines are read from ``stdin`` with no prompts (piped input).
    """

    def __init__(
        self,
        run: Runner,
        *,
        stdin: TextIO,
        stdout: TextIO,
        stderr: TextIO,
        interactive: bool,
        history_file: Path | None = None,
        max_width: int = DEFAULT_MAX_WIDTH,
        max_rows: int | None = None,
    ) -> None:
        self.run = run
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.interactive = interactive
        self.history_file = history_file
        self.max_width = max_width
        self.max_rows = max_rows
        self.json_output = False
        self.params: dict[str, Any] = {}
        self.failures = 0
        self._readline = _load_readline() if interactive else None
        self._auto_history = True
        """Whether readline adds every typed line itself (when it cannot be told not to)."""
        self._history_mark = 0

    # -- the loop -------------------------------------------------------------------------------
    def loop(self) -> int:
        """Run until :quit or end of input. Returns 0, or 2 when piped statements failed."""
        self._load_history()
        try:
            self._loop()
        finally:
            self._save_history()
            if not self._auto_history and self._readline is not None:
                self._readline.set_auto_history(True)  # the module is the process's: leave it as found
        return EXIT_ERROR if self.failures and not self.interactive else EXIT_OK

    def _loop(self) -> None:
        buffer: list[str] = []
        while True:
            if not buffer:
                self._history_mark = self._history_length()
            try:
                line = self._read(CONTINUATION if buffer else PROMPT)
            except KeyboardInterrupt:
                if not self.interactive:
                    raise
                self._say("", err=True)  # Ctrl-C drops the statement being typed, like psql
                if buffer:  # ... but the up arrow still recalls it
                    self._remember("\n".join(buffer))
                buffer.clear()
                continue
            if line is None:  # end of input: run what was typed, then leave
                if buffer:
                    self._execute("\n".join(buffer))
                if self.interactive:
                    self._say("")
                return
            stripped = line.strip()
            if stripped.startswith(":") and (not buffer or self._is_command(stripped)):
                self._remember(stripped)
                if not self._command(stripped):
                    return
                continue
            if not stripped:
                if buffer:
                    self._execute("\n".join(buffer))
                    buffer.clear()
                continue
            buffer.append(line)
            if stripped.endswith(";"):
                self._execute("\n".join(buffer))
                buffer.clear()

    def _read(self, prompt: str) -> str | None:
        if self.interactive:
            try:
                return input(prompt)
            except EOFError:
                return None
        line = self.stdin.readline()
        return line.rstrip("\r\n") if line else None

    # -- statements and commands ----------------------------------------------------------------
    def _execute(self, statement: str) -> None:
        query = statement.strip().rstrip(";").strip()
        # remembered and written before it runs: a statement that fails is the one to fix and rerun
        self._remember(statement)
        self._save_history()
        if not query:
            return
        try:
            rows = self.run(query, dict(self.params))
        except ReadOnlyError as exc:
            self._fail(read_only_message(exc, "start the shell with --write to allow writes"))
            return
        except HopGraphError as exc:
            self._fail(str(exc))
            return
        except KeyboardInterrupt:
            if not self.interactive:
                raise
            self._fail("interrupted (the database stops the query at its time limit)")
            return
        total = len(rows)
        if self.max_rows is not None:
            rows = rows[: self.max_rows]
        if self.json_output:
            self._say(to_json(rows, indent=2))
            if total > len(rows):
                self._say(f"(showing {len(rows):,} of {total:,} rows)", err=True)
        else:
            self._say(format_table(rows, max_width=self.max_width, total=total))

    @staticmethod
    def _is_command(line: str) -> bool:
        """Whether ``line`` names a known command (inside a statement, ``:Label`` is Cypher)."""
        return line.partition(" ")[0].lower() in COMMANDS

    def _command(self, line: str) -> bool:
        """Run a ``:command``; False means leave the shell."""
        name, _, arg = line.partition(" ")
        name, arg = name.lower(), arg.strip()
        if name in QUIT:
            return False
        if name in (":help", ":h", ":?"):
            self._say(HELP.format(json="on" if self.json_output else "off"))
        elif name == ":json":
            self.json_output = not self.json_output
            self._say(f"JSON output {'on' if self.json_output else 'off'}")
        elif name == ":params":
            self._set_params(arg)
        else:
            self._fail(f"unknown command {name}; type :help for the list")
        return True

    def _set_params(self, text: str) -> None:
        if text:
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                self._fail(f':params needs a JSON object, e.g. :params {{"name": "Bohr"}} ({exc})')
                return
            if not isinstance(value, dict):
                self._fail(f":params needs a JSON object, got {type(value).__name__}")
                return
            self.params = value
        self._say(f"params: {to_json(self.params)}")

    def _say(self, text: str, *, err: bool = False) -> None:
        stream = self.stderr if err else self.stdout
        stream.write(text + "\n")
        stream.flush()

    def _fail(self, message: str) -> None:
        self.failures += 1
        self._say(f"error: {message}", err=True)

    # -- history --------------------------------------------------------------------------------
    def _load_history(self) -> None:
        rl = self._readline
        if rl is None:
            return
        # the shell adds whole statements itself: readline would add each typed line, and taking
        # a statement's lines out again afterwards depends on the readline library's indexing
        # (libedit differs), which could lose the statement
        if hasattr(rl, "set_auto_history"):
            rl.set_auto_history(False)
            self._auto_history = False
        if self.history_file is None:
            return
        rl.set_history_length(HISTORY_LENGTH)
        try:
            rl.read_history_file(str(self.history_file))
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.debug("cannot read shell history %s: %s", self.history_file, exc)

    def _save_history(self) -> None:
        if self._readline is None or self.history_file is None:
            return
        try:
            self._readline.write_history_file(str(self.history_file))
        except OSError as exc:
            log.debug("cannot write shell history %s: %s", self.history_file, exc)

    def _history_length(self) -> int:
        return self._readline.get_current_history_length() if self._readline is not None else 0

    def _remember(self, text: str) -> None:
        """Add ``text`` (a statement, its lines joined, or a command) as one history entry, so the
        up arrow recalls it whole."""
        rl = self._readline
        entry = " ".join(part.strip() for part in text.splitlines() if part.strip())
        if rl is None or not entry:
            return
        try:
            if self._auto_history:  # readline added the typed lines: replace them by the entry
                for _ in range(self._history_length() - self._history_mark):
                    rl.remove_history_item(self._history_mark)  # 0-based; later items shift down
        except (AttributeError, ValueError) as exc:  # libedit differs: keep its lines and add the entry
            log.debug("cannot collapse shell history: %s", exc)
        finally:
            rl.add_history(entry)
            self._history_mark = self._history_length()


# -- the command --------------------------------------------------------------------------------
def cmd_shell(args: argparse.Namespace) -> int:
    history = Path(args.graph) / HISTORY_FILE_NAME if args.graph else Path.home() / ".hopgraph_history"
    interactive = sys.stdin.isatty()
    with open_graph(args) as hg:

        def run(query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
            return hg.cypher(query, params, write=args.write, timeout_s=args.timeout)

        if interactive:
            mode = "read-write" if args.write else "read-only (start with --write to allow writes)"
            where = args.url or args.graph or "the configured store"
            print(f"hopgraph {__version__} Cypher shell on {where}, {mode}")
            print("End a statement with ; or a blank line. :help for commands, :quit to leave.")
        shell = CypherShell(
            run,
            stdin=sys.stdin,
            stdout=sys.stdout,
            stderr=sys.stderr,
            interactive=interactive,
            history_file=history,
            max_width=args.max_width,
            max_rows=args.limit or DEFAULT_MAX_ROWS,
        )
        return shell.loop()


def register(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add ``shell`` to the ``hopgraph`` command's subparsers."""
    p = sub.add_parser("shell", parents=common, help="interactive Cypher prompt (read-only unless --write)")
    p.add_argument("--write", action="store_true", help="allow statements to change the graph")
    p.add_argument(
        "--max-width", metavar="N", type=positive_int, default=DEFAULT_MAX_WIDTH, help="cell width"
    )
    p.add_argument(
        "--limit", metavar="N", type=positive_int, help=f"print at most N rows (default {DEFAULT_MAX_ROWS:,})"
    )
    add_timeout_option(p)
    p.set_defaults(func=cmd_shell)


__all__ = ["CONTINUATION", "HISTORY_FILE_NAME", "PROMPT", "CypherShell", "Runner", "cmd_shell", "register"]
