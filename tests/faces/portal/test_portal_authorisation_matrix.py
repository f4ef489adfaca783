"""Who may open which portal page, on whose records, and when: one table, every page.

Rows are the site's pages outside the API, the admin and the feeds (read from the URL
configuration, so a new page without a row fails the suite); columns are the callers of the
API's table (tests/faces/api/test_authorisation_matrix.py). Each path parameter is tried on
the caller's own partner's record and another partner's, each advisory before its window, in
it, after the patch and as a draft; each page with GET and, where it takes one, POST. Every
page is also searched for what the caller must not see: another partner's records, anything
outside its window. Each request runs in a transaction that is rolled back, so all cases see
the same world.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.http import int_to_base36
from factories import ACTOR
from mfa_helpers import enrol_totp

from headstart.apps.accounts import invitations
from headstart.apps.accounts.services import create_token
from headstart.apps.advisories.models import Advisory
from headstart.apps.advisories.services import ArtifactInput, create_advisory, schedule_advisory
from headstart.apps.delivery.services import schedule as schedule_with_commitment
from headstart.apps.investigations.intake import Submission
from headstart.apps.investigations.services import investigate
from headstart.apps.partners.services import set_status
from headstart.samples import SAMPLE_DIR

pytestmark = pytest.mark.django_db

STAFF = "staff"
ADMIN = "partner admin"
ANALYST = "partner analyst"
ENTRY = "entry-tier analyst"
ANONYMOUS = "anonymous"
SUSPENDED = "suspended partner's user"
EXPELLED = "expelled partner's user"
NO_NDA = "partner without the current NDA"
ROLES = [STAFF, ADMIN, ANALYST, ENTRY, ANONYMOUS, SUSPENDED, EXPELLED, NO_NDA]
# Signed out on their next request (a suspended or expelled partner's session ends at once).
SIGNED_OUT = {ANONYMOUS, SUSPENDED, EXPELLED}
PARTNER_ADMINS = {ADMIN, NO_NDA}
SEES_OPEN_ADVISORIES = {ADMIN, ANALYST, ENTRY}

TIMES = ["future", "open", "public", "draft"]
OWNERSHIP = ["own", "other"]
LINKS = ["valid", "unknown"]

TO_SIGN_IN = "to sign-in"  # a redirect to /login/?next=...
TO_REAUTHENTICATE = "to re-authenticate"  # a redirect to the second factor asked again
DONE = 302  # the change made, and a redirect to the page that shows it

Expect = Callable[[str, str | None], int | str]


# --- the table ---------------------------------------------------------------------------------

def signed_in(ok: int | str) -> Expect:
    """Any signed-in user; everyone else is sent to sign in."""
    return lambda role, target: TO_SIGN_IN if role in SIGNED_OUT else ok


def anyone(ok: int | str) -> Expect:
    return lambda role, target: ok


def advisory_page(role: str, target: str | None) -> int | str:
    if role in SIGNED_OUT:
        return TO_SIGN_IN
    if role == STAFF:
        return 200
    return 200 if role in SEES_OPEN_ADVISORIES and target in ("open", "public") else 404


def package(role: str, target: str | None) -> int | str:
    if role == STAFF:
        return 403  # staff export copies with the command line; packages are for partners
    return advisory_page(role, target)


def question(role: str, target: str | None) -> int | str:
    """A partner asks on an advisory it may see; staff only answer a thread (the table's world has
    none: not found); everyone else gets what the advisory page gives."""
    if role == STAFF:
        return 404
    answer = advisory_page(role, target)
    return DONE if answer == 200 else answer


def staff_pages(ok: int | str) -> Expect:
    """The staff pages (audit log, investigations, partners): a partner's user gets the answer a
    missing page gets (404), so their addresses say nothing."""
    return lambda role, target: TO_SIGN_IN if role in SIGNED_OUT else ok if role == STAFF else 404


def nda_accept(role: str, target: str | None) -> int | str:
    """A partner admin accepts; anyone else signed in is told why not, in the page."""
    if role in SIGNED_OUT:
        return TO_SIGN_IN
    return DONE if role in PARTNER_ADMINS else 200


def managers(ok: int | str, *, staff: int | str | None = None) -> Expect:
    """Staff and a partner admin; an analyst may look but not change (403)."""
    def expect(role: str, target: str | None) -> int | str:
        if role in SIGNED_OUT:
            return TO_SIGN_IN
        if role == STAFF:
            return ok if staff is None else staff
        return ok if role in PARTNER_ADMINS else 403
    return expect


def own_team_member(ok: int | str) -> Expect:
    """A user or invitation of the caller's own partner (staff: any); another partner's is not
    found, whoever asks; an analyst may not change its own team's (403)."""
    def expect(role: str, target: str | None) -> int | str:
        if role in SIGNED_OUT:
            return TO_SIGN_IN
        if role == STAFF:
            return ok
        if target == "other":
            return 404
        return ok if role in PARTNER_ADMINS else 403
    return expect


