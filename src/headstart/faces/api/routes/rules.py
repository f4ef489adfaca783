"""The YARA rules generated from an advisory's trigger specifications."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from headstart.apps.detection.reads import read_rules
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import Error

router = Router(tags=["detection"])


@router.get("/advisories/{ident}/rules", response={200: str, 404: Error},
            openapi_extra={"responses": {"200": {"description": "YARA rules (source text), one per binary "
                                                 "proof-of-concept file the caller is entitled to",
                                                 "content": {"text/plain": {}}}}})
def rules(request: HttpRequest, ident: str) -> HttpResponse:
    """YARA rules that match the trigger condition of each binary PoC open to the caller."""
    text = read_rules(api_user(request), ident, actor=actor_for(request))
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ident}.yar"'
    return response
