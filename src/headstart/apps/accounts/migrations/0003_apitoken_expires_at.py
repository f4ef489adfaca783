"""API tokens expire: existing tokens get the default lifetime from their creation."""

import datetime as dt

from django.conf import settings
from django.db import migrations, models


def expire_existing_tokens(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = dt.timedelta(days=getattr(settings, "HEADSTART_TOKEN_DAYS", 90))
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + days
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(help_text="refused from then on, like a revoked token"),
        ),
    ]