def certificate_upload(role: str, target: str | None) -> int | str:
    if role in SIGNED_OUT:
        return TO_SIGN_IN
    if role == STAFF:
        return 404  # staff have no partner certificate; they use the command line
    return DONE if role in PARTNER_ADMINS else 403


def certificate_page(role: str, target: str | None) -> int | str:
    return 404 if role == STAFF else signed_in(200)(role, target)


def own_token(ok: int | str) -> Expect:
    """Only the caller's own tokens; anyone else's, staff's included, is not found."""
    def expect(role: str, target: str | None) -> int | str:
        if role in SIGNED_OUT:
            return TO_SIGN_IN
        return ok if target == "own" else 404
    return expect


def readiness(role: str, target: str | None) -> int | str:
    """A partner tests its rules or says it is ready on an advisory it sees, if its tier is
    entitled to the binary PoC; staff have no copies to test (403)."""
    if role == STAFF:
        return 403
    seen = advisory_page(role, target)
    return 404 if role == ENTRY and seen == 200 else DONE if seen == 200 else seen


def staff_page(role: str, target: str | None) -> int | str:
    if role in SIGNED_OUT:
        return TO_SIGN_IN
    return 200 if role == STAFF else 403


def own_account(ok: int | str) -> Expect:
    """The caller's own account (password, second factors): every signed-in user alike."""
    return signed_in(ok)


def reauthenticated(role: str, target: str | None) -> int | str:
    """A change to one's second factors asks for the factor again first (allauth's rule); what
    happens after it is the second-factor tests' business (tests/apps/accounts)."""
    return TO_SIGN_IN if role in SIGNED_OUT else TO_REAUTHENTICATE


def invitation_link(ok: int | str) -> Expect:
    """The link's page is for whoever holds the link, signed in or not."""
    return lambda role, target: ok if target == "valid" else 404


