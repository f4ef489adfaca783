"""Loaded with `-p early_home` (pyproject addopts) before pytest-django reads the settings,
so keys, artifacts and the SQLite file of a test run live in a throwaway HEADSTART_HOME.

Under pytest-xdist every worker is a process of its own that imports the settings itself:
each gets its own directory inside the run's home (…/gw0, …/gw1), so no two workers race
to create the same secret_key file or share a packages directory."""

import os
import tempfile

os.environ.setdefault("HEADSTART_HOME", tempfile.mkdtemp(prefix="headstart-test-home-"))
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["HEADSTART_HOME"] = os.path.join(os.environ["HEADSTART_HOME"], worker)
    os.makedirs(os.environ["HEADSTART_HOME"], exist_ok=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headstart.config.settings")
# A fixed marking key: codewords (and so every assertion about attribution) are the same on
# every run. Tests of key handling set or strip it themselves.
os.environ.setdefault("HEADSTART_MARKING_KEY", "5eed" * 16)
# Likewise a fixed audit key, so any test may record events without running `init` first.
os.environ.setdefault("HEADSTART_AUDIT_KEY", "a0d1" * 16)
