"""One sharing model: `visibility` (public / link / hidden) replaces `hidden` + `share_enabled`.

A platform credential's public page answered everyone unless it was hidden, whatever
`share_enabled` said, so those become "public"; hidden ones stay hidden. An import had no
public page: shared becomes "link", the rest "hidden" (ADR 0027).

A share link the learner had switched off (or never switched on) must not start working again
under "public": those rows get a fresh token, so the old `/share/<token>` answers 404.
"""

import secrets

from django.db import migrations, models


def forwards(apps, schema_editor):
    preference = apps.get_model("records", "CredentialPreference")
    for row in preference.objects.filter(share_enabled=False).only("pk").iterator():
        preference.objects.filter(pk=row.pk).update(share_token=secrets.token_urlsafe(24))
    preference.objects.filter(hidden=True).update(visibility="hidden")
    preference.objects.filter(hidden=False, credential__isnull=False).update(visibility="public")
    preference.objects.filter(hidden=False, imported__isnull=False, share_enabled=True).update(
        visibility="link")
    preference.objects.filter(hidden=False, imported__isnull=False, share_enabled=False).update(
        visibility="hidden")
    if schema_editor.connection.vendor == "postgresql":
        # the updates queue deferred foreign-key checks; run them now, or PostgreSQL refuses
        # the ALTER TABLE (RemoveField) that follows in this transaction
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def backwards(apps, schema_editor):
    preference = apps.get_model("records", "CredentialPreference")
    preference.objects.filter(visibility="hidden").update(hidden=True, share_enabled=False)
    preference.objects.exclude(visibility="hidden").update(hidden=False, share_enabled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0007_importedcredential_addressed"),
    ]

    operations = [
        migrations.AddField(
            model_name="credentialpreference",
            name="visibility",
            field=models.CharField(
                choices=[("public", "Public"), ("link", "Shared by link only"),
                         ("hidden", "Hidden")],
                default="public", max_length=10),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="credentialpreference", name="hidden"),
        migrations.RemoveField(model_name="credentialpreference", name="share_enabled"),
    ]
