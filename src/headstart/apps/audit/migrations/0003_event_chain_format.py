"""Record each event's chain format: the events already written are unkeyed (1).

On SQLite, adding a NOT NULL column rebuilds the table, which drops its triggers: the
append-only triggers of 0002 are created again afterwards.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# The same triggers as 0002 (a migration keeps its own copy: later edits must not change it).
SQLITE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]


def recreate_triggers(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(
                default=1, help_text="chain format: 1 unkeyed SHA-256 (before the audit key), "
                                     "2 HMAC-SHA256 under the audit key"),
            preserve_default=False,
        ),
        migrations.RunPython(recreate_triggers, migrations.RunPython.noop),
    ]
