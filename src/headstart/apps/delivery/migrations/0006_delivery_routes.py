"""Deliveries by route (download, portal, export) and by whom, for every copy.

Copies recorded before this migration were all delivered by download (the API and the portal
shared that path; they cannot be told apart afterwards). Each gets a `download` delivery named
after the earliest `package.download` event of its partner whose files include its digest, and
an `export` delivery when an earlier `copy.export` for that partner wrote the same digest; a copy
with no such event keeps an unnamed download at its first delivery time.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

BATCH = 2000


def _earliest(events: Any, partner_of: Any) -> dict[tuple[str, str, str, str], tuple[str, Any, int]]:
    """(partner, advisory, file, sha256) -> (actor, at, seq) of the earliest event naming that file."""
    found: dict[tuple[str, str, str, str], tuple[str, Any, int]] = {}
    for ev in events.order_by("seq").iterator(chunk_size=BATCH):
        details = ev.details if isinstance(ev.details, dict) else {}
        for f in details.get("files") or []:
            if isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("sha256"), str):
                found.setdefault((partner_of(ev), ev.object_id, f["name"], f["sha256"]), (ev.actor, ev.at, ev.seq))
    return found


def backfill(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Copy = apps.get_model("delivery", "Copy")
    Delivery = apps.get_model("delivery", "Delivery")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.filter(object_type="advisory")
    downloads = _earliest(events.filter(action="package.download"), lambda ev: ev.partner)
    exports = _earliest(events.filter(action="copy.export"),
                        lambda ev: (ev.details or {}).get("partner_name", "") if isinstance(ev.details, dict) else "")
    rows = []
    for c in Copy.objects.select_related("partner", "artifact__advisory").iterator(chunk_size=BATCH):
        key = (c.partner.name, c.artifact.advisory.ident, c.file_name, c.sha256)
        actor, at, seq = downloads.get(key, ("", c.first_delivered_at, None))
        rows.append(Delivery(copy=c, route="download", by=actor, at=at, audit_seq=seq))
        if key in exports:
            actor, at, seq = exports[key]
            rows.append(Delivery(copy=c, route="export", by=actor, at=at, audit_seq=seq))
        if len(rows) >= BATCH:
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("delivery", "0005_packages_by_digest_without_journal"),
        ("audit", "0003_event_chain_format"),
    ]

    operations = [
        migrations.CreateModel(
            name="Delivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("route", models.CharField(choices=[
                    ("download", "downloaded as a package (API or the partner client)"),
                    ("portal", "downloaded in the browser (portal)"),
                    ("export", "exported in plain form by staff (headstart copy export)")], max_length=16)),
                ("by", models.CharField(blank=True, max_length=320, help_text=(
                    "who took the copy: the partner user, or the staff member who exported it"))),
                ("at", models.DateTimeField(default=django.utils.timezone.now, help_text=(
                    "first delivery of this copy by this route to or by this person"))),
                ("audit_seq", models.PositiveBigIntegerField(blank=True, null=True, help_text=(
                    "the audit event that recorded it (none for deliveries recorded before routes were)"))),
                ("copy", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                           related_name="deliveries", to="delivery.copy")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("copy", "route", "by"),
                                                        name="one_delivery_per_route_and_person")],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
