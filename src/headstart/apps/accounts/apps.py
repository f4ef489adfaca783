from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "headstart.apps.accounts"
    label = "accounts"
    verbose_name = "Users and API tokens"

    def ready(self) -> None:
        # Connect the receivers that audit sign-ins and revoke a suspended partner's tokens.
        from headstart.apps.accounts import receivers  # noqa: F401

        self._unregister_allauth_admin()

    @staticmethod
    def _unregister_allauth_admin() -> None:
        """django-allauth's admin edits e-mail addresses and second factors directly, with no
        audit event. Users' addresses are Headstart's own (User.email) and second factors are
        changed by their owner only (in the portal, audited). The admin has loaded every app's
        admin module before this runs (its ready() comes first)."""
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator
        from django.contrib import admin

        for model in (EmailAddress, Authenticator):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
