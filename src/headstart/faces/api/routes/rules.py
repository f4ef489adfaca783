"""The detection rules generated from an advisory's trigger specifications: YARA for its binary
PoCs, Suricata for its network PoCs (?engine=suricata)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from headstart.apps.detection.reads import read_rules
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import Error

router = Router(tags=["detection"])
SUFFIX = {"yara": "yar", "suricata": "rules"}


class RulesQuery(Schema):
    engine: Literal["yara", "suricata"] = "yara"


@router.get("/advisories/{ident}/rules", response={200: str, 404: Error},
            openapi_extra={"responses": {"200": {"description": "YARA rules (source text), one per binary "
                                                 "proof-of-concept file the caller is entitled to; with "
                                                 "engine=suricata, Suricata rules, one per network PoC",
                                                 "content": {"text/plain": {}}}}})
def rules(request: HttpRequest, ident: str, query: Query[RulesQuery]) -> HttpResponse:
    """Rules that match the trigger condition of each PoC open to the caller: YARA rules for its
    binary PoCs, or with `engine=suricata` Suricata rules for its network PoCs (pcap)."""
    text = read_rules(api_user(request), ident, actor=actor_for(request), engine=query.engine)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ident}.{SUFFIX[query.engine]}"'
    return response
