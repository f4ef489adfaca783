"""Browser tests: Playwright driving Debian's chromium against a live Headstart server.

Fixtures:
- `live_server` (pytest-django): the portal on a local port, on the test database; every
  browser test uses the transactional database, so the server thread sees the test's records.
  It answers one request at a time (below).
- `page`: a fresh browser context (no cookies) and page whose relative URLs go to the live
  server; console errors (a CSP violation is one) are collected in `page.console_errors`, and
  a test whose pages broke the CSP fails.
- `sign_in(page, user)`: gives the user a known password (through the accounts service) and a
  TOTP authenticator if it has no second factor, and signs in through the sign-in form and the
  second step, as a person would.
- `screenshot(page, name)`: saves a full-page PNG under $HEADSTART_SCREENSHOTS (default
  var/screenshots/ in the repository), the run's artifacts.

The browser is /usr/bin/chromium (Debian's package, installed by scripts/install-system-deps.sh)
or $HEADSTART_CHROMIUM; Playwright never downloads one. Without it these tests fail: the
browser is part of the test setup, like GnuPG.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from factories import ACTOR
from playwright.sync_api import Browser, Page, sync_playwright


class OneRequestAtATime(WSGIServer):
    """The live server without a thread per request. On SQLite every request thread shares the
    test's one in-memory connection, so two requests at once (a page's image and its frame, each
    writing an audit event) would meet inside one transaction. Django's server answers
    `Connection: close` when it is not threaded, so a browser never holds it."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override  # LiveServerThread.run applies them


LiveServerThread.server_class = OneRequestAtATime

CHROMIUM = Path(os.environ.get("HEADSTART_CHROMIUM", "/usr/bin/chromium"))
# Headless and quiet: the test machines' network refuses Google's hosts, and chromium stalls on
# its background calls (QUIC, component updates, sync) without these.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("HEADSTART_SCREENSHOTS", REPOSITORY / "var" / "screenshots"))
PASSWORD = "browser-test passphrase 7"
TIMEOUT_MS = 10_000  # a single step; a healthy one takes well under a second


@pytest.fixture(autouse=True)
def _browser_tests_use_the_transactional_database(transactional_db: None) -> Iterator[None]:
    """The live server answers from its own thread: it sees only committed records.

    Afterwards the test database is emptied; on SQLite that is a DELETE of every table, which
    the audit log's append-only triggers refuse row by row (PostgreSQL truncates, which they do
    not see). So the audit events go first, with the triggers set aside and put back at once:
    the flush then finds no event to delete, and every later test meets the triggers."""
    yield
    from django.db import connection, transaction

    if connection.vendor != "sqlite":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'")
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute('DELETE FROM "audit_auditevent"')
        for _, sql in triggers:
            cursor.execute(sql)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium per test module, with a fresh temporary profile (Playwright's launch makes
    one and removes it). Stopped at the module's end, so the tests after it on the same worker
    run with no Playwright event loop around."""
    if not CHROMIUM.is_file():
        pytest.fail(f"the browser tests need chromium at {CHROMIUM}: run scripts/install-system-deps.sh "
                    "(Debian's chromium package) or set HEADSTART_CHROMIUM")
    # Between its calls, Playwright's sync API marks its event loop as running in this thread,
    # and Django then refuses the database calls made here (the tests' setup, assertions and
    # teardown) as if they came from async code. They do not: nothing here shares that loop.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, locale="en-GB",
                                  timezone_id="Europe/Paris")
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.console_errors = errors  # type: ignore[attr-defined]
    yield opened
    context.close()
    # Whatever a test checks, no page it opened may break the CSP (a refused script or style
    # leaves the page half-working with no error on the server).
    refused = [error for error in errors if "Content Security Policy" in error]
    assert not refused, "a page broke the Content Security Policy:\n" + "\n".join(refused)


@pytest.fixture
def sign_in() -> Callable[..., None]:
    """sign_in(page, user, factor="totp"): the sign-in form with the user's password (set to
    PASSWORD first), then the second step with the user's second factor, as a person types it.

    A user without a second factor gets a TOTP authenticator (allauth's records, as enrolment
    makes them; tests/mfa_helpers.py) and the current code is typed. A TOTP code works once, so
    a second sign-in of the user within the same 30 s (or factor="recovery") types an unused
    recovery code instead."""
    from mfa_helpers import enrol_totp, fresh_recovery_code, totp

    from headstart.apps.accounts import second_factor
    from headstart.apps.accounts.services import set_password

    secrets: dict[int, str] = {}
    used: dict[int, str] = {}

    def sign(page: Page, user: Any, factor: str = "totp") -> None:
        set_password(user.email, PASSWORD, actor=ACTOR)
        if not second_factor.has_factor(user):
            secrets[user.pk] = enrol_totp(user)[0]
        code = totp(secrets[user.pk]) if user.pk in secrets and factor == "totp" else ""
        if not code or used.get(user.pk) == code:
            code = fresh_recovery_code(user)
        used[user.pk] = code
        page.goto("/login/")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.locator("input[name=code]").fill(code)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"^(?!.*/(login|accounts)/).*$"))

    return sign


@pytest.fixture
def marked_advisory(program: Any) -> Callable[..., Any]:
    """marked_advisory(ident, patch_in=48 h): a scheduled advisory (its codebook committed) that
    partners in the window can download: the sample advisory's write-up and guidance only, as
    its PoCs take many seconds to check and mark, and a browser test needs none of that."""
    import datetime as dt

    from delivery_factories import sample_artifacts
    from django.utils import timezone

    from headstart.apps.advisories.services import create_advisory
    from headstart.apps.delivery.services import schedule

    def make(ident: str = "HS-2026-0001", patch_in: dt.timedelta = dt.timedelta(hours=48)) -> Any:
        title = f"Heap overflow in the tile decoder ({ident})"
        advisory = create_advisory(
            ident, title=title, patch_at=timezone.now() + patch_in, actor=ACTOR, cve="CVE-2026-99002",
            cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
            artifacts=[item for item in sample_artifacts() if item.kind in ("writeup", "guidance")])
        schedule(advisory, actor=ACTOR)
        advisory.refresh_from_db()
        return advisory

    return make


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """screenshot(page, name) -> the PNG saved as <name>.png, the run's artifact for a person to look at."""

    def save(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
