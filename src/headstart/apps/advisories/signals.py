"""Signals the advisories app sends, so that other apps react without the advisories app knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by services.withdraw_advisory inside its transaction, after the status became withdrawn,
# with advisory, old_status, reason, actor and now. Receivers that write join the same transaction.
advisory_withdrawn = Signal()
