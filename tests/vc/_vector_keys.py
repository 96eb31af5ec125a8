"""Test-only signer for vector keys (stands in until `microdegree.vc.keys.Ed25519Key` lands)."""

from __future__ import annotations

from dataclasses import dataclass

import base58
import nacl.signing

_SECRET_HEADER = b"\x80\x26"
_PUBLIC_HEADER = b"\xed\x01"


@dataclass(frozen=True)
class VectorKey:
    seed: bytes

    @property
    def public(self) -> bytes:
        return bytes(nacl.signing.SigningKey(self.seed).verify_key)

    def sign(self, data: bytes) -> bytes:
        return nacl.signing.SigningKey(self.seed).sign(data).signature

    @classmethod
    def from_secret_multibase(cls, value: str) -> VectorKey:
        raw = base58.b58decode(value[1:])
        assert raw[:2] == _SECRET_HEADER
        return cls(raw[2:34])


def public_from_multibase(value: str) -> bytes:
    raw = base58.b58decode(value[1:])
    assert raw[:2] == _PUBLIC_HEADER
    return raw[2:]
