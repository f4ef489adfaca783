"""Users (PSIRT staff and partner members) and their API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.crypto import salted_hmac


class Role(models.TextChoices):
    STAFF = "staff", "PSIRT staff"
    PARTNER_ADMIN = "admin", "Partner admin"
    PARTNER_ANALYST = "analyst", "Partner analyst"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, role=Role.STAFF)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """Signs in with an e-mail address. Staff have no partner; partner users have exactly one."""

    # Django's way to drop AbstractUser's field; the stubs type it as a CharField.
    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    partner = models.ForeignKey("partners.Partner", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="users")
    # Bumped to end every session signed in before (suspension, expulsion); never lowered, so an
    # old session stays signed out when the partner is reinstated.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    # The stubs expect contrib.auth's UserManager, whose create_user takes a username.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="staff_have_no_partner_and_members_have_one",
                condition=(models.Q(role="staff", partner__isnull=True)
                           | (models.Q(role__in=["admin", "analyst"]) & models.Q(partner__isnull=False))),
            )
        ]

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, which every session carries and is checked against on
        each request, here also bound to the session epoch. Epoch 0 keeps Django's own hash, so
        sessions signed in before the epoch existed stay valid until it is first bumped."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]  # private: not in the stubs
        return salted_hmac("headstart.accounts.User.session_auth_hash", f"{self.password}\n{self.session_epoch}",
                           secret=secret, algorithm="sha256").hexdigest()

    @property
    def is_psirt(self) -> bool:
        return self.role == Role.STAFF

    @property
    def audit_id(self) -> str:
        return self.email

    def __str__(self) -> str:
        return self.email


class ApiToken(models.Model):
    """A bearer token for scripts. Only its SHA-256 is stored; the token is shown once.

    It works until it expires or is revoked, whichever comes first."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="what its owner calls it (which script, which host)")
    prefix = models.CharField(max_length=16, help_text="first characters, to recognise a token in lists")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text="refused from then on, like a revoked token")
    # Set once and never cleared: revocation is final (a suspended partner's reinstatement
    # does not revive its tokens; its users get new ones).
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}... ({self.user})"


# Registered with this app from here; the invitation module names User by label, so no cycle.
from headstart.apps.accounts.invitation_models import Invitation  # noqa: E402, F401
