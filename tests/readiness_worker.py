"""The real `headstart worker` (django_tasks_db's Worker, through headstart's Runner) run in the
test's process and transaction, for the readiness tests: `worker()` runs every queued task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def worker(monkeypatch) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    """One pass of the worker against the test database. Between tasks the worker drops stale
    connections, which would close the test's connection inside its transaction: that
    housekeeping is left out here (tests/faces/cli runs the worker process untouched)."""
    from django_tasks_db.management.commands import db_worker

    from headstart.apps.notifications import runner

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(runner, "close_old_connections", lambda: None)
    return lambda: runner.Runner().run_pass()
