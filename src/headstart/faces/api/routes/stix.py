"""STIX 2.1: the caller's bundle for an advisory (the TAXII server serves the same objects)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from headstart.apps.stix.bundles import STIX_MEDIA_TYPE, bundle_for
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import Error

router = Router(tags=["stix"])


@router.get("/advisories/{ident}/stix", response={200: bytes, 404: Error},
            openapi_extra={"responses": {"200": {"description": "a STIX 2.1 bundle: the program's identity, the "
                                                 "vulnerability, one indicator (pattern_type yara) per generated "
                                                 "rule the caller is entitled to, and their TLP 2.0 marking",
                                                 "content": {STIX_MEDIA_TYPE: {}}}}})
def stix_bundle(request: HttpRequest, ident: str) -> HttpResponse:
    """The caller's STIX 2.1 bundle for an advisory open to it (staff: with every indicator)."""
    body = bundle_for(api_user(request), ident, actor=actor_for(request))
    response = HttpResponse(body, content_type=STIX_MEDIA_TYPE)
    response["Cache-Control"] = "no-store"
    return response
