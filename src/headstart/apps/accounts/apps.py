from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "headstart.apps.accounts"
    label = "accounts"
    verbose_name = "Users and API tokens"

    def ready(self) -> None:
        # Connect the receivers that audit sign-ins and revoke a suspended partner's tokens.
        from headstart.apps.accounts import receivers  # noqa: F401
