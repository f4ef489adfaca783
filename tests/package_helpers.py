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
