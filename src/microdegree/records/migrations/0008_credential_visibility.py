"""One sharing model: `visibility` (public / link / hidden) replaces `hidden` + `share_enabled`.

A platform credential's public page answered everyone unless it was hidden, whatever
`share_enabled` said, so those become "public"; hidden ones stay hidden. An import had no
public page: shared becomes "link", the rest "hidden" (ADR 0027).
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    preference = apps.get_model("records", "CredentialPreference")
    preference.objects.filter(hidden=True).update(visibility="hidden")
    preference.objects.filter(hidden=False, credential__isnull=False).update(visibility="public")
    preference.objects.filter(hidden=False, imported__isnull=False, share_enabled=True).update(
        visibility="link")
    preference.objects.filter(hidden=False, imported__isnull=False, share_enabled=False).update(
        visibility="hidden")


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