# (URL name, method) -> who gets what. GET and POST for each page that takes them.
EXPECTED: dict[tuple[str, str], Expect] = {
    ("portal:home", "GET"): signed_in(200),
    ("portal:login", "GET"): anyone(200),
    ("portal:login", "POST"): anyone(200),  # the table's POST has no password: the form again
    ("portal:logout", "GET"): lambda role, target: 302 if role in SIGNED_OUT else 200,  # "sign out?"
    ("portal:logout", "POST"): anyone(DONE),
    ("portal:nda", "GET"): signed_in(200),
    ("portal:nda", "POST"): nda_accept,
    ("portal:advisory", "GET"): advisory_page,
    ("portal:package", "GET"): package,
    ("portal:copy", "GET"): package,  # the caller's own marked copy: staff have none (403)
    ("portal:questions", "GET"): advisory_page,
    ("portal:questions", "POST"): question,
    ("portal:staff-questions", "GET"): staff_pages(200),
    ("portal:team", "GET"): signed_in(200),
    ("portal:invite", "GET"): managers(200),
    ("portal:invite", "POST"): managers(DONE),
    ("portal:team-role", "POST"): own_team_member(DONE),
    ("portal:team-remove", "GET"): own_team_member(200),
    ("portal:team-remove", "POST"): own_team_member(DONE),
    ("portal:invitation-revoke", "POST"): own_team_member(DONE),
    ("portal:certificate", "GET"): certificate_page,
    ("portal:certificate", "POST"): certificate_upload,
    ("portal:tokens", "GET"): signed_in(200),
    ("portal:tokens", "POST"): signed_in(200),  # the new token's secret, shown this once
    ("portal:token-revoke", "POST"): own_token(DONE),
    ("portal:invitation", "GET"): invitation_link(200),
    ("portal:invitation", "POST"): invitation_link(DONE),
    ("portal:readiness-submit", "POST"): readiness,
    ("portal:readiness-confirm", "POST"): readiness,
    ("portal:coverage", "GET"): staff_page,
    # Sign-in, passwords and second factors (django-allauth's views, tests/apps/accounts).
    ("account_login", "GET"): anyone(200),
    ("account_login", "POST"): anyone(200),
    ("account_logout", "GET"): lambda role, target: 302 if role in SIGNED_OUT else 200,  # "sign out?"
    ("account_logout", "POST"): anyone(DONE),
    ("account_reauthenticate", "GET"): reauthenticated,
    ("account_reauthenticate", "POST"): reauthenticated,
    ("account_change_password", "GET"): own_account(302),  # no password yet: to "set a password"
    ("account_change_password", "POST"): own_account(302),
    ("account_set_password", "GET"): own_account(200),
    ("account_set_password", "POST"): own_account(200),  # the table's POST sends no password
    ("account_reset_password", "GET"): anyone(200),
    ("account_reset_password", "POST"): anyone(200),
    ("account_reset_password_done", "GET"): anyone(200),
    ("account_reset_password_from_key", "GET"): anyone(200),  # "the link is not valid"
    ("account_reset_password_from_key", "POST"): anyone(200),
    ("account_reset_password_from_key_done", "GET"): anyone(200),
    ("mfa_index", "GET"): own_account(200),
    ("mfa_authenticate", "GET"): anyone(302),  # the second step, only right after the password
    ("mfa_authenticate", "POST"): anyone(302),
    ("mfa_reauthenticate", "GET"): own_account(200),
    ("mfa_reauthenticate", "POST"): own_account(200),
    ("mfa_activate_totp", "GET"): reauthenticated,
    ("mfa_activate_totp", "POST"): reauthenticated,
    ("mfa_deactivate_totp", "GET"): reauthenticated,
    ("mfa_deactivate_totp", "POST"): reauthenticated,
    ("mfa_view_recovery_codes", "GET"): reauthenticated,
    ("mfa_generate_recovery_codes", "GET"): reauthenticated,
    ("mfa_generate_recovery_codes", "POST"): reauthenticated,
    ("mfa_download_recovery_codes", "GET"): reauthenticated,
    ("mfa_download_recovery_codes", "POST"): reauthenticated,
    ("mfa_list_webauthn", "GET"): own_account(200),
    ("mfa_add_webauthn", "GET"): reauthenticated,
    ("mfa_add_webauthn", "POST"): reauthenticated,
    ("mfa_reauthenticate_webauthn", "GET"): reauthenticated,
    ("mfa_reauthenticate_webauthn", "POST"): reauthenticated,
    ("mfa_remove_webauthn", "GET"): reauthenticated,
    ("mfa_remove_webauthn", "POST"): reauthenticated,
    ("mfa_edit_webauthn", "GET"): reauthenticated,
    ("mfa_edit_webauthn", "POST"): reauthenticated,
    # Staff: audit log, investigations, partners. The world's investigation accuses nobody (no
    # copy was delivered): nothing scored, so no plot, and an expel from it is refused in the page.
    ("portal:staff-audit", "GET"): staff_pages(200),
    ("portal:staff-audit-verify", "POST"): staff_pages(200),
    ("portal:staff-investigations", "GET"): staff_pages(200),
    ("portal:staff-investigations", "POST"): staff_pages(400),  # the table's POST uploads nothing
    ("portal:staff-investigation", "GET"): staff_pages(200),
    ("portal:staff-investigation-report", "GET"): staff_pages(200),
    ("portal:staff-investigation-plot", "GET"): staff_pages(404),
    ("portal:staff-investigation-expel", "POST"): staff_pages(DONE),
    ("portal:staff-advisories", "GET"): staff_pages(200),
    ("portal:staff-advisory-new", "GET"): staff_pages(200),
    ("portal:staff-advisory-new", "POST"): staff_pages(400),  # no identifier, no files: nothing created
    ("portal:staff-advisory", "GET"): staff_pages(200),
    ("portal:staff-advisory-check", "GET"): staff_pages(200),
    # Each action answers with the advisory's page, saying what it did or why it did not.
    ("portal:staff-advisory-schedule", "POST"): staff_pages(DONE),
    ("portal:staff-advisory-prepare", "POST"): staff_pages(DONE),
    ("portal:staff-advisory-withdraw", "POST"): staff_pages(DONE),
    ("portal:staff-advisory-replace", "POST"): staff_pages(DONE),
    ("portal:staff-advisory-unmarked", "POST"): staff_pages(DONE),
    ("portal:staff-partners", "GET"): staff_pages(200),
    ("portal:staff-partner-add", "POST"): staff_pages(DONE),
    ("portal:staff-partner-import", "POST"): staff_pages(400),  # no CSV file
    ("portal:staff-partner", "GET"): staff_pages(200),
    ("portal:staff-partner-status", "POST"): staff_pages(DONE),
    # Staff: the dashboard and the program's settings.
    ("portal:staff-dashboard", "GET"): staff_pages(200),
    ("portal:staff-tiers", "GET"): staff_pages(200),
    ("portal:staff-tier-edit", "POST"): staff_pages(DONE),
    ("portal:staff-nda", "GET"): staff_pages(200),
    ("portal:staff-nda-publish", "POST"): staff_pages(DONE),
    ("portal:staff-users", "GET"): staff_pages(200),
    ("portal:staff-user-change", "POST"): staff_pages(DONE),  # the change or why not, on the accounts page
}
# The methods tried on every page. One without a rule must be refused: 405, or, for a caller
# who is not signed in, the way to sign in (pages that need a user check that first).
METHODS = ("GET", "POST")


