"""CSAF 2.0 documents over the API: the edition of an advisory the caller may see."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from headstart.apps.csaf.documents import dumps
from headstart.apps.csaf.reads import document_for
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import Error

router = Router(tags=["csaf"])


@router.get("/advisories/{ident}/csaf", response={200: dict, 400: Error, 404: Error, 409: Error},
            openapi_extra={"responses": {"200": {"description": "a CSAF 2.0 document (csaf_security_advisory)",
                                                 "content": {"application/json": {}}}}})
def csaf_document(request: HttpRequest, ident: str, edition: str | None = None) -> HttpResponse:
    """The advisory as a CSAF 2.0 document: the partner edition (TLP:AMBER) while it is under
    embargo, the public edition (TLP:WHITE) from its patch time on. `edition=partner` or
    `edition=public` asks for one: a partner gets the partner edition of an advisory open to it
    and the public edition once public; staff get either. Every read is audited."""
    chosen, document = document_for(api_user(request), ident, actor=actor_for(request), edition=edition)
    response = HttpResponse(dumps(document), content_type="application/json")
    response["X-Headstart-CSAF-Edition"] = chosen
    return response
