"""A read-only TAXII 2.1 server: discovery at /taxii2/, one API root, one collection per partner.

Callers authenticate exactly as API scripts do (`Authorization: Bearer TOKEN`, through the
API's own BearerToken). A partner's user sees its partner's collection only; staff see every
partner's. What a collection holds, and the audit of every read of it, is decided in
headstart.apps.taxii.collections with the advisories' access rule: the objects of the advisories
open to that partner at the moment of the request.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from headstart.apps.accounts.models import User
from headstart.apps.accounts.tokens import TooManyRefusals
from headstart.apps.program.models import Program
from headstart.apps.stix.bundles import STIX_MEDIA_TYPE
from headstart.apps.taxii.collections import CollectionObject, collection_id, collections_for, read_collection
from headstart.errors import HeadstartError, Invalid, NotFound
from headstart.faces.api.auth import BearerToken
from headstart.faces.requests import request_actor

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
# The most objects one page holds; a client asks for fewer with ?limit=.
PAGE_LIMIT = 1000

View = Callable[..., HttpResponse]


def taxii_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(body, sort_keys=True), status=status, content_type=TAXII_MEDIA_TYPE)
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def taxii_error(status: int, title: str, description: str, headers: dict[str, str] | None = None) -> HttpResponse:
    """A TAXII error message (its http_status is a string, as the specification writes it)."""
    return taxii_response({"title": title, "description": description, "http_status": str(status)}, status, headers)


def _accepts_taxii(request: HttpRequest) -> bool:
    """TAXII 2.1 clients send its media type; a missing Accept or a wildcard takes what we have."""
    accept = request.headers.get("Accept", "")
    if not accept:
        return True
    for item in accept.split(","):
        media, *params = (part.strip().lower() for part in item.split(";"))
        if media in ("*/*", "application/*"):
            return True
        if media == "application/taxii+json" and all(p != "version=2.0" for p in params if p.startswith("version=")):
            return True
    return False


def taxii_view(view: Callable[..., HttpResponse]) -> View:
    """GET only (every read is audited, so none is answered without its body), the TAXII media
    type, a bearer token of a user who may act; service errors as TAXII error messages."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET":
            return taxii_error(405, "method not allowed", "this TAXII server is read-only", {"Allow": "GET"})
        if not _accepts_taxii(request):
            return taxii_error(406, "not acceptable", f"this server answers in {TAXII_MEDIA_TYPE}")
        try:
            user = BearerToken()(request)
        except TooManyRefusals as exc:
            return taxii_error(429, "too many requests", exc.message, {"Retry-After": str(exc.retry_after)})
        if not isinstance(user, User):
            return taxii_error(401, "authentication required", "send Authorization: Bearer TOKEN",
                               {"WWW-Authenticate": "Bearer"})
        try:
            return view(request, user, *args, **kwargs)
        except HeadstartError as exc:
            return taxii_error(exc.status, "not found" if isinstance(exc, NotFound) else "refused", exc.message)

    return wrapped


def _root_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("taxii:api-root"))


@taxii_view
def discovery(request: HttpRequest, user: User) -> HttpResponse:
    root = _root_url(request)
    return taxii_response({"title": f"{Program.get().name}: TAXII 2.1",
                           "description": "Each partner's STIX 2.1 objects for the advisories open to it.",
                           "default": root, "api_roots": [root]})


@taxii_view
def api_root(request: HttpRequest, user: User) -> HttpResponse:
    return taxii_response({"title": f"{Program.get().name}: advisories",
                           "description": "One collection per partner; read-only.",
                           "versions": [TAXII_MEDIA_TYPE], "max_content_length": 0})


def _collection(partner_id: str, name: str) -> dict[str, Any]:
    return {"id": partner_id, "title": f"{name}: advisories",
            "description": f"The STIX 2.1 objects of the advisories open to {name}, while they are open to it.",
            "can_read": True, "can_write": False, "media_types": [STIX_MEDIA_TYPE]}


@taxii_view
def collections(request: HttpRequest, user: User) -> HttpResponse:
    found = [_collection(collection_id(p), p.name) for p in collections_for(user)]
    return taxii_response({"collections": found} if found else {})


@taxii_view
def collection(request: HttpRequest, user: User, cid: str) -> HttpResponse:
    for partner in collections_for(user):
        if collection_id(partner) == cid:
            return taxii_response(_collection(cid, partner.name))
    raise NotFound(f"unknown collection {cid!r}")


# --- objects and manifest: filters and pages --------------------------------------------------

