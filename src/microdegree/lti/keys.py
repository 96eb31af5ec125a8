"""The tool's own RS256 key pair (LTI 1.3 requires RS256): made on first use, the private key
sealed with `institutions.keystore` (AES-256-GCM under the master key, bound to its kid), the
public half served at `/lti/jwks.json`."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from pylti1p3.registration import Registration

from microdegree.audit.services import log_action
from microdegree.institutions.keystore import default_keystore
from microdegree.lti.models import ToolKey


def _context(kid: str) -> bytes:
    return f"microdegree-lti-tool-key:{kid}".encode()


def key_context(key: ToolKey) -> bytes:
    """The associated data of a sealed tool key (master-key rotation re-seals with it)."""
    return _context(key.kid)


def public_jwk(public_pem: str) -> dict[str, Any]:
    """The JWK of a public key as the library writes it (kid = RFC 7638 thumbprint)."""
    return dict(Registration.get_jwk(public_pem))


def tool_key() -> ToolKey:
    """The active tool key, created (and audited) the first time one is needed."""
    key = ToolKey.objects.filter(retired_at__isnull=True).order_by("pk").last()
    if key is not None:
        return key
    try:
        return _create()
    except IntegrityError:  # another process made one first
        return ToolKey.objects.filter(retired_at__isnull=True).order_by("pk").last()


def _create() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    kid = str(public_jwk(public_pem)["kid"])
    with transaction.atomic():
        key = ToolKey.objects.select_for_update().filter(retired_at__isnull=True).last()
        if key is not None:
            return key
        key = ToolKey.objects.create(kid=kid, public_pem=public_pem,
                                     sealed_private=default_keystore().seal(private_pem,
                                                                            _context(kid)))
        log_action(None, "lti.tool_key_created", key, after={"kid": kid})
    return key


@lru_cache(maxsize=8)
def _open(pk: int, sealed: bytes, kid: str) -> str:
    del pk
    return default_keystore().open(sealed, _context(kid)).decode()


def private_pem(key: ToolKey) -> str:
    return _open(key.pk, bytes(key.sealed_private), key.kid)


def jwks() -> dict[str, Any]:
    """Every tool key's public JWK (retired ones too, for tokens still in flight)."""
    tool_key()
    return {"keys": [public_jwk(k.public_pem) for k in ToolKey.objects.order_by("pk")]}
