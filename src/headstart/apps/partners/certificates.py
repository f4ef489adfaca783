"""Replacing a partner's OpenPGP certificate: checked exactly as when the partner is added.

The caller decides who may do it (accounts.team: staff, or the partner's own admin)."""

from __future__ import annotations

from django.db import transaction

from headstart.apps.audit.services import Actor, record
from headstart.apps.partners.models import Partner
from headstart.apps.partners.services import PartnerInput, _clean_partner
from headstart.crypto.openpgp import CertificateError, armored
from headstart.errors import Invalid

# A public certificate with many signatures is some tens of kilobytes; more is not a certificate.
MAX_CERTIFICATE_BYTES = 256 * 1024


def replace_certificate(partner: Partner, data: bytes, *, actor: Actor) -> Partner:
    """Check ``data`` (armored or binary) as `partner add --pgp-cert` does (one public
    certificate, not revoked, not expired, able to encrypt; never a secret key) and make it the
    partner's. Packages prepared from then on are encrypted to it. Bad input changes nothing."""
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise Invalid(f"the certificate file is {len(data)} bytes; the limit is {MAX_CERTIFICATE_BYTES} bytes")
    try:
        text = armored(data)
    except CertificateError as exc:
        raise Invalid(f"OpenPGP certificate for {partner.name!r} is unusable: {exc}") from None
    # The same checks as adding the partner (name, e-mail and tier as they are, the certificate new).
    fields = _clean_partner(PartnerInput(partner.name, partner.tier.name, partner.email, text),
                            tier_for=lambda _name: partner.tier)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().select_related("tier").get(pk=partner.pk)
        old = locked.pgp_fingerprint
        locked.pgp_certificate = fields["pgp_certificate"]
        locked.pgp_fingerprint = fields["pgp_fingerprint"]
        locked.pgp_expires_at = fields["pgp_expires_at"]
        locked.save(update_fields=["pgp_certificate", "pgp_fingerprint", "pgp_expires_at"])
        record(actor, "partner.certificate", locked, old_fingerprint=old, pgp_fingerprint=locked.pgp_fingerprint,
               pgp_expires_at=locked.pgp_expires_at)
    return locked
