"""Access and refresh tokens issued before hashed storage (COMPLIANT_BCP_RFC9700_TOKEN_STORAGE)
lose their clear copy: the toolkit looks them up by `token_checksum` (filled by its own
migrations and on every save), so they keep working, and the database no longer holds a token
anyone could replay. Not reversible (the clear tokens are gone by design)."""

from django.db import migrations


def forwards(apps, schema_editor):
    for name in ("AccessToken", "RefreshToken"):
        model = apps.get_model("oauth2_provider", name)
        model.objects.exclude(token="").exclude(token_checksum="").update(token="")


class Migration(migrations.Migration):

    dependencies = [
        ("obapi", "0002_seal_remote_host_client_secret"),
        ("oauth2_provider", "0022_refreshtoken_token_family_index"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
