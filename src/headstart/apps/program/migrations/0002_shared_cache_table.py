"""The table of the shared cache (settings.CACHES["shared"], Django's DatabaseCache).

Counters every process and server must agree on live there (refused API tokens per address),
so `headstart init` (migrate) and every test database create it. createcachetable leaves an
existing table alone, so this is safe on a database where an operator already ran it.
"""

from django.apps.registry import Apps
from django.core.management import call_command
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def create_cache_table(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    call_command("createcachetable", "headstart_shared_cache", database=schema_editor.connection.alias,
                 verbosity=0)


class Migration(migrations.Migration):

    dependencies = [
        ("program", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