def refused(role: str, target: str | None) -> tuple[int | str, ...]:
    return (405, TO_SIGN_IN) if role in SIGNED_OUT else (405,)

# The site's other faces, each with its own table (API, feeds) or its own test (the admin).
OTHER_FACES = ("admin/", "api/", ".well-known/", "taxii2/", "static/")


@dataclass(frozen=True)
class Page:
    name: str  # the URL name, with its namespace
    route: str  # the whole route, e.g. "advisories/<str:ident>/"
    methods: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else "", entry.callback


def portal_pages() -> list[Page]:
    """Every page of the portal, with the methods its view takes (as a plain GET, POST and PUT
    tell: a view that refuses a method answers 405 before looking at anything else)."""
    pages = []
    for route, name, _callback in _walk(get_resolver().url_patterns):
        if route.startswith(OTHER_FACES) or route.lstrip("^").startswith(OTHER_FACES):
            continue
        pages.append(Page(name or route, route, METHODS))
    return pages


def test_every_portal_page_has_a_row_in_the_table():
    rows = {name for name, _ in EXPECTED}
    named = {page.name for page in portal_pages()}
    assert named == rows, "add the new page to EXPECTED (and think about who may open it)"


# --- the world -----------------------------------------------------------------------------------

@dataclass
class World:
    callers: dict[str, Any]
    partners: dict[str, Any]  # role -> its partner (staff and anonymous: Own Co)
    advisories: dict[str, Advisory]
    other_partner: Any
    secrets: dict[str, list[str]] = field(default_factory=dict)  # partner name -> only it may see
    advisory_secrets: dict[str, list[str]] = field(default_factory=dict)  # time -> that advisory's
    invitations: dict[str, int] = field(default_factory=dict)  # partner name -> a pending invitation
    links: dict[str, str] = field(default_factory=dict)  # "valid" -> a pending invitation's token
    tokens: dict[str, int] = field(default_factory=dict)  # caller role -> the id of one of its tokens
    other_token: int = 0  # another partner's user's token
    other_user: Any = None  # another partner's analyst
    certificate: str = ""
    investigation: str = ""  # an investigation's ID (staff pages)


