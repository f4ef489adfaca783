"""Signals the partners app sends, so that other apps react without the partners app knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by services.set_status inside its transaction, after the partner row is updated, with
# partner, old_status, new_status and actor. Receivers that write join the same transaction,
# so their changes commit (or roll back) with the status change.
partner_status_changed = Signal()
