"""headstart serve: the portal and API under gunicorn (a production WSGI server)."""

from __future__ import annotations

import argparse
import io
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError

from headstart.faces.cli.common import Subparsers

WORKERS_PER_CPU = 3
DEFAULT_THREADS = 1


def register(sub: Subparsers) -> None:
    p = sub.add_parser("serve", help="serve the portal and API with gunicorn")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    # A request is Python and database work: processes add throughput, while a second thread
    # in a process mostly contends for its GIL.
    p.add_argument("--workers", type=int, default=None,
                   help=f"worker processes (default: $HEADSTART_WORKERS, else {WORKERS_PER_CPU} per CPU)")
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                   help=f"threads per worker (default {DEFAULT_THREADS})")
    p.set_defaults(handler=run)


def default_workers() -> int:
    return WORKERS_PER_CPU * (os.cpu_count() or 1)


def run(args: argparse.Namespace) -> int:
    from headstart.apps.program.models import Program
    from headstart.config.env import ConfigError, env_int
    from headstart.errors import Invalid

    if not 0 < args.port < 65536:
        raise Invalid(f"port {args.port} is outside 1-65535")
    if args.workers is None:  # read here, not when the parser is built: a bad value concerns serve only
        try:
            args.workers = env_int("HEADSTART_WORKERS", default_workers())
        except ConfigError as exc:
            raise Invalid(str(exc)) from None
    if not 0 < args.workers <= 256 or not 0 < args.threads <= 256:
        raise Invalid(f"--workers and --threads must be between 1 and 256 (got {args.workers} and {args.threads})")
    try:
        Program.get()
    except (Program.DoesNotExist, DatabaseError):  # no row yet, or no tables yet
        raise Invalid("the program is not set up yet: run `headstart init` first") from None
    call_command("collectstatic", interactive=False, verbosity=0, stdout=io.StringIO())
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Headstart on http://{host}:{args.port}/  (API: /api/v1/, OpenAPI: /api/v1/openapi.json, "
          f"admin: /admin/; data: {settings.HOME})", file=sys.stderr, flush=True)
    os.execv(sys.executable, gunicorn_argv(f"{host}:{args.port}", args.workers, args.threads))
    return 0  # not reached


def gunicorn_argv(bind: str, workers: int, threads: int) -> list[str]:
    """gunicorn's command line. It trusts forwarded headers only from the proxy's addresses and
    only behind a proxy, and has no control socket: every server would otherwise share one
    under the user's home directory, and nothing here uses it. The application is loaded once
    in the master and the workers fork from it, with the scheduled advisories' carriers loaded
    (serve_hooks.py)."""
    trusted = settings.HEADSTART_FORWARDED_ALLOW_IPS if settings.HEADSTART_BEHIND_PROXY else []
    return [sys.executable, "-m", "gunicorn", "headstart.config.wsgi:application",
            "--config", "python:headstart.faces.cli.commands.serve_hooks", "--preload",
            "--bind", bind, "--workers", str(workers), "--threads", str(threads),
            "--worker-class", "gthread", "--access-logfile", "-", "--timeout", "120",
            "--forwarded-allow-ips", ",".join(trusted), "--no-control-socket"]