PATCH_IN = {"future": dt.timedelta(hours=100), "open": dt.timedelta(hours=12), "public": dt.timedelta(hours=1),
            "draft": dt.timedelta(hours=12)}


def _advisory(time: str, number: int) -> tuple[Advisory, list[str]]:
    """Advisories partners may receive carry the sample's write-up, guidance and binary PoC (they
    can be marked, quickly; its C and Python PoCs take far longer); the others made-up files.
    Names carry the time, so each is unique."""
    if time in ("future", "draft"):
        items = [ArtifactInput(kind, f"{time}-{kind}.md", f"{time} {kind} content\n".encode())
                 for kind in ("writeup", "guidance")]
    else:  # with the binary PoC and its trigger specification, which readiness tests need
        items = [ArtifactInput(kind, f"{time}-{kind}.md", (SAMPLE_DIR / f"{kind}.md").read_bytes())
                 for kind in ("writeup", "guidance")]
        items += [ArtifactInput("poc-binary", f"{time}-poc.tim", (SAMPLE_DIR / "poc.tim").read_bytes()),
                  ArtifactInput("trigger-spec", f"{time}-tim.ksy.yaml", (SAMPLE_DIR / "tim.ksy.yaml").read_bytes())]
    title = f"{time.capitalize()} embargoed overflow"
    cve = f"CVE-2026-{20000 + number}"
    advisory = create_advisory(f"HS-2026-{number:04d}", title=title, cve=cve, patch_at=timezone.now() + PATCH_IN[time],
                               artifacts=items, actor=ACTOR)
    if time == "future":
        advisory = schedule_advisory(advisory, actor=ACTOR)
    elif time != "draft":
        schedule_with_commitment(advisory, actor=ACTOR)
    if time == "public":
        Advisory.objects.filter(pk=advisory.pk).update(patch_at=timezone.now() - dt.timedelta(hours=1))
    advisory.refresh_from_db()
    return advisory, [title, cve] + [item.name for item in items]


def _link(outbox_before: int) -> str:
    body = "".join(str(message.body) for message in mail.outbox[outbox_before:])
    found = re.search(re.escape(invitations.PATH) + r"([A-Za-z0-9_-]+)/", body)
    assert found, body
    return found.group(1)


