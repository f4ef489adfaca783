"""Counted progress: a bar redrawn in place on a terminal, a line at each tenth elsewhere."""

from __future__ import annotations

import io

import pytest

from headstart.faces.cli.output import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_pipe_gets_a_line_at_each_tenth_not_one_per_partner(monkeypatch):
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    bar = ProgressBar("partners")

    for done in range(1, 1001):
        bar(done, 1000)

    lines = stderr.getvalue().splitlines()
    assert lines == [f"  {n}/1000 partners" for n in range(100, 1001, 100)]


def test_a_terminal_gets_one_bar_redrawn_in_place_ending_with_a_newline(monkeypatch):
    stderr = Terminal()
    monkeypatch.setattr("sys.stderr", stderr)
    bar = ProgressBar("partners")

    for done in range(1, 5):
        bar(done, 4)

    shown = stderr.getvalue()
    assert shown.count("\r") == 4 and shown.endswith("] 4/4 partners\n") and shown.count("\n") == 1
    assert "\r  [" + "#" * 15 + "." * 15 + "] 2/4 partners" in shown


@pytest.mark.parametrize("total", [0, -1])
def test_nothing_to_count_shows_nothing(monkeypatch, total):
    stderr = Terminal()
    monkeypatch.setattr("sys.stderr", stderr)

    ProgressBar("partners")(0, total)

    assert stderr.getvalue() == ""
