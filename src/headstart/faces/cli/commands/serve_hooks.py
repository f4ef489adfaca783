"""gunicorn's configuration module for `headstart serve` (its server hooks).

gunicorn loads the application once in its master process (--preload) and forks the workers
from it, so Django and Headstart are imported once, not once per worker. Before the workers
fork, the master also loads the carriers of every scheduled advisory: without that, each
worker loads them at its first on-demand delivery, and at release time every worker does so
at once, on the same cores that serve the rush.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("headstart.serve")


def when_ready(server: Any) -> None:
    """In the master, after the application is loaded and before any worker forks."""
    from django.db import connections

    from headstart.apps.advisories.models import Advisory, AdvisoryStatus
    from headstart.apps.delivery import copies
    from headstart.errors import HeadstartError

    try:
        for advisory in Advisory.objects.filter(status=AdvisoryStatus.SCHEDULED).order_by("pk"):
            try:
                copies.deliverables(advisory)
            except HeadstartError as exc:  # its downloads explain the problem; serving goes on
                logger.warning("carriers of %s not loaded ahead: %s", advisory.ident, exc)
    finally:
        # A connection opened here must not be shared by the forked workers: each opens its own.
        connections.close_all()
