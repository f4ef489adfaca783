"""A partner reads its marked copy of a text file in the browser.

The page shows exactly the bytes the partner's package holds for that file (the delivery
service renders them with the package's own function) and a read is a delivery like a
download: delivery.services.read_copy records it and its audit event before the page is made.
Outside the window, or a file the tier is not entitled to: not found, like the advisory page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from headstart.apps.advisories.models import Artifact, ArtifactKind
from headstart.apps.delivery.copies import procedure_name
from headstart.apps.delivery.services import READABLE_KINDS, read_copy
from headstart.errors import HeadstartError
from headstart.faces.portal.markdown import to_html
from headstart.faces.portal.people import actor_of, refuse, user_of

KIND_NAMES = {ArtifactKind.WRITEUP: "write-up", ArtifactKind.GUIDANCE: "guidance",
              ArtifactKind.TRIGGER_SPEC: "trigger procedure", ArtifactKind.POC_SOURCE: "PoC source",
              ArtifactKind.POC_BINARY: "binary PoC"}


def readable(artifacts: Iterable[Artifact]) -> list[dict[str, str]]:
    """The files of a partner's package it may read in the browser, from the artifacts the advisory
    page shows it (its tier's): name as in the package, and what it is."""
    return [{"name": procedure_name(a) if a.kind == ArtifactKind.TRIGGER_SPEC else a.name,
             "kind": KIND_NAMES.get(ArtifactKind(a.kind), a.kind)}
            for a in artifacts if a.kind in READABLE_KINDS]


def advisory_context(request: HttpRequest, artifacts: Iterable[Artifact]) -> dict[str, Any]:
    """What the advisory page links to: a partner's readable copies (staff have no copy)."""
    return {"copies": readable(artifacts) if user_of(request).partner is not None else []}


@never_cache  # Cache-Control: no-store (and private): a marked copy never waits in a cache
@login_required
@require_GET
def copy(request: HttpRequest, ident: str, name: str) -> HttpResponse:
    try:
        entry = read_copy(user_of(request), ident, name, actor=actor_of(request))
    except HeadstartError as exc:
        refuse(exc)
        return render(request, "portal/error.html", {"message": exc.message}, status=exc.status)
    text = entry.content.decode("utf-8", errors="replace")
    plain = entry.kind == ArtifactKind.POC_SOURCE or request.GET.get("plain") == "1"
    return render(request, "portal/copy.html", {
        "ident": ident, "name": entry.name, "kind": KIND_NAMES.get(ArtifactKind(entry.kind), entry.kind),
        "code": entry.kind == ArtifactKind.POC_SOURCE, "plain": plain, "text": text,
        "html": "" if plain else to_html(text), "sha256": entry.sha256, "size": len(entry.content)})
