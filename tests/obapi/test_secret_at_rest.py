"""The client secret another OB API host issues us (RemoteHost) is kept only sealed under the
master key: the raw database row never holds it, the pull still works, a row read under another
master key (or moved onto another row) gives a clear error, and migration 0002 seals clear
secrets already stored (and its reverse opens them again)."""

from __future__ import annotations

import base64
import secrets
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from microdegree.audit.models import AuditEntry
from microdegree.institutions import keystore
from microdegree.obapi import client as pull_client
from microdegree.obapi.models import RemoteHost, SecretUnavailable

BEFORE = [("obapi", "0001_initial")]
AFTER = [("obapi", "0002_seal_remote_host_client_secret")]
SECRET = "s3cret-issued-by-the-other-host-0123456789"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _raw_rows(table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every column of every row, read with SQL (no ORM, no decryption)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        columns = [c[0] for c in cursor.description]
        return columns, list(cursor.fetchall())


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, memoryview):
        return value.tobytes()
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return str(value).encode()


def _assert_nowhere(secret: str, table: str) -> None:
    columns, rows = _raw_rows(table)
    assert rows
    needles = {secret.encode(), base64.b64encode(secret.encode())}
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            raw = _as_bytes(value)
            assert not any(n in raw for n in needles), f"{table}.{column} holds the secret"


@pytest.fixture
def other_host(live_server, settings):
    settings.PUBLIC_URL = live_server.url
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = True
    settings.MICRODEGREE_VERIFY_ALLOW_HTTP = True
    return live_server


@pytest.fixture
def master_key(monkeypatch):
    """Switch the master key the keystore uses (as on another server); restored afterwards."""

    def use(key: bytes) -> None:
        monkeypatch.setenv("MICRODEGREE_MASTER_KEY", base64.b64encode(key).decode())
        keystore.default_keystore.cache_clear()

    keystore.default_keystore.cache_clear()
    yield use
    keystore.default_keystore.cache_clear()


def _host(user: Any, secret: str = SECRET, **extra: Any) -> RemoteHost:
    host = RemoteHost(user=user, base_url="https://other.example",
                      authorization_url="https://other.example/authorize",
                      token_url="https://other.example/token",
                      api_url="https://other.example/ims/ob/v3p0", client_id="cid",
                      state=secrets.token_urlsafe(32), code_verifier="v" * 64,
                      redirect_uri="https://here.example/me/connect/callback", **extra)
    host.set_client_secret(secret)
    host.save()
    return host


@pytest.mark.django_db(transaction=True)
def test_connect_flow_stores_the_client_secret_only_sealed(other_host, learner):
    from oauth2_provider.models import Application

    ada, ben = learner("ada@other.example"), learner("ben@here.example")
    here, there = Client(), Client()
    here.force_login(ben)
    there.force_login(ada)
    start = here.post("/me/connect/", {"base_url": other_host.url})
    assert start.status_code == 302, start.content

    host = RemoteHost.objects.get(user=ben)
    secret = host.client_secret_value()
    assert len(secret) >= 20
    # what we decrypt is what the other host issued (it keeps only a hash of it)
    issued = Application.objects.get(client_id=host.client_id)
    assert check_password(secret, issued.client_secret)
    columns, _ = _raw_rows(RemoteHost._meta.db_table)
    assert "client_secret" not in columns
    assert "client_secret_sealed" in columns
    _assert_nowhere(secret, RemoteHost._meta.db_table)
    _assert_nowhere(secret, AuditEntry._meta.db_table)

    # the pull still authenticates with the secret it opened
    consent = there.get(_path(start["Location"]))
    assert consent.status_code == 200
    form = {k: v for k, v in consent.context["form"].initial.items() if v is not None}
    back = there.post(_path(start["Location"]), {**form, "allow": "on"})
    assert back.status_code == 302
    done = here.get(_path(back["Location"]))
    assert done.status_code == 200, done.content
    host.refresh_from_db()
    assert host.completed_at is not None
    _assert_nowhere(secret, RemoteHost._meta.db_table)


