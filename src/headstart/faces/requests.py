"""What every web face builds from a request the same way: the actor, and a package download."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase

from headstart.apps.accounts.models import User
from headstart.apps.audit.services import Actor
from headstart.apps.delivery.services import FetchedPackage


def client_ip(request: HttpRequest) -> str | None:
    # Behind a proxy, the WSGI server is configured to pass the client address as REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or None


def request_actor(request: HttpRequest, user: User) -> Actor:
    """The audit log's actor for a signed-in user's request (API token or browser session)."""
    return Actor(name=user.email, partner=user.partner.name if user.partner else "", ip=client_ip(request),
                 user_id=user.pk)


def package_response(fetched: FetchedPackage) -> HttpResponseBase:
    """A download already authorised and recorded: hand the prepared file to the front server
    when one is configured (HEADSTART_SENDFILE), else stream it from the packages storage."""
    response: HttpResponseBase
    if settings.HEADSTART_SENDFILE:
        response = HttpResponse(content_type="application/octet-stream")
        if settings.HEADSTART_SENDFILE == "nginx":
            response["X-Accel-Redirect"] = settings.HEADSTART_SENDFILE_URL + fetched.name
        else:
            response["X-Sendfile"] = str(fetched.path)
    else:
        response = FileResponse(fetched.open(), content_type="application/octet-stream")
        response["Content-Length"] = str(fetched.size)
    response["Content-Disposition"] = f'attachment; filename="{fetched.advisory}.tar.pgp"'
    response["X-Headstart-Package-SHA256"] = fetched.plaintext_sha256
    response["Cache-Control"] = "no-store"
    return response
