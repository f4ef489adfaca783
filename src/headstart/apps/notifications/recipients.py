"""Who a partner's notifications go to: its contact address and its active users."""

from __future__ import annotations

from headstart.apps.partners.models import Partner


def contacts(partner: Partner) -> list[str]:
    """The partner's contact address and its active users' addresses: lower-case, each once."""
    emails = {partner.email.strip().lower()} if partner.email.strip() else set()
    emails.update(
        e.strip().lower() for e in partner.users.filter(is_active=True).values_list("email", flat=True)
    )
    return sorted(emails)
