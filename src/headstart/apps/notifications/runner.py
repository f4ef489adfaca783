"""The background worker: sweep, then run every queued task that is due, then wait.

`headstart worker` is a thin face over `Runner`. The queue is django-tasks' database backend
(django_tasks_db); its Worker claims each task row under a lock, so several workers may run
side by side, and a notification is claimed again under its own lock before any mail goes out.
"""

from __future__ import annotations

import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, close_old_connections
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from headstart.apps.notifications.services import SweepReport, sweep


class _CountingWorker(Worker):
    """django_tasks_db's worker, noting what each task returned (our tasks return an outcome)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outcomes: Counter[str] = Counter()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status == TaskResultStatus.SUCCESSFUL:
            self.outcomes[str(db_task_result.return_value)] += 1
        else:
            self.outcomes["task-error"] += 1


@dataclass
class PassReport:
    sweep: SweepReport
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def tasks(self) -> int:
        return sum(self.outcomes.values())

    @property
    def eventful(self) -> bool:
        return bool(self.tasks or any(self.sweep.as_dict().values()))

    def as_dict(self) -> dict[str, Any]:
        return {"sweep": self.sweep.as_dict(), "tasks": dict(sorted(self.outcomes.items()))}

    def summary(self) -> str:
        s = self.sweep
        done = (
            ", ".join(f"{count} {outcome}" for outcome, count in sorted(self.outcomes.items()))
            or "nothing to send"
        )
        return (
            f"sweep: {s.created} new, {s.revived} revived, {s.superseded} superseded, {s.requeued} requeued; "
            f"tasks: {done}"
        )


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[-64:]


class Runner:
    """Runs passes until stopped. `stop()` (from a signal handler) lets the current task finish."""

    def __init__(self, *, max_tasks: int | None = None, worker_id: str | None = None) -> None:
        self.max_tasks = max_tasks
        self.worker_id = worker_id or default_worker_id()
        self.tasks_run = 0
        self._stopping = False  # a plain flag: stop() runs inside signal handlers
        self._worker: _CountingWorker | None = None

    @property
    def stopping(self) -> bool:
        return self._stopping

    def stop(self) -> None:
        self._stopping = True
        if self._worker is not None:
            self._worker.running = False  # finish the task in hand, take no other

    def run_pass(self) -> PassReport:
        """One sweep, then every task that is due (up to what is left of max_tasks)."""
        close_old_connections()
        report = PassReport(sweep())
        left = None if self.max_tasks is None else self.max_tasks - self.tasks_run
        if self.stopping or left == 0:
            return report
        self._worker = _CountingWorker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=left,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        try:
            if not self.stopping:
                self._worker.run()
        finally:
            report.outcomes = self._worker.outcomes
            self._worker = None
        self.tasks_run += report.tasks
        return report

    def run(
        self,
        *,
        interval: float,
        on_pass: Callable[[PassReport], None] = lambda report: None,
        on_error: Callable[[DatabaseError], None] = lambda exc: None,
    ) -> int:
        """Passes every `interval` seconds until stop() or max_tasks; returns the number of passes.

        A database error (the server restarting, a lock timeout) ends that pass only: the next
        pass starts over from the database state, which is where all progress is kept.
        """
        passes = 0
        while not self.stopping:
            try:
                on_pass(self.run_pass())
            except DatabaseError as exc:
                on_error(exc)
            passes += 1
            if self.max_tasks is not None and self.tasks_run >= self.max_tasks:
                break
            self._sleep(interval)
        return passes

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))
