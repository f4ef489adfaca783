"""Loaded with `-p early_home` (pyproject addopts) before pytest-django reads the settings,
so keys, artifacts and the SQLite file of a test run live in a throwaway HEADSTART_HOME."""

import os
import tempfile

os.environ.setdefault("HEADSTART_HOME", tempfile.mkdtemp(prefix="headstart-test-home-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headstart.config.settings")
# A fixed marking key: codewords (and so every assertion about attribution) are the same on
# every run. Tests of key handling set or strip it themselves.
os.environ.setdefault("HEADSTART_MARKING_KEY", "5eed" * 16)
