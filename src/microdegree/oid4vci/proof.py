"""The wallet's key proof: an OpenID4VCI `jwt` proof (OpenID4VCI 1.0, Appendix F.1).

A compact JWS with header `typ: openid4vci-proof+jwt`, `alg` EdDSA (or its fully specified name
Ed25519) or ES256, and the key as `jwk` or as `kid` (a did:key DID URL); payload `aud` = the
credential issuer identifier, `iat`, `nonce` = a c_nonce of ours. Only these two algorithms and
these two ways of naming a key are accepted; `x5c`, `trust_chain`, symmetric and `none`
algorithms are refused. The key becomes the holder's DID: did:key (Ed25519 `z6Mk…`, P-256
`zDn…`), which the bound copy of the credential names as its subject.

Pure functions over `cryptography` (no Django): `check` returns the holder DID and the claims,
or raises ProofError with the OpenID4VCI error code `invalid_proof` and a sentence.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from microdegree.vc.errors import KeyFormatError
from microdegree.vc.multibase import decode_z, encode_z

TYP = "openid4vci-proof+jwt"
MAX_LENGTH = 8192
ED25519_HEADER = b"\xed\x01"
P256_HEADER = b"\x80\x24"  # multicodec p256-pub (0x1200) as a varint
ALGORITHMS = {"EdDSA": "Ed25519", "Ed25519": "Ed25519", "ES256": "P-256"}


class ProofError(Exception):
    def __init__(self, message: str, code: str = "invalid_proof") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Checked:
    holder: str  # did:key of the proof's key
    nonce: str
    claims: dict[str, Any]


def _b64(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ProofError("The proof is not a compact JWS (bad base64url).") from exc


def _json_part(part: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64(part))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProofError(f"The proof's {what} is not JSON.") from exc
    if not isinstance(value, dict):
        raise ProofError(f"The proof's {what} is not a JSON object.")
    return value


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- keys and their DIDs ---------------------------------------------------------------------

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey


def did_of(key: PublicKey) -> str:
    """The did:key of an Ed25519 or P-256 public key."""
    if isinstance(key, Ed25519PublicKey):
        raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return "did:key:" + encode_z(ED25519_HEADER + raw)
    raw = key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    return "did:key:" + encode_z(P256_HEADER + raw)


def key_of_did(did_url: str) -> tuple[PublicKey, str]:
    """(public key, curve) of a did:key DID or DID URL whose fragment names the same key."""
    did, _, fragment = did_url.partition("#")
    if not did.startswith("did:key:z"):
        raise ProofError("The proof's kid must be a did:key DID URL (did:key:z…#z…).")
    multibase = did[len("did:key:"):]
    if fragment and fragment != multibase:
        raise ProofError("The kid's fragment does not name the did:key's own key.")
    try:
        raw = decode_z(multibase)
    except (KeyFormatError, ValueError) as exc:
        raise ProofError("The kid is not a valid did:key.") from exc
    try:
        if raw[:2] == ED25519_HEADER and len(raw) == 34:
            return Ed25519PublicKey.from_public_bytes(raw[2:]), "Ed25519"
        if raw[:2] == P256_HEADER and len(raw) == 35:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:]), "P-256"
    except ValueError as exc:
        raise ProofError("The kid's did:key does not hold a valid public key.") from exc
    raise ProofError("The kid's did:key is neither an Ed25519 nor a P-256 key.")


def key_of_jwk(jwk: Any) -> tuple[PublicKey, str]:
    if not isinstance(jwk, dict):
        raise ProofError("The proof's jwk header is not a JSON object.")
    if "d" in jwk:
        raise ProofError("The proof's jwk holds a private key: send the public key only.")
    try:
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            raw = _b64(str(jwk.get("x", "")))
            if len(raw) != 32:
                raise ProofError("An Ed25519 jwk's x is 32 bytes.")
            return Ed25519PublicKey.from_public_bytes(raw), "Ed25519"
        if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
            x, y = _b64(str(jwk.get("x", ""))), _b64(str(jwk.get("y", "")))
            if len(x) != 32 or len(y) != 32:
                raise ProofError("A P-256 jwk's x and y are 32 bytes each.")
            numbers = ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"),
                                                    int.from_bytes(y, "big"), ec.SECP256R1())
            return numbers.public_key(), "P-256"
    except ValueError as exc:
        raise ProofError("The proof's jwk is not a valid public key.") from exc
    raise ProofError("The proof's jwk must be an Ed25519 (OKP) or P-256 (EC) public key.")


def _verify_signature(key: PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        if isinstance(key, Ed25519PublicKey):
            key.verify(signature, data)
        else:
            if len(signature) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                       int.from_bytes(signature[32:], "big"))
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


# --- the proof -------------------------------------------------------------------------------


def check(jwt: Any, *, audience: str, now: float, max_age: float, skew: float = 60.0
          ) -> Checked:
    """Verify a proof JWT's form, key and signature, `aud` and `iat` (the caller checks the
    nonce is one of its own, unused, and binds the key). ProofError when anything is wrong."""
    if not isinstance(jwt, str) or not jwt or len(jwt) > MAX_LENGTH:
        raise ProofError("The proof must be a compact JWS of at most 8 KiB.")
    parts = jwt.split(".")
    if len(parts) != 3:
        raise ProofError("The proof is not a compact JWS (three parts separated by dots).")
    header, claims = _json_part(parts[0], "header"), _json_part(parts[1], "payload")
    if header.get("typ") != TYP:
        raise ProofError(f"The proof's typ must be {TYP}.")
    curve_for_alg = ALGORITHMS.get(str(header.get("alg")))
    if curve_for_alg is None:
        raise ProofError("The proof's alg must be EdDSA (Ed25519) or ES256.")
    if "crit" in header or "x5c" in header or "trust_chain" in header:
        raise ProofError("Only a jwk or a did:key kid can name the proof's key here.")
    if ("jwk" in header) == ("kid" in header):
        raise ProofError("Name the proof's key with exactly one of jwk or kid.")
    key, curve = (key_of_jwk(header["jwk"]) if "jwk" in header
                  else key_of_did(str(header["kid"])))
    if curve != curve_for_alg:
        raise ProofError(f"The proof's alg {header['alg']} does not fit its {curve} key.")
    if not _verify_signature(key, _b64(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii")):
        raise ProofError("The proof's signature does not verify with its key.")
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and aud == [audience])):
        raise ProofError(f"The proof's aud must be this credential issuer, {audience}.")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise ProofError("The proof must carry iat (seconds since 1970).")
    if iat > now + skew:
        raise ProofError("The proof's iat is in the future.")
    if iat < now - max_age:
        raise ProofError("The proof is too old (iat): make a new one with a fresh c_nonce.")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ProofError("The proof must carry the c_nonce from the nonce endpoint.",
                         code="invalid_nonce")
    return Checked(holder=did_of(key), nonce=nonce, claims=claims)