def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_timestamp(text: str, what: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{what}: {text!r} is not an RFC 3339 timestamp") from None
    if value.tzinfo is None:
        raise Invalid(f"{what}: {text!r} has no time zone")
    return value


class Selection:
    """A request's TAXII filters and page, applied to a collection's objects (oldest first)."""

    def __init__(self, request: HttpRequest, object_id: str | None) -> None:
        query = request.GET
        self.added_after = (_parse_timestamp(query["added_after"], "added_after")
                            if "added_after" in query else None)
        self.ids = {object_id} if object_id else _list(query.get("match[id]"))
        self.types = _list(query.get("match[type]"))
        self.spec_versions = _list(query.get("match[spec_version]"))
        versions = _list(query.get("match[version]"))
        # One version of each object is served at a time: first, last and all name the same one.
        self.versions = (None if not versions or versions & {"first", "last", "all"}
                         else {_parse_timestamp(v, "match[version]") for v in versions})
        self.limit = _count(query.get("limit"), "limit", PAGE_LIMIT, least=1)
        self.start = _count(query.get("next"), "next", 0, least=0)
        self.more = False

    def keep(self, o: CollectionObject) -> bool:
        return ((self.added_after is None or o.date_added > self.added_after)
                and (not self.ids or o.id in self.ids) and (not self.types or o.type in self.types)
                and (not self.spec_versions or "2.1" in self.spec_versions)
                and (self.versions is None or _parse_timestamp(o.version, "version") in self.versions))

    def __call__(self, objects: list[CollectionObject]) -> list[CollectionObject]:
        kept = [o for o in objects if self.keep(o)]
        self.more = self.start + self.limit < len(kept)
        return kept[self.start:self.start + self.limit]

    @property
    def next(self) -> str:
        return str(self.start + self.limit)


def _list(value: str | None) -> set[str]:
    return {v.strip() for v in value.split(",") if v.strip()} if value else set()


def _count(value: str | None, what: str, default: int, *, least: int) -> int:
    if value is None:
        return default
    # ASCII digits only (int() would take other scripts' digits), and few enough to mean a page.
    if not (value.isascii() and value.isdigit() and len(value) <= 9) or int(value) < least:
        raise Invalid(f"{what}: {value!r} must be a whole number of at least {least}")
    return min(int(value), PAGE_LIMIT) if what == "limit" else int(value)


def _page(request: HttpRequest, user: User, cid: str, action: str, object_id: str | None = None
          ) -> tuple[list[CollectionObject], dict[str, Any], dict[str, str]]:
    select = Selection(request, object_id)
    served = read_collection(user, cid, actor=request_actor(request, user), action=action, select=select)
    envelope: dict[str, Any] = {"more": select.more}
    if select.more:
        envelope["next"] = select.next
    headers = {}
    if served:
        headers = {"X-TAXII-Date-Added-First": _timestamp(min(o.date_added for o in served)),
                   "X-TAXII-Date-Added-Last": _timestamp(max(o.date_added for o in served))}
    return served, envelope, headers


@taxii_view
def objects(request: HttpRequest, user: User, cid: str) -> HttpResponse:
    served, envelope, headers = _page(request, user, cid, "taxii.objects")
    if served:
        envelope["objects"] = [o.object for o in served]
    return taxii_response(envelope, headers=headers)


@taxii_view
def object_by_id(request: HttpRequest, user: User, cid: str, object_id: str) -> HttpResponse:
    served, envelope, headers = _page(request, user, cid, "taxii.objects", object_id)
    if not served:
        raise NotFound(f"no object {object_id!r} in this collection")
    envelope["objects"] = [o.object for o in served]
    return taxii_response(envelope, headers=headers)


@taxii_view
def object_versions(request: HttpRequest, user: User, cid: str, object_id: str) -> HttpResponse:
    served, envelope, headers = _page(request, user, cid, "taxii.versions", object_id)
    if not served:
        raise NotFound(f"no object {object_id!r} in this collection")
    envelope["versions"] = [o.version for o in served]
    return taxii_response(envelope, headers=headers)


@taxii_view
def manifest(request: HttpRequest, user: User, cid: str) -> HttpResponse:
    served, envelope, headers = _page(request, user, cid, "taxii.manifest")
    if served:
        envelope["objects"] = [{"id": o.id, "date_added": _timestamp(o.date_added), "version": o.version,
                                "media_type": STIX_MEDIA_TYPE} for o in served]
    return taxii_response(envelope, headers=headers)
