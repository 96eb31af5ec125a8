"""Signing keys at rest: sealed with AES-256-GCM under a master key that is not in the database.

A protocol with one real implementation (`MasterKeyStore`); the associated data binds each sealed
secret to its institution and key id, so a sealed blob copied onto another row does not open.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from microdegree import config

_VERSION = b"\x01"


class KeyStore(Protocol):
    def seal(self, secret: bytes, context: bytes) -> bytes: ...

    def open(self, sealed: bytes, context: bytes) -> bytes: ...


class MasterKeyStore:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes")
        self._aead = AESGCM(master_key)

    def seal(self, secret: bytes, context: bytes) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, secret, context)

    def open(self, sealed: bytes, context: bytes) -> bytes:
        if sealed[:1] != _VERSION:
            raise ValueError("unknown sealed-key format")
        return self._aead.decrypt(sealed[1:13], sealed[13:], context)


@cache
def default_keystore() -> KeyStore:
    return MasterKeyStore(config.master_key())
