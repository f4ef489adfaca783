"""Users and API tokens: creating, listing, passwords, revocation (staff actions, audited)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q, QuerySet

from headstart.apps.accounts import tokens
from headstart.apps.accounts.models import ApiToken, Role, User
from headstart.apps.audit.services import Actor, record
from headstart.apps.partners.models import Partner
from headstart.apps.text import check_visible
from headstart.errors import Conflict, Invalid, NotFound


def add_user(email: str, *, actor: Actor, partner: Partner | None = None, role: str | None = None,
             staff: bool = False, password: str | None = None) -> User:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(f"{email!r} is not a valid e-mail address") from None
    if staff == (partner is not None):
        raise Invalid("a user is either PSIRT staff (--staff) or a member of one partner (--partner NAME --role ROLE)")
    if staff:
        role = Role.STAFF
    elif role not in (Role.PARTNER_ADMIN, Role.PARTNER_ANALYST):
        raise Invalid(f"role {role!r}: a partner user is 'admin' or 'analyst'")
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise Conflict(f"user {email} already exists")
        user = User(email=email, role=role, partner=partner, is_staff=staff, is_superuser=staff)
        if password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise Invalid("password rejected: " + " ".join(exc.messages)) from None
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        record(actor, "user.add", user, role=role, partner_name=partner.name if partner else "")
    return user


def get_user(email: str) -> User:
    user = User.objects.select_related("partner").filter(email=(email or "").strip().lower()).first()
    if user is None:
        raise NotFound(f"unknown user {email!r}")
    return user


def create_token(user: User, *, actor: Actor, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``, with an optional name (what its owner calls it); shown once."""
    name = check_visible((name or "").strip(), "token name")
    if len(name) > 100:  # ApiToken.name
        raise Invalid("a token name is at most 100 characters")
    with transaction.atomic():
        # Judge the user and partner as stored now, not as the caller's copy remembers them.
        user = User.objects.select_related("partner").get(pk=user.pk)
        if not tokens.may_act(user):
            raise Invalid(f"{user.email} may not act (inactive user or partner not active)")
        record_, token = tokens.issue(user, name=name)
        record(actor, "token.create", user, prefix=record_.prefix, name=name)
    return record_, token


def list_users() -> QuerySet[User]:
    return User.objects.select_related("partner").order_by("email")


def set_password(email: str, password: str, *, actor: Actor) -> User:
    """Set a user's portal password, checked by the password validators. The event records
    that it changed, never the password. Sessions signed in with the old one end."""
    if not password:
        raise Invalid("the password is empty")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=get_user(email).pk).get()
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise Invalid("password rejected: " + " ".join(exc.messages)) from None
        user.set_password(password)
        user.save(update_fields=["password"])
        record(actor, "user.passwd", user)
    return user


def list_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user").order_by("pk")


def revoke_tokens(target: str, *, actor: Actor) -> tuple[list[ApiToken], list[ApiToken]]:
    """Revoke one token (by its id) or every token of a user (by e-mail). Returns the tokens
    named and those of them revoked now (the others were revoked already)."""
    target = (target or "").strip()
    if target.isdigit():
        token = ApiToken.objects.select_related("user").filter(pk=int(target)).first()
        if token is None:
            raise NotFound(f"unknown token id {target}")
        named = [token]
    elif "@" in target:
        user = get_user(target)
        named = list(ApiToken.objects.select_related("user").filter(user=user).order_by("pk"))
    else:
        raise Invalid(f"{target!r}: give a token id (see `headstart token list`) or a user's e-mail address")
    return named, tokens.revoke(named, actor=actor, reason="revoked by staff")


def revoke_partner_tokens(partner: Partner, *, actor: Actor, reason: str) -> list[ApiToken]:
    """Every token of the partner's users, revoked for good (a suspension or expulsion)."""
    return tokens.revoke(tokens.unrevoked_of(Q(user__partner=partner)), actor=actor, reason=reason)


def end_partner_sessions(partner: Partner, *, actor: Actor, reason: str) -> list[User]:
    """Sign out every session of the partner's users, for good (a suspension or expulsion): their
    session epoch moves on, so a session signed in before never matches again, even after the
    partner is reinstated. One audit event per user, in the caller's transaction."""
    with transaction.atomic():
        users = list(User.objects.select_for_update().filter(partner=partner).order_by("pk"))
        User.objects.filter(pk__in=[u.pk for u in users]).update(session_epoch=F("session_epoch") + 1)
        for user in users:
            record(actor, "user.sessions_end", user, reason=reason)
    return users
