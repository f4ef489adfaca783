"""headstart worker: run background jobs (notifications, partners' readiness tests) until stopped, or once;
or report their state."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from typing import TYPE_CHECKING, Any

from headstart.faces.cli.common import Subparsers, add_json
from headstart.faces.cli.output import emit, progress, table

if TYPE_CHECKING:
    from headstart.apps.notifications.runner import PassReport


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "worker",
        help="run background jobs: notify partners as windows open; run partners' readiness tests",
        description=(
            "Each pass finds what is due (windows opened, reminders, withdrawals), including what was "
            "missed while no worker ran, and sends it; each mail at most once. It also runs the readiness "
            "tests partners queue (their detection rules against their own PoC copies, in a sandboxed "
            "child process). Stops cleanly on "
            "SIGTERM or Ctrl-C after the task in hand."
        ),
    )
    p.add_argument(
        "--once", action="store_true", help="one pass: send everything due, then exit (cron, tests)"
    )
    p.add_argument(
        "--interval", type=float, default=15.0, metavar="S", help="seconds between passes (default 15)"
    )
    p.add_argument("--max-tasks", type=int, default=None, metavar="N", help="exit after running N tasks")
    p.add_argument(
        "--status",
        action="store_true",
        help="report notifications by status, those needing attention (sending, failed) and the queue",
    )
    add_json(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from headstart.errors import Invalid

    if args.status:
        return _status(args)
    if not args.interval > 0:
        raise Invalid(f"--interval {args.interval}: give a positive number of seconds")
    if args.max_tasks is not None and args.max_tasks < 1:
        raise Invalid(f"--max-tasks {args.max_tasks}: give a positive number")
    from headstart.apps.notifications.runner import Runner

    runner = Runner(max_tasks=args.max_tasks)
    passes: list[dict[str, Any]] = []

    def on_pass(report: PassReport) -> None:
        passes.append(report.as_dict())
        if report.eventful or args.once:
            progress(f"worker: {report.summary()}")

    def stop(signum: int, _frame: Any) -> None:
        progress(f"worker: {signal.Signals(signum).name} received; stopping after the task in hand")
        runner.stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        # The console mail backend writes to stdout; keep stdout for this command's own report.
        with contextlib.redirect_stdout(sys.stderr):
            if args.once:
                on_pass(runner.run_pass())
            else:
                progress(
                    f"worker {runner.worker_id}: started; a pass every {args.interval:g} s "
                    "(SIGTERM or Ctrl-C stops)"
                )
                runner.run(
                    interval=args.interval,
                    on_pass=on_pass,
                    on_error=lambda exc: progress(f"worker: database error, retrying next pass: {exc}"),
                )
                progress("worker: stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    totals: dict[str, int] = {}
    for item in passes:
        for key, count in list(item["sweep"].items()) + list(item["tasks"].items()):
            totals[key] = totals.get(key, 0) + count
    done = ", ".join(f"{count} {key}" for key, count in sorted(totals.items()) if count) or "nothing due"
    emit(
        args,
        {
            "passes": len(passes),
            "tasks_run": runner.tasks_run,
            "totals": totals,
            "stopped_by_signal": runner.stopping,
        },
        f"{len(passes)} pass{'es' if len(passes) != 1 else ''}, {runner.tasks_run} tasks: {done}",
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    from headstart.apps.notifications.services import status_summary

    data = status_summary()

    def text() -> str:
        counts = ", ".join(f"{count} {status}" for status, count in data["notifications"].items())
        queue = ", ".join(f"{count} {state}" for state, count in data["task_queue"].items())
        lines = [f"notifications: {counts}", f"task queue: {queue}"]
        if data["cancelled_by_reason"]:
            lines.append(
                "cancelled because: "
                + ", ".join(f"{r or '-'} {c}" for r, c in data["cancelled_by_reason"].items())
            )
        if data["attention"]:
            lines.append(
                "needing attention (a mail in 'sending' may or may not have left; "
                "the admin can send it again):"
            )
            lines.append(
                table(
                    [
                        (
                            a["id"],
                            a["status"],
                            a["advisory"],
                            a["partner"],
                            a["kind"],
                            a["email"],
                            f"{a['claimed_at']:%Y-%m-%d %H:%M:%S}" if a["claimed_at"] else "-",
                            a["error"][:60],
                        )
                        for a in data["attention"]
                    ],
                    ["ID", "STATUS", "ADVISORY", "PARTNER", "KIND", "EMAIL", "CLAIMED", "ERROR"],
                )
            )
        return "\n".join(lines)

    emit(args, data, text)
    return 0