@pytest.fixture
def world(make_partner, staff_user, partner_key) -> World:  # type: ignore[no-untyped-def]
    def member(name: str, tier: str = "advanced", **options):  # type: ignore[no-untyped-def]
        return make_partner(name, tier, pgp_cert=partner_key(name).certificate, **options)

    own, own_admin, own_analyst = member("Own Co")
    entry, _, entry_analyst = member("Entry Co", "entry")
    other, other_admin, other_analyst = member("Other Co")
    suspended, suspended_admin, _ = member("Suspended Co")
    expelled, expelled_admin, _ = member("Expelled Co")
    unsigned, unsigned_admin, _ = member("Unsigned Co", accept=False)
    callers = {STAFF: staff_user, ADMIN: own_admin, ANALYST: own_analyst, ENTRY: entry_analyst, ANONYMOUS: None,
               SUSPENDED: suspended_admin, EXPELLED: expelled_admin, NO_NDA: unsigned_admin}
    partners = {STAFF: own, ANONYMOUS: own, ADMIN: own, ANALYST: own, ENTRY: entry,
                SUSPENDED: suspended, EXPELLED: expelled, NO_NDA: unsigned}
    world = World(callers=callers, partners=partners, advisories={}, other_partner=other,
                  certificate=partner_key("Replacement Co").certificate)
    # Records with ids in the URLs: tokens, pending invitations (the links come by mail).
    for role, user in callers.items():
        if user is not None:
            world.tokens[role] = create_token(user, actor=ACTOR)[0].pk
    world.other_token = create_token(other_analyst, actor=ACTOR)[0].pk
    world.other_user = other_analyst
    for user in (*(u for u in callers.values() if u is not None), other_analyst):
        enrol_totp(user)  # a second factor each, as every user who signed in has
    for partner, admin in ((own, own_admin), (entry, None), (other, other_admin), (unsigned, unsigned_admin)):
        sent = len(mail.outbox)
        invitation = invitations.invite(f"newcomer@{partner.name.lower().replace(' ', '-')}.example",
                                        role="analyst", partner=partner, inviter=admin or staff_user,
                                        actor=ACTOR)
        world.invitations[partner.name] = invitation.pk
        world.secrets.setdefault(partner.name, []).append(invitation.email)
        if partner is own:
            world.links["valid"] = _link(sent)
    world.links["unknown"] = "x" * 43
    set_status(suspended, "suspended", reason="late payment", actor=ACTOR)
    set_status(expelled, "expelled", reason="leaked HS-2025-0009", actor=ACTOR)
    for p in (own, entry, other, suspended, expelled, unsigned):
        p.refresh_from_db()
        world.secrets.setdefault(p.name, []).extend([p.name, p.email, p.pgp_fingerprint, *(u.email for u in p.users.all())])
    for number, time in enumerate(TIMES, start=1):
        world.advisories[time], world.advisory_secrets[time] = _advisory(time, number)
    world.investigation = investigate([Submission("post.txt", b"a leak that matches no advisory")],
                                      actor=ACTOR).ident
    return world


# --- running the table -----------------------------------------------------------------------------

def targets_of(route: str) -> list[str | None]:
    if "<str:ident>" in route:
        return list(TIMES)
    if "<str:token>" in route:
        return list(LINKS)
    if "<int:" in route:
        return list(OWNERSHIP)
    if "(?P<key>" in route:
        return ["unknown"]  # a reset link never sent: its page says so
    return [None]


def url_for(world: World, role: str, name: str, route: str, target: str | None) -> str:
    """The page's address for this caller and target ("own": the caller's partner's record,
    or its own token; "other": another partner's)."""
    mine = world.partners[role]
    values: dict[str, str] = {}
    if "<str:ident>" in route:
        values["ident"] = world.advisories[str(target)].ident
    if "<str:token>" in route:
        values["token"] = world.links[str(target)]
    if "<str:name>" in route:  # a file of that advisory every tier receives
        values["name"] = f"{target}-writeup.md"
    if "<str:ref>" in route:
        values["ref"] = world.investigation
    if "<int:partner_id>" in route:
        values["partner_id"] = str((mine if target == "own" else world.other_partner).pk)
    if "<int:user_id>" in route:
        # Never the caller itself: the team's rules about oneself are the team tests' business.
        owner = mine if target == "own" else world.other_partner
        caller = world.callers[role]
        values["user_id"] = str(next(u.pk for u in owner.users.order_by("-pk") if caller is None or u.pk != caller.pk))
    if "<int:invitation_id>" in route:
        # Suspended and expelled partners have none: theirs is as good as any, they are signed out.
        owner_name = mine.name if target == "own" else world.other_partner.name
        values["invitation_id"] = str(world.invitations.get(owner_name, world.invitations["Own Co"]))
    if "<int:pk>" in route:  # a second factor of the caller's, or another partner's user's
        owner = world.callers[role] if target == "own" and world.callers[role] is not None else world.other_user
        values["pk"] = str(Authenticator.objects.filter(user_id=owner.pk).values_list("pk", flat=True).first())
    if "(?P<key>" in route:
        user = world.callers[role] or world.other_user
        return f"/accounts/password/reset/key/{int_to_base36(user.pk)}-set-{'x' * 20}/"
    if "<int:token_id>" in route:
        values["token_id"] = str(world.tokens.get(role, world.other_token) if target == "own" else world.other_token)
    path = route
    for key, value in values.items():
        path = re.sub(r"<\w+:" + key + ">", value, path)
    assert "<" not in path, f"no value for a parameter of {route}"
    return "/" + path


