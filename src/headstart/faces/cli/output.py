"""How every command reports: a table or sentence for people, one JSON document with --json."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from headstart.faces.present import jsonable


def emit(args: Any, data: Any, text: Callable[[], str] | str) -> None:
    if getattr(args, "json", False):
        json.dump(jsonable(data), sys.stdout, indent=2, sort_keys=False, default=str)
        sys.stdout.write("\n")
    else:
        out = text() if callable(text) else text
        if out:
            print(out)


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    cells = [[str(c) for c in header]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def progress(message: str) -> None:
    """Progress for long work goes to stderr, so stdout stays clean for --json."""
    print(message, file=sys.stderr, flush=True)


class ProgressBar:
    """Counted progress on stderr: a bar redrawn in place on a terminal, else a line at each
    tenth (a log or a pipe gets a few lines, not a thousand). Call it with (done, total)."""

    WIDTH = 30

    def __init__(self, what: str) -> None:
        self.what = what
        self.terminal = sys.stderr.isatty()
        self._shown = 0  # tenths reported so far

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if self.terminal:
            filled = self.WIDTH * done // total
            sys.stderr.write(f"\r  [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total} {self.what}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()
            return
        tenth = 10 * done // total
        if tenth > self._shown:
            self._shown = tenth
            progress(f"  {done}/{total} {self.what}")
