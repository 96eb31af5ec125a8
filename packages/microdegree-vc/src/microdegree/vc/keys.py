"""Ed25519 keys as Multikeys (Controlled Identifiers v1.0 §2.2.2, EdDSA cryptosuites §2.1.1).

Public key: `"z" + base58btc(0xed 0x01 ‖ 32-byte key)` (always starts `z6Mk`).
Secret key: `"z" + base58btc(0x80 0x26 ‖ 32-byte seed)`. The 1EdTech OB/CLR vectors use a legacy
64-byte secret (`0x80 0x26 ‖ seed ‖ public`); it is accepted on input, never emitted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.signing
import orjson

from microdegree.vc.errors import KeyFormatError
from microdegree.vc.multibase import decode_z, encode_z

PUBLIC_HEADER = b"\xed\x01"
SECRET_HEADER = b"\x80\x26"
KEY_LENGTH = 32
SIGNATURE_LENGTH = 64

#: Key-file / verification-method types whose `publicKeyMultibase` is an Ed25519 Multikey.
KEYFILE_TYPES = frozenset({"Multikey", "Ed25519VerificationKey2020"})


def decode_public_multibase(s: str) -> bytes:
    """The 32 raw bytes of an Ed25519 `publicKeyMultibase`; other headers are rejected."""
    raw = decode_z(s)
    if raw[:2] != PUBLIC_HEADER:
        raise KeyFormatError(
            "The public key is not an Ed25519 Multikey (header 0xed01).",
            code="KEY_TYPE_UNSUPPORTED",
        )
    if len(raw) != 2 + KEY_LENGTH:
        raise KeyFormatError(
            f"An Ed25519 Multikey holds 32 bytes, not {len(raw) - 2}.", code="KEY_LENGTH_INVALID"
        )
    return raw[2:]


def encode_public_multibase(public: bytes) -> str:
    """`publicKeyMultibase` for 32 raw public-key bytes."""
    if len(public) != KEY_LENGTH:
        raise KeyFormatError("An Ed25519 public key is 32 bytes.", code="KEY_LENGTH_INVALID")
    return encode_z(PUBLIC_HEADER + public)


def _decode_secret_multibase(s: str) -> tuple[bytes, bytes | None]:
    """(seed, public key if the legacy 64-byte form carried one)."""
    raw = decode_z(s)
    if raw[:2] != SECRET_HEADER:
        raise KeyFormatError(
            "The secret key is not an Ed25519 Multikey secret (header 0x8026).",
            code="KEY_TYPE_UNSUPPORTED",
        )
    body = raw[2:]
    if len(body) == KEY_LENGTH:
        return body, None
    if len(body) == 2 * KEY_LENGTH:
        return body[:KEY_LENGTH], body[KEY_LENGTH:]
    raise KeyFormatError(
        f"An Ed25519 secret key holds 32 (or legacy 64) bytes, not {len(body)}.",
        code="KEY_LENGTH_INVALID",
    )


def verify_signature(public: bytes, signature: bytes, data: bytes) -> bool:
    """Ed25519 (RFC 8032, pure) verification; False for any bad signature or key, never raises."""
    if len(public) != KEY_LENGTH or len(signature) != SIGNATURE_LENGTH:
        return False
    try:
        nacl.signing.VerifyKey(bytes(public)).verify(bytes(data), bytes(signature))
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError, ValueError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class Ed25519Key:
    """An Ed25519 key pair (`seed` set) or a public key alone (`seed` None)."""

    public: bytes
    seed: bytes | None = field(default=None, repr=False)
    _signer: nacl.signing.SigningKey | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.public, bytes) or len(self.public) != KEY_LENGTH:
            raise KeyFormatError("An Ed25519 public key is 32 bytes.", code="KEY_LENGTH_INVALID")
        if self.seed is None:
            return
        if not isinstance(self.seed, bytes) or len(self.seed) != KEY_LENGTH:
            raise KeyFormatError("An Ed25519 seed is 32 bytes.", code="KEY_LENGTH_INVALID")
        signer = nacl.signing.SigningKey(self.seed)
        if bytes(signer.verify_key) != self.public:
            raise KeyFormatError(
                "The public key does not belong to the secret key.", code="KEY_MISMATCH"
            )
        object.__setattr__(self, "_signer", signer)

    def __reduce__(self) -> tuple[type[Ed25519Key], tuple[bytes, bytes | None]]:
        # pickle/copy rebuild from the bytes; the cached nacl signer is not picklable state
        return (Ed25519Key, (self.public, self.seed))

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def generate(cls) -> Ed25519Key:
        """A new random key pair (seed from the OS CSPRNG)."""
        return cls.from_seed(os.urandom(KEY_LENGTH))

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519Key:
        if not isinstance(seed, bytes | bytearray) or len(seed) != KEY_LENGTH:
            raise KeyFormatError("An Ed25519 seed is 32 bytes.", code="KEY_LENGTH_INVALID")
        seed = bytes(seed)
        return cls(public=bytes(nacl.signing.SigningKey(seed).verify_key), seed=seed)

    @classmethod
    def from_public_bytes(cls, b: bytes) -> Ed25519Key:
        return cls(public=bytes(b))

    @classmethod
    def from_multibase(
        cls, public_multibase: str | None = None, secret_multibase: str | None = None
    ) -> Ed25519Key:
        """From `publicKeyMultibase` and/or `secretKeyMultibase` (32-byte or legacy 64-byte)."""
        if public_multibase is None and secret_multibase is None:
            raise KeyFormatError("Give a public or a secret key.", code="KEY_MISSING")
        public = None if public_multibase is None else decode_public_multibase(public_multibase)
        if secret_multibase is None:
            assert public is not None
            return cls(public=public)
        seed, embedded = _decode_secret_multibase(secret_multibase)
        key = cls.from_seed(seed)
        if embedded is not None and embedded != key.public:
            raise KeyFormatError(
                "The legacy secret key's embedded public key does not match its seed.",
                code="KEY_MISMATCH",
            )
        if public is not None and public != key.public:
            raise KeyFormatError(
                "The public key does not belong to the secret key.", code="KEY_MISMATCH"
            )
        return key

    # --- encodings ----------------------------------------------------------------------

    @property
    def public_multibase(self) -> str:
        """`publicKeyMultibase` (`z6Mk...`)."""
        return encode_public_multibase(self.public)

    @property
    def secret_multibase(self) -> str:
        """`secretKeyMultibase` in the 32-byte Controlled Identifiers form."""
        if self.seed is None:
            raise KeyFormatError("This is a public key only.", code="KEY_NO_SECRET")
        return encode_z(SECRET_HEADER + self.seed)

    @property
    def has_secret(self) -> bool:
        return self.seed is not None

    # --- operations ---------------------------------------------------------------------

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of `data`."""
        if self._signer is None:
            raise KeyFormatError("A public key cannot sign.", code="KEY_NO_SECRET")
        return bytes(self._signer.sign(bytes(data)).signature)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True iff `signature` is a valid signature of `data` by this key; never raises."""
        return verify_signature(self.public, signature, data)

    # --- key files ----------------------------------------------------------------------

    def to_keyfile(
        self, controller: str | None = None, key_id: str | None = None
    ) -> dict[str, Any]:
        """A Multikey JSON object for the CLI (holds the secret when this key has one).

        Defaults: `controller` = this key's did:key, `id` = controller + "#" + publicKeyMultibase.
        """
        mb = self.public_multibase
        if controller is None:
            controller = f"did:key:{mb}"
        if key_id is None:
            key_id = f"{controller}#{mb}"
        elif key_id.startswith("#"):
            key_id = controller + key_id
        out: dict[str, Any] = {
            "type": "Multikey",
            "id": key_id,
            "controller": controller,
            "publicKeyMultibase": mb,
        }
        if self.seed is not None:
            out["secretKeyMultibase"] = self.secret_multibase
        return out


def load_keyfile(
    path_or_dict: str | os.PathLike[str] | Mapping[str, Any], *, require_secret: bool = True
) -> tuple[Ed25519Key, str]:
    """Read a Multikey key file (or the parsed object): (key, verification method id).

    The id defaults like `to_keyfile`; a relative id (`#key-0`) is joined to the controller.
    `require_secret=False` also accepts public-only files.
    """
    if isinstance(path_or_dict, Mapping):
        data: Any = path_or_dict
    else:
        try:
            data = orjson.loads(Path(path_or_dict).read_bytes())
        except OSError as exc:
            raise KeyFormatError(f"Cannot read the key file: {exc}",
                                 code="KEY_FILE_INVALID") from exc
        except orjson.JSONDecodeError as exc:
            raise KeyFormatError(f"The key file is not JSON: {exc}",
                                 code="KEY_FILE_INVALID") from exc
    if not isinstance(data, Mapping):
        raise KeyFormatError("A key file holds one JSON object.", code="KEY_FILE_INVALID")
    if data.get("type") not in KEYFILE_TYPES:
        raise KeyFormatError(
            f"The key file type must be Multikey, not {data.get('type')!r}.",
            code="KEY_TYPE_UNSUPPORTED",
        )
    public_mb, secret_mb = data.get("publicKeyMultibase"), data.get("secretKeyMultibase")
    if public_mb is not None and not isinstance(public_mb, str):
        raise KeyFormatError("publicKeyMultibase must be a string.", code="KEY_FILE_INVALID")
    if secret_mb is not None and not isinstance(secret_mb, str):
        raise KeyFormatError("secretKeyMultibase must be a string.", code="KEY_FILE_INVALID")
    if secret_mb is None and require_secret:
        raise KeyFormatError("The key file holds no secretKeyMultibase.", code="KEY_NO_SECRET")
    key = Ed25519Key.from_multibase(public_mb, secret_mb)
    controller = data.get("controller")
    if controller is None:
        controller = f"did:key:{key.public_multibase}"
    if not isinstance(controller, str) or not controller:
        raise KeyFormatError("controller must be a string.", code="KEY_FILE_INVALID")
    key_id = data.get("id")
    if key_id is None:
        key_id = f"{controller}#{key.public_multibase}"
    if not isinstance(key_id, str) or not key_id:
        raise KeyFormatError("id must be a string.", code="KEY_FILE_INVALID")
    if key_id.startswith("#"):
        key_id = controller + key_id
    return key, key_id