def form_for(world: World, name: str, role: str) -> dict[str, Any]:
    """A POST body that makes the change for a caller allowed to make it."""
    partner = world.partners[role]
    return {
        "portal:invite": {"email": "another.newcomer@example.org", "role": "analyst",
                          "partner": str(partner.pk)},
        "portal:team-role": {"role": "admin"},
        "portal:certificate": {"certificate": SimpleUploadedFile("cert.asc", world.certificate.encode())},
        "portal:tokens": {"name": "table script"},
        "portal:questions": {"body": "Which versions are affected?", "partner": str(partner.pk)},
        "portal:staff-partner-add": {"name": "Table Co", "tier": "advanced"},
        "portal:staff-partner-status": {"action": "suspend", "reason": "the table's reason"},
        "portal:staff-tier-edit": {"tier": "entry", "lead_hours": "30", "entitlements": ["writeup"]},
        "portal:staff-nda-publish": {"text": "The table's NDA, version 2."},
        "portal:staff-user-change": {"action": "unlock", "user": str(world.callers[ANALYST].pk)},
        "portal:readiness-submit": {"rules": SimpleUploadedFile("mine.yar", b"rule nothing { condition: false }"),
                                    "engine": "yara", "note": "table"},
        "portal:readiness-confirm": {"note": "our own engine"},
        "portal:invitation": {"password1": "a long and unusual passphrase 42",
                              "password2": "a long and unusual passphrase 42"},
    }.get(name, {})


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def forbidden_strings(world: World, role: str) -> list[str]:
    if role == STAFF:
        return []
    mine = None if role in SIGNED_OUT else world.partners[role].name
    strings = [s for partner, secrets in world.secrets.items() if partner != mine for s in secrets if s]
    visible = {"open", "public"} if role in SEES_OPEN_ADVISORIES else set()
    return strings + [s for time, secrets in world.advisory_secrets.items() if time not in visible for s in secrets]


def outcome(response: Any) -> int | str:
    if response.status_code == 302 and response["Location"].startswith("/login/?next="):
        return TO_SIGN_IN
    if response.status_code == 302 and response["Location"].startswith("/accounts/2fa/reauthenticate/"):
        return TO_REAUTHENTICATE
    return int(response.status_code)


def test_each_caller_gets_exactly_what_the_table_allows(world):
    """Every caller in one test: the world (partners, marked advisories, tokens, invitations) is
    built once, and each request rolls back what it changed."""
    wrong: list[str] = []
    leaks: list[str] = []
    for role in ROLES:
        for page in portal_pages():
            for method in page.methods:
                rule = EXPECTED.get((page.name, method))
                for target in targets_of(page.route):
                    url = url_for(world, role, page.name, page.route, target)
                    client = client_for(world.callers[role])  # a fresh session: a sign-out ends it
                    with transaction.atomic():
                        if method == "POST":
                            response = client.post(url, form_for(world, page.name, role))
                        else:
                            response = client.get(url)
                        transaction.set_rollback(True)
                    got = outcome(response)
                    wanted = refused(role, target) if rule is None else (rule(role, target),)
                    case = f"{role}: {method} {url} [{target or '-'}]"
                    if got not in wanted:
                        wrong.append(f"{case}: expected {wanted}, got {got}")
                    # An invitation's page shows its holder whom it invites where: the link is the key.
                    holds_the_key = page.name == "portal:invitation" and target == "valid"
                    if (not holds_the_key and not getattr(response, "streaming", False)
                            and response.get("Content-Type", "").startswith("text/")):
                        text = response.content.decode(errors="replace")
                        leaks += [f"{case}: {s!r}" for s in forbidden_strings(world, role) if s in text]
    assert not wrong, "\n".join(wrong)
    assert not leaks, "callers saw data they must not see:\n" + "\n".join(leaks)
