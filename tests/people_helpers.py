"""Helpers of the people pages' tests (team, invitations, certificate, tokens)."""

from __future__ import annotations

from django.test import Client


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    """A browser signed in as ``user`` (second factor passed), checking CSRF like a real one."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # sets the CSRF cookie
    return client


def post(client: Client, url: str, data: dict | None = None, **extra):  # type: ignore[no-untyped-def]
    """A form POST carrying the CSRF token, as the page's form sends it."""
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value}, **extra)
