"""The public CSAF provider under /.well-known/csaf/: no sign-in, public editions only.

provider-metadata.json, the ROLIE feed and the program's public OpenPGP certificate are anyone's;
a public edition (with its hash files and its signature) is served from the advisory's patch time on. Before then its URL answers exactly as an unknown
one does (404), so nothing tells the public that an embargoed advisory exists. Responses may
be stored but must be revalidated, so an advisory appears in the feed as soon as it is public.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from headstart.apps.advisories.models import Advisory
from headstart.apps.csaf.documents import PUBLIC_FOLDER, dumps, ident_for_filename, pre_release_date
from headstart.apps.csaf.feeds import (
    HASHES,
    OPENPGP_FOLDER,
    SIGNATURE,
    hash_file,
    program_certificate,
    provider_metadata,
    rolie_feed,
    signature_file,
)
from headstart.apps.csaf.reads import public_document
from headstart.errors import NotFound


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, no_cache=True)
    response["Access-Control-Allow-Origin"] = "*"  # public data, readable by any consumer's page
    return response


def _json(data: dict[str, Any]) -> HttpResponse:
    return _public(HttpResponse(dumps(data), content_type="application/json"))


@require_safe
def metadata(request: HttpRequest) -> HttpResponse:
    return _json(provider_metadata())


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    return _json(rolie_feed())


def _document(year: int, name: str) -> tuple[Advisory, bytes]:
    """The public edition and its bytes, or Http404 (also for a year that is not the
    document's: one URL per document)."""
    ident = ident_for_filename(name)
    try:
        if ident is None:
            raise NotFound(name)
        advisory, document = public_document(ident)
    except NotFound:
        raise Http404("no such CSAF document") from None
    if pre_release_date(advisory).year != year:
        raise Http404("no such CSAF document")
    return advisory, dumps(document)


@require_safe
def document(request: HttpRequest, year: int, name: str) -> HttpResponse:
    _advisory, content = _document(year, name)
    return _public(HttpResponse(content, content_type="application/json"))


def _hash_view(algorithm: str) -> Callable[[HttpRequest, int, str], HttpResponse]:
    @require_safe
    def view(request: HttpRequest, year: int, name: str) -> HttpResponse:
        advisory, content = _document(year, name)
        return _public(HttpResponse(hash_file(advisory, content, algorithm), content_type="text/plain; charset=utf-8"))

    return view


@require_safe
def signature(request: HttpRequest, year: int, name: str) -> HttpResponse:
    _advisory, content = _document(year, name)
    return _public(HttpResponse(signature_file(content), content_type="application/pgp-signature"))


@require_safe
def openpgp_key(request: HttpRequest, fingerprint: str) -> HttpResponse:
    certificate = program_certificate(fingerprint)
    if certificate is None:
        raise Http404("no such OpenPGP key")
    return _public(HttpResponse(certificate, content_type="application/pgp-keys"))


# The hash and signature files first: a document's pattern would take their names too (and find nothing).
urlpatterns: list[URLPattern] = [
    path(f"{PUBLIC_FOLDER}/<int:year>/<str:name>.{algorithm}", _hash_view(algorithm), name=f"csaf-{algorithm}")
    for algorithm in HASHES
] + [
    path(f"{PUBLIC_FOLDER}/<int:year>/<str:name>.{SIGNATURE}", signature, name="csaf-signature"),
    path(f"{OPENPGP_FOLDER}/<str:fingerprint>.asc", openpgp_key, name="csaf-openpgp-key"),
    path("provider-metadata.json", metadata, name="csaf-provider-metadata"),
    path("feed-tlp-white.json", feed, name="csaf-feed"),
    path(f"{PUBLIC_FOLDER}/<int:year>/<str:name>", document, name="csaf-document"),
]
