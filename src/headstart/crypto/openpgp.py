"""The one place Headstart talks to OpenPGP (pysequoia), kept small because its API is young.

Keys use the RFC 4880 profile so GnuPG 2.2 peers can read what we send.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import pysequoia as pgp


class CertificateError(ValueError):
    """An OpenPGP certificate that cannot be used to encrypt to its holder."""


@dataclass(frozen=True)
class CertificateInfo:
    fingerprint: str
    user_ids: tuple[str, ...]
    expires_at: dt.datetime | None


def _first_line(exc: BaseException) -> str:
    """Sequoia's messages may carry a Rust backtrace; keep the one line a person needs."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


_SECRET_KEY_MESSAGE = "this is a secret key; send only the public certificate (gpg --export --armor)"


def _holds_secret_key(data: bytes | str) -> bool:
    """True if ``data`` carries secret key material in any framing: a private key armor block
    anywhere in the text (Sequoia skips text before the armor header), a binary stream that
    starts with a secret key packet (tag 5) or secret subkey packet (tag 7), or any secret
    part in a certificate Sequoia finds in it. Certificates that hold secrets are dropped at once."""
    raw = data.encode() if isinstance(data, str) else data
    if b"PRIVATE KEY BLOCK-----" in raw:
        return True
    stripped = raw.lstrip()
    if stripped and stripped[0] & 0x80:
        first = stripped[0]
        tag = first & 0x3F if first & 0x40 else (first >> 2) & 0x0F
        if tag in (5, 7):
            return True
    try:
        certs = pgp.Cert.split_bytes(raw)
    except Exception:  # noqa: BLE001 - not OpenPGP at all: _parse says so
        return False
    # pysequoia 0.1 marks Cert.has_secret_keys deprecated (in favour of Tsk), yet it is the only
    # way to ask a parsed certificate whether secrets came with it.
    with warnings.catch_warnings(action="ignore", category=DeprecationWarning):
        return any(cert.has_secret_keys for cert in certs)


def _parse(data: bytes | str) -> pgp.Cert:
    raw = data.encode() if isinstance(data, str) else data
    if not raw.strip():
        raise CertificateError("the OpenPGP certificate is empty")
    try:
        return pgp.Cert.from_bytes(raw)
    except Exception as exc:  # noqa: BLE001 - pysequoia's errors have no documented types
        raise CertificateError(f"not an OpenPGP certificate: {_first_line(exc)}") from None


def validate_certificate(data: bytes | str, *, now: dt.datetime | None = None) -> CertificateInfo:
    """Check that ``data`` is one public certificate we can encrypt to right now.

    Rejects secret keys (a partner must never hand us its secret), revoked or expired
    certificates, and certificates without a valid encryption-capable key."""
    if _holds_secret_key(data):
        raise CertificateError(_SECRET_KEY_MESSAGE)
    cert = _parse(data)
    fpr = str(cert.fingerprint).upper()
    if cert.is_revoked:
        raise CertificateError(f"certificate {fpr} is revoked")
    now = now or dt.datetime.now(dt.UTC)
    expires = cert.expiration
    if expires is not None and expires <= now:
        raise CertificateError(f"certificate {fpr} expired on {expires:%Y-%m-%d}")
    try:
        pgp.encrypt(b"probe", recipients=[cert])
    except Exception as exc:  # noqa: BLE001 - pysequoia's errors have no documented types
        raise CertificateError(f"certificate {fpr} has no usable encryption key: {_first_line(exc)}") from None
    return CertificateInfo(fingerprint=fpr,
                           user_ids=tuple(str(u) for u in cert.user_ids), expires_at=expires)


