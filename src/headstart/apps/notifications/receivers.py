"""Notifications follow partners and advisories: connected in NotificationsConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from headstart.apps.advisories.signals import advisory_withdrawn
from headstart.apps.notifications import services
from headstart.apps.partners.models import PartnerStatus
from headstart.apps.partners.signals import partner_status_changed


@receiver(partner_status_changed, dispatch_uid="notifications.cancel_for_partner")
def cancel_on_suspension(sender: Any, *, partner: Any, new_status: str, actor: Any, **kwargs: Any) -> None:
    if new_status in (PartnerStatus.SUSPENDED, PartnerStatus.EXPELLED):
        services.cancel_for_partner(partner, new_status=new_status, actor=actor)


@receiver(advisory_withdrawn, dispatch_uid="notifications.notify_withdrawal")
def notify_on_withdrawal(
    sender: Any, *, advisory: Any, old_status: str, actor: Any, now: Any, **kwargs: Any
) -> None:
    services.notify_withdrawal(advisory, old_status=old_status, actor=actor, now=now)
