"""Static files carry the security headers of every other response.

WhiteNoise answers /static/ before the CSP and X-Frame-Options middleware run, so it adds
their headers itself (WHITENOISE_ADD_HEADERS_FUNCTION); SecurityMiddleware, outside it, adds
the rest (nosniff, Referrer-Policy, Cross-Origin-Opener-Policy, HSTS in production).
"""

from __future__ import annotations

from wsgiref.headers import Headers


def add_security_headers(headers: Headers, path: str, url: str) -> None:
    from csp.utils import build_policy
    from django.conf import settings

    headers["Content-Security-Policy"] = build_policy()
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
