"""RemoteHost.client_secret sealed at rest: AES-256-GCM under the master key (institutions.keystore),
bound to its row by the associated data; the clear column is removed.

Forwards seals every existing clear secret into `client_secret_sealed`; backwards opens them into
the clear column again (and stops with a clear error if one does not open with this master key).
"""

from cryptography.exceptions import InvalidTag
from django.db import migrations, models

from microdegree.institutions import keystore

# Frozen copy of obapi.models.client_secret_context: the associated data must stay the same.
PURPOSE = "obapi.RemoteHost.client_secret"


def _context(user_id, state):
    return f"{PURPOSE}:{user_id}:{state}".encode()


def seal_client_secrets(apps, schema_editor):
    RemoteHost = apps.get_model("obapi", "RemoteHost")
    rows = RemoteHost.objects.using(schema_editor.connection.alias).exclude(client_secret="")
    if not rows.exists():
        return
    store = keystore.default_keystore()
    for host in rows.only("pk", "user_id", "state", "client_secret").iterator():
        sealed = store.seal(host.client_secret.encode(), _context(host.user_id, host.state))
        RemoteHost.objects.using(schema_editor.connection.alias).filter(pk=host.pk).update(
            client_secret_sealed=sealed, client_secret="")


def open_client_secrets(apps, schema_editor):
    RemoteHost = apps.get_model("obapi", "RemoteHost")
    rows = RemoteHost.objects.using(schema_editor.connection.alias).exclude(
        client_secret_sealed=b"")
    if not rows.exists():  # nothing sealed: no master key needed to go back
        return
    store = keystore.default_keystore()
    for host in rows.only("pk", "user_id", "state", "client_secret_sealed").iterator():
        sealed = bytes(host.client_secret_sealed or b"")
        if not sealed:
            continue
        try:
            secret = store.open(sealed, _context(host.user_id, host.state)).decode()
        except (InvalidTag, ValueError, UnicodeDecodeError) as exc:
            raise RuntimeError(
                f"obapi.RemoteHost {host.pk}: the sealed client secret does not open with this "
                "master key; cannot restore the clear column") from exc
        RemoteHost.objects.using(schema_editor.connection.alias).filter(pk=host.pk).update(
            client_secret=secret)


class Migration(migrations.Migration):

    dependencies = [
        ("obapi", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="remotehost",
            name="client_secret_sealed",
            field=models.BinaryField(blank=True, default=b""),
        ),
        migrations.RunPython(seal_client_secrets, open_client_secrets),
        migrations.RemoveField(
            model_name="remotehost",
            name="client_secret",
        ),
    ]