@pytest.mark.django_db
def test_no_secret_issued_stays_empty(learner):
    host = _host(learner("ben@here.example"), secret="")
    host.refresh_from_db()
    assert bytes(host.client_secret_sealed) == b""
    assert host.client_secret_value() == ""


@pytest.mark.django_db
def test_sealed_secret_does_not_open_on_another_row(learner):
    ben, cy = learner("ben@here.example"), learner("cy@here.example")
    mine, theirs = _host(ben), _host(cy, secret="another-secret")
    # a database writer copies Ben's sealed secret onto Cy's row
    RemoteHost.objects.filter(pk=theirs.pk).update(client_secret_sealed=mine.client_secret_sealed)
    theirs.refresh_from_db()
    with pytest.raises(SecretUnavailable, match="does not open"):
        theirs.client_secret_value()
    assert RemoteHost.objects.get(pk=mine.pk).client_secret_value() == SECRET


@pytest.mark.django_db
def test_row_under_another_master_key_gives_a_clear_error(learner, master_key, client):
    master_key(b"\x01" * 32)
    ben = learner("ben@here.example")
    host = _host(ben)
    assert RemoteHost.objects.get(pk=host.pk).client_secret_value() == SECRET

    master_key(b"\x02" * 32)  # the same row read on a server with another master key
    moved = RemoteHost.objects.get(pk=host.pk)
    with pytest.raises(SecretUnavailable, match="master key"):
        moved.client_secret_value()
    with pytest.raises(pull_client.PullError, match="cannot be read"):
        pull_client.finish_pull(ben, moved.state, "some-code")
    client.force_login(ben)
    answer = client.get(f"/me/connect/callback?code=abc&state={moved.state}")
    assert answer.status_code == 400
    assert "cannot be read on this server" in answer.content.decode()
    assert RemoteHost.objects.get(pk=host.pk).completed_at is None

    master_key(b"\x01" * 32)  # the right key opens it again
    assert RemoteHost.objects.get(pk=host.pk).client_secret_value() == SECRET


@pytest.mark.django_db(transaction=True)
def test_migration_seals_existing_clear_secrets_and_reverse_opens_them(make_user):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("obapi", "RemoteHost")
        ben = make_user("ben@here.example")
        fields = {"base_url": "https://other.example", "authorization_url": "https://o.example/a",
                  "token_url": "https://o.example/t", "api_url": "https://o.example/api",
                  "client_id": "cid", "code_verifier": "v" * 64,
                  "redirect_uri": "https://here.example/cb"}
        with_secret = old.objects.create(user_id=ben.pk, state="s-1", client_secret=SECRET,
                                         **fields)
        without = old.objects.create(user_id=ben.pk, state="s-2", client_secret="", **fields)
        _, rows = _raw_rows(RemoteHost._meta.db_table)
        assert any(SECRET.encode() in _as_bytes(v) for row in rows for v in row)  # clear before

        executor.loader.build_graph()
        executor.migrate(AFTER)

        columns, _ = _raw_rows(RemoteHost._meta.db_table)
        assert "client_secret" not in columns
        _assert_nowhere(SECRET, RemoteHost._meta.db_table)
        assert RemoteHost.objects.get(pk=with_secret.pk).client_secret_value() == SECRET
        assert bytes(RemoteHost.objects.get(pk=without.pk).client_secret_sealed) == b""

        executor.loader.build_graph()
        executor.migrate(BEFORE)  # reverse: the clear column comes back with the secret
        old = executor.loader.project_state(BEFORE).apps.get_model("obapi", "RemoteHost")
        assert old.objects.get(pk=with_secret.pk).client_secret == SECRET
        assert old.objects.get(pk=without.pk).client_secret == ""
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
