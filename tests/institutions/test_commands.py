"""Key operations as an operator runs them: management commands, dry runs, audit entries."""

from __future__ import annotations

import base64
import io
import secrets

import pytest
from cryptography.exceptions import InvalidTag
from django.core.management import CommandError, call_command

from microdegree.audit.models import AuditEntry
from microdegree.institutions import keystore, services
from microdegree.institutions.models import SigningKey
from microdegree.records import platform


def _clear_caches() -> None:
    keystore.default_keystore.cache_clear()
    services._open_key.cache_clear()
    platform._open.cache_clear()


@pytest.fixture
def master_key(monkeypatch):
    """A known current master key; caches cleared before and after, env restored after."""
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setenv("MICRODEGREE_MASTER_KEY", key)
    _clear_caches()
    yield key
    _clear_caches()


def _run(*args: str, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_master_key_rotation_reseals_everything_and_old_key_stops_opening(
        master_key, institution, tmp_path, monkeypatch):
    before_inst = services.signer_for(institution)[0].public_multibase
    platform.platform_key()
    before_platform = platform.signer()[0].public_multibase
    new_file = tmp_path / "new.key"
    assert "wrote a new master key" in _run("rotate_master_key", generate=new_file)
    assert oct(new_file.stat().st_mode & 0o777) == "0o600"

    out = _run("rotate_master_key", new_key_file=new_file)

    assert "re-sealed 1 value(s) of institutions.SigningKey.sealed_secret" in out
    assert "re-sealed 1 value(s) of records.PlatformKey.sealed_secret" in out
    entry = AuditEntry.objects.get(action="institutions.master_key_rotated")
    assert entry.after["resealed"]["institutions.SigningKey.sealed_secret"] == 1
    # The old key opens nothing any more; the new one opens the same keys.
    row = SigningKey.objects.get(institution=institution, retired_at__isnull=True)
    old_store = keystore.MasterKeyStore(base64.b64decode(master_key))
    with pytest.raises(InvalidTag):
        old_store.open(bytes(row.sealed_secret), services.key_context(row))
    monkeypatch.setenv("MICRODEGREE_MASTER_KEY", new_file.read_text().strip())
    _clear_caches()
    assert services.signer_for(institution)[0].public_multibase == before_inst
    assert platform.signer()[0].public_multibase == before_platform


def test_master_key_dry_run_changes_nothing(master_key, institution, tmp_path):
    sealed = {k.pk: bytes(k.sealed_secret) for k in SigningKey.objects.all()}
    new_file = tmp_path / "new.key"
    _run("rotate_master_key", generate=new_file)

    out = _run("rotate_master_key", new_key_file=new_file, dry_run=True)

    assert "would re-seal" in out
    assert "nothing changed" in out
    assert {k.pk: bytes(k.sealed_secret) for k in SigningKey.objects.all()} == sealed
    assert not AuditEntry.objects.filter(action="institutions.master_key_rotated").exists()


def test_master_key_rotation_refuses_when_the_current_key_is_wrong(
        master_key, institution, tmp_path, monkeypatch):
    sealed = {k.pk: bytes(k.sealed_secret) for k in SigningKey.objects.all()}
    monkeypatch.setenv("MICRODEGREE_MASTER_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    _clear_caches()
    new_file = tmp_path / "new.key"
    _run("rotate_master_key", generate=new_file)

    with pytest.raises(CommandError, match="does not open with the current master key"):
        _run("rotate_master_key", new_key_file=new_file)

    assert {k.pk: bytes(k.sealed_secret) for k in SigningKey.objects.all()} == sealed


def test_master_key_rotation_refuses_a_malformed_key_file(master_key, db, tmp_path):
    bad = tmp_path / "bad.key"
    bad.write_text(base64.b64encode(b"short").decode())
    with pytest.raises(CommandError, match="a master key is 32 bytes"):
        _run("rotate_master_key", new_key_file=bad)
    with pytest.raises(CommandError, match="--new-key-file"):
        _run("rotate_master_key")


def test_signing_key_rotation_command(master_key, institution):
    first = services.active_key(institution)

    dry = _run("rotate_signing_key", institution.slug, dry_run=True)
    assert f"would retire {first.fragment}" in dry
    assert services.active_key(institution).pk == first.pk

    out = _run("rotate_signing_key", institution.slug)
    new = services.active_key(institution)
    assert new.pk != first.pk
    assert new.fragment in out
    # The old public key stays in the DID document, so credentials it signed keep verifying.
    methods = [m["id"] for m in services.did_document(institution)["verificationMethod"]]
    assert any(m.endswith(f"#{first.fragment}") for m in methods)
    entry = AuditEntry.objects.filter(action="institution.key_rotated").latest("id")
    assert entry.actor_label == "manage rotate_signing_key"


def test_signing_key_rotation_command_names_an_unknown_institution(db):
    with pytest.raises(CommandError, match="no institution with the slug 'nope'"):
        _run("rotate_signing_key", "nope")