def generate_signing_key(user_id: str) -> tuple[str, str]:
    """A new key: (armored secret key, armored public certificate). The program's key comes from
    here, and the demo partners' when gpg is missing (crypto.gnupg makes them otherwise): v4 keys
    (RFC 4880 profile), as GnuPG 2.2 refuses v6 keys. Their self-signatures still advertise
    SEIPDv2, so Sequoia encrypts to them in a form GnuPG 2.2 cannot read, and pysequoia 0.1 can
    change neither (tests/faces/cli/test_cli_keys_gnupg.py)."""
    tsk = pgp.Tsk.generate(user_id=user_id, profile=pgp.Profile.RFC4880)
    return str(tsk), str(tsk.extract_certificate())


def fingerprint(key_or_cert: bytes | str) -> str:
    raw = key_or_cert.encode() if isinstance(key_or_cert, str) else key_or_cert
    return str(pgp.Cert.from_bytes(raw).fingerprint).upper()


def sign_and_encrypt(data: bytes, *, signing_key: str, recipient_cert: bytes | str) -> bytes:
    """Sign with the program key and encrypt to the partner; binary OpenPGP message."""
    validate_certificate(recipient_cert)
    tsk = pgp.Tsk.from_bytes(signing_key.encode())
    return bytes(pgp.encrypt(data, recipients=[_parse(recipient_cert)], signer=tsk.signer(), armor=False))


def clearsign(text: str, *, signing_key: str) -> str:
    tsk = pgp.Tsk.from_bytes(signing_key.encode())
    return bytes(pgp.sign(tsk.signer(), text.encode(), mode=pgp.SignatureMode.CLEAR)).decode()


def public_certificate(signing_key: str) -> str:
    return str(pgp.Tsk.from_bytes(signing_key.encode()).extract_certificate())


def armored(raw: bytes) -> str:
    """A certificate file's content as ASCII armor (binary certificates are converted).

    Refuses secret keys: converting one would silently keep only its public part."""
    if _holds_secret_key(raw):
        raise CertificateError(_SECRET_KEY_MESSAGE)
    if raw.lstrip().startswith(b"-----BEGIN PGP"):
        return raw.decode("ascii", errors="replace")
    return str(_parse(raw))


class DecryptionError(ValueError):
    """A message that cannot be decrypted with the key given, or is not signed by the expected key."""


def decrypt_and_verify(data: bytes, *, secret_key: bytes | str, signer_cert: bytes | str) -> bytes:
    """What a partner does with a package: decrypt with its key, require the program's signature."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    try:
        tsk = pgp.Tsk.from_bytes(key)
        has_secret = pgp.Cert.from_bytes(key).has_secret_keys
    except Exception as exc:  # noqa: BLE001 - pysequoia's errors have no documented types
        raise DecryptionError(f"cannot decrypt: the key is not an OpenPGP key ({_first_line(exc)})") from None
    if not has_secret:
        raise DecryptionError("cannot decrypt: this is a public certificate; give the secret key that belongs to it")
    signer = _parse(signer_cert)
    try:
        decrypted = pgp.decrypt(data, decryptor=tsk.decryptor(), store=lambda ids: [signer])
    except Exception as exc:  # noqa: BLE001 - pysequoia's errors have no documented types
        raise DecryptionError(f"cannot decrypt: {_first_line(exc)}") from None
    if not decrypted.valid_sigs:
        raise DecryptionError("the message is not signed by the expected key")
    if decrypted.bytes is None:  # pysequoia gives None only when it wrote to a file
        raise DecryptionError("the message carries no content")
    return bytes(decrypted.bytes)


def verify_clearsigned(signed_text: str, *, signer_cert: str) -> str | None:
    """The text a clearsigned message carries if ``signer_cert`` signed it, else None."""
    try:
        verified = pgp.verify(bytes=signed_text.encode(), store=lambda ids: [_parse(signer_cert)])
    except Exception:  # noqa: BLE001 - pysequoia raises plain exceptions for any bad or foreign signature
        return None
    if not verified.valid_sigs or verified.bytes is None:
        return None
    return bytes(verified.bytes).decode("utf-8", errors="replace")
