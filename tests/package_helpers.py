"""Opening a package the way a partner would: decrypt, verify, untar."""

from __future__ import annotations

import io
import tarfile

import pysequoia


def open_package(data: bytes, secret, program_certificate: str) -> tuple[dict[str, bytes], bool]:  # type: ignore[no-untyped-def]
    """Decrypt with the partner's key, check the program's signature, return {name: bytes}."""
    signer = pysequoia.Cert.from_bytes(program_certificate.encode())
    decrypted = pysequoia.decrypt(data, decryptor=secret.decryptor(), store=lambda ids: [signer])
    files = {}
    with tarfile.open(fileobj=io.BytesIO(bytes(decrypted.bytes))) as tar:
        for member in tar.getmembers():
            if member.isfile():
                files[member.name.split("/", 1)[1]] = tar.extractfile(member).read()  # type: ignore[union-attr]
    return files, bool(decrypted.valid_sigs)


def api_get(user, ident: str, path: str):  # type: ignore[no-untyped-def]
    """GET /api/v1/advisories/{ident}/{path} with a fresh API token of ``user``."""
    from django.test import Client

    from headstart.apps.accounts.tokens import issue

    _, token = issue(user)
    return Client().get(f"/api/v1/advisories/{ident}/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")


def downloaded_package(keyed, ident: str) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """The files of the package ``keyed``'s analyst downloads over the API, its signature checked."""
    from headstart.apps.program.models import Program

    files, signed = open_package(api_get(keyed.analyst, ident, "package").getvalue(), keyed.secret,
                                 Program.get().signing_certificate)
    assert signed
    return files
