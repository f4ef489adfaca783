"""Test-wide setup.

The database is SQLite by default and PostgreSQL when DATABASE_URL is set (the test command
runs the suite both ways; scripts/with_postgres.py starts the server). HEADSTART_HOME is a
temporary directory (tests/early_home.py). Record factories live in tests/factories.py
and tests/delivery_factories.py and are available to every test.

`make test` runs the suite in parallel (pytest-xdist): each worker has its own HEADSTART_HOME
(early_home.py) and its own test database (pytest-django adds the worker's name to it), so a
test may rely on neither another test nor the order they run in.
"""

import os

import pytest
from hypothesis import settings

pytest_plugins = ["factories", "delivery_factories"]

# CI runs the property tests on a fixed set of examples, so a red build is reproducible;
# local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _test_settings(request, tmp_path):  # type: ignore[no-untyped-def]
    """Per-test settings (pytest-django's settings fixture restores them afterwards).

    Signed audit checkpoints are files, which the test's rollback does not remove: each test
    keeps them in a directory of its own, so no test checks its chain against another's.
    Argon2 is slow by design (a tenth of a second a hash, a hundred hashes in the suite), so
    new passwords are hashed with Django's fast test hasher, as Django's testing docs advise;
    a test about the production hashing is marked production_password_hashing."""
    settings = request.getfixturevalue("settings")
    settings.HEADSTART_CHECKPOINT_DIR = tmp_path / "checkpoints"
    # The test database lives in this process (SQLite in memory) or in its transaction: forked
    # workers could not see it. Tests that prepare on several processes say so (workers=2).
    settings.HEADSTART_PREPARE_WORKERS = 1
    # No worker runs inside the test's transaction: a readiness POST answers 202 at once (the
    # readiness tests run the real worker themselves, then read the result).
    settings.HEADSTART_READINESS_WAIT_SECONDS = 0
    if request.node.get_closest_marker("production_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):  # type: ignore[no-untyped-def]
    """Client.force_login stands for a complete sign-in (password and second factor): the portal,
    the admin and the session API refuse a session that has not passed one (accounts.second_factor).
    Tests of that rule sign in through the real pages instead (tests/mfa_helpers.py)."""
    from django.test import Client
    from mfa_helpers import pass_second_factor

    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):  # type: ignore[no-untyped-def]
        force_login(self, user, backend)
        pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture(scope="session")
def random_codeword():
    """random_codeword(carrier, seed) -> a codeword drawn uniformly for the carrier's slots
    (tests/marking/helpers.py; helpers outside a test import it from there)."""
    from marking.helpers import random_codeword as draw

    return draw


# Fixtures through which a test reaches the database under test: pytest-django's, and
# `database_url`, which hands the server's URL to the subprocesses a test starts.
_DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server", "database_url"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL (DATABASE_URL set) run only the tests that reach the database: the rest
    (pure libraries, commands that keep their own SQLite home) already ran on SQLite, and
    would test nothing new a second time."""
    if not os.environ.get("DATABASE_URL"):
        return
    keep, drop = [], []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        reaches_database = item.get_closest_marker("django_db") is not None or bool(fixtures & _DATABASE_FIXTURES)
        (keep if reaches_database else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
