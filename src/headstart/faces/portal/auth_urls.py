"""Sign-in, second factor and password pages (django-allauth's views, under allauth's URL names).

Only the views Headstart uses are routed: no self sign-up, no e-mail management (addresses are
set by staff and invitations), no sign-in by e-mailed code. The sign-in page is /login/."""

from __future__ import annotations

from allauth.account import views as account
from django.urls import include, path, re_path

login = account.LoginView.as_view(template_name="portal/login.html")

urlpatterns = [
    path("login/", login, name="account_login"),
    path("logout/", account.logout, name="account_logout"),
    path("accounts/reauthenticate/", account.reauthenticate, name="account_reauthenticate"),
    path("accounts/password/change/", account.password_change, name="account_change_password"),
    path("accounts/password/set/", account.password_set, name="account_set_password"),
    path("accounts/password/reset/", account.password_reset, name="account_reset_password"),
    path("accounts/password/reset/done/", account.password_reset_done, name="account_reset_password_done"),
    path("accounts/password/reset/key/done/", account.password_reset_from_key_done,
         name="account_reset_password_from_key_done"),
    re_path(r"^accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$", account.password_reset_from_key,
            name="account_reset_password_from_key"),
    path("accounts/2fa/", include("allauth.mfa.urls")),
]
