"""Test-wide setup: a throwaway HEADSTART_HOME, and factories for the program's records.

The database is SQLite by default and PostgreSQL when DATABASE_URL is set (the test command
runs the suite both ways; scripts/with_postgres.py starts the server).
"""

from __future__ import annotations

import os
import tempfile

# Settings read HEADSTART_HOME at import; point it at a temporary directory first.
os.environ.setdefault("HEADSTART_HOME", tempfile.mkdtemp(prefix="headstart-test-home-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headstart.config.settings")
