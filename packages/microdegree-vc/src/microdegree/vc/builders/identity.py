"""IdentityObject: a (usually salted, hashed) recipient identifier for `credentialSubject`."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microdegree.vc.builders import _common as c
from microdegree.vc.builders.achievement import IDENTIFIER_TYPES
from microdegree.vc.errors import BuildError

_ALGORITHMS = {"sha256": hashlib.sha256, "md5": hashlib.md5}


def _digest(algorithm: str, identifier: str, salt: str) -> str:
    # md5 only to check legacy OB 2.0-style hashes; we always emit sha256.
    return _ALGORITHMS[algorithm]((identifier + salt).encode("utf-8")).hexdigest()


def hash_identity(
    identifier: str, salt: str | None = None, identity_type: str = "emailAddress"
) -> dict[str, Any]:
    """A hashed IdentityObject: `sha256$` + hex(sha256(identifier + salt)).

    `salt=None` draws a random 128-bit salt (recommended: it stops dictionary look-ups of
    e-mail addresses); pass `salt=""` for an unsalted hash.
    """
    c.check_text(identifier, "identifier")
    c.check_enum(identity_type, IDENTIFIER_TYPES, "identityType", extensible=True)
    if salt is None:
        salt = secrets.token_hex(16)
    if not isinstance(salt, str):
        raise BuildError("salt must be a string.", code="BUILD_INVALID_VALUE")
    out: dict[str, Any] = {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": "sha256$" + _digest("sha256", identifier, salt),
        "identityType": identity_type,
    }
    if salt:
        out["salt"] = salt
    return out


def plain_identity(identifier: str, identity_type: str = "name") -> dict[str, Any]:
    """An unhashed IdentityObject (e.g. the learner's name, which the EU Annex asks to show)."""
    c.check_text(identifier, "identifier")
    c.check_enum(identity_type, IDENTIFIER_TYPES, "identityType", extensible=True)
    return {"type": "IdentityObject", "hashed": False, "identityHash": identifier,
            "identityType": identity_type}


def identity_matches(identity_object: Any, identifier: str) -> bool:
    """Whether `identifier` is the one an IdentityObject names (never raises for bad data)."""
    if not isinstance(identity_object, Mapping) or not isinstance(identifier, str):
        return False
    value = identity_object.get("identityHash")
    salt = identity_object.get("salt") or ""
    if not isinstance(value, str) or not isinstance(salt, str):
        return False
    if identity_object.get("hashed") is False:
        return hmac.compare_digest(value.encode(), identifier.encode())
    algorithm, sep, expected = value.partition("$")
    if not sep or algorithm.lower() not in _ALGORITHMS:
        return False
    actual = _digest(algorithm.lower(), identifier, salt)
    return hmac.compare_digest(actual.encode(), expected.lower().encode())


@dataclass(frozen=True, kw_only=True)
class IdentityObject:
    """OB IdentityObject (closed). Usually built with `IdentityObject.hashed_from(...)`."""

    identity_hash: str
    identity_type: str = "emailAddress"
    hashed: bool = True
    salt: str | None = None

    @classmethod
    def hashed_from(
        cls, identifier: str, salt: str | None = None, identity_type: str = "emailAddress"
    ) -> IdentityObject:
        made = hash_identity(identifier, salt, identity_type)
        return cls(identity_hash=made["identityHash"], identity_type=identity_type,
                   salt=made.get("salt"))

    def to_dict(self) -> dict[str, Any]:
        c.check_text(self.identity_hash, "identityHash")
        c.check_enum(self.identity_type, IDENTIFIER_TYPES, "identityType", extensible=True)
        if self.hashed and not self.identity_hash.startswith(("sha256$", "md5$")):
            raise BuildError("A hashed identityHash starts with 'sha256$' or 'md5$'.",
                             code="BUILD_INVALID_VALUE")
        return c.drop_none({
            "type": "IdentityObject", "hashed": self.hashed, "identityHash": self.identity_hash,
            "identityType": self.identity_type, "salt": self.salt,
        })

    def matches(self, identifier: str) -> bool:
        return identity_matches(self.to_dict(), identifier)
