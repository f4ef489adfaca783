"""Packages for partners, and the program's public certificate to verify them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from ninja import Router, Schema

from headstart.apps.delivery.services import fetch_package
from headstart.apps.program.models import Program
from headstart.faces.api.auth import actor_for, api_user
from headstart.faces.api.schemas import Error
from headstart.faces.requests import package_response

router = Router(tags=["delivery"])


class ProgramOut(Schema):
    name: str
    signing_fingerprint: str
    signing_certificate: str


@router.get("/program", response=ProgramOut)
def program(request: HttpRequest) -> dict[str, str]:
    """The program's public OpenPGP certificate: packages are signed with it."""
    p = Program.get()
    return {"name": p.name, "signing_fingerprint": p.signing_fingerprint, "signing_certificate": p.signing_certificate}


@router.get("/advisories/{ident}/package", response={200: bytes, 400: Error, 403: Error, 404: Error},
            openapi_extra={"responses": {"200": {"description": "OpenPGP message (binary): signed by the program, "
                                                 "encrypted to the partner's certificate; decrypts to a tar archive",
                                                 "content": {"application/octet-stream": {}}}}})
def package(request: HttpRequest, ident: str) -> HttpResponseBase:
    """The caller's partner's package for an advisory open to it."""
    return package_response(fetch_package(api_user(request), ident, actor=actor_for(request)))
