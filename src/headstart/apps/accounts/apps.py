from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "headstart.apps.accounts"
    label = "accounts"
    verbose_name = "Users and API tokens"
