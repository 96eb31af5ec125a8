"""Test material: a tiny PNG and SVG, did:key and did:web credentials, VC-JWTs."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from microdegree.vc import did, proofs
from microdegree.vc.keys import Ed25519Key
from microdegree.vc.status import BitstringStatusList
from microdegree.verification.extract import b64url_encode, sign_jws
from tests.samples import sample_credential

CREATED = "2026-01-15T00:00:00Z"
SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10">'
    '<circle cx="5" cy="5" r="4" fill="#0b4f8a"/></svg>\n'
)


def key_from(n: int) -> Ed25519Key:
    return Ed25519Key.from_seed(bytes([n]) * 32)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def tiny_png(extra: list[tuple[bytes, bytes]] = ()) -> bytes:
    """A valid 1x1 grey PNG, with `extra` chunks before IDAT."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x80")
    chunks = [_chunk(b"IHDR", ihdr)] + [_chunk(k, b) for k, b in extra]
    chunks += [_chunk(b"IDAT", idat), _chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def itxt(keyword: str, text: str, *, compressed: bool = False) -> tuple[bytes, bytes]:
    data = text.encode()
    if compressed:
        data = zlib.compress(data)
    flag = b"\x01\x00" if compressed else b"\x00\x00"
    return b"iTXt", keyword.encode() + b"\0" + flag + b"\0\0" + data


def key_credential(key: Ed25519Key | None = None, **overrides: Any) -> dict[str, Any]:
    """A did:key-signed OpenBadgeCredential without a status entry."""
    key = key or key_from(7)
    issuer = did.did_key(key)
    doc = sample_credential(issuer, status_list=None)
    doc.update(overrides)
    return proofs.sign(doc, key, verification_method=f"{issuer}#{key.public_multibase}",
                       created=CREATED)


def web_credential(key: Ed25519Key, issuer: str, status_url: str, index: int) -> dict[str, Any]:
    doc = sample_credential(issuer, status_list=status_url, status_index=index)
    return proofs.sign(doc, key, verification_method=f"{issuer}#key-1", created=CREATED)


def web_status_list(key: Ed25519Key, issuer: str, url: str, revoked: set[int],
                    ttl_ms: int | None) -> dict[str, Any]:
    bits = BitstringStatusList()
    for index in revoked:
        bits.set(index, 1)
    subject: dict[str, Any] = {
        "id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
        "encodedList": bits.encode(),
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": subject,
    }
    return proofs.sign(doc, key, verification_method=f"{issuer}#key-1", created=CREATED)


def vc_jwt(credential: dict[str, Any], key: Ed25519Key, *, v11: bool = False,
           kid: str | None = None) -> str:
    """An EdDSA VC-JWT: the bare credential (OB 3.0 / VC 2.0) or a VCDM 1.1 `vc` claim."""
    issuer = credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else (
        credential["issuer"])
    kid = kid or f"{issuer}#{key.public_multibase}"
    if v11:
        payload = {"iss": issuer, "jti": credential["id"], "nbf": 1768435200,
                   "vc": credential}
    else:
        payload = {**credential, "iss": issuer, "jti": credential["id"]}
    return sign_jws(payload, key, kid)


def unsigned(credential: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in credential.items() if k != "proof"}


def rs256_token(credential: dict[str, Any]) -> str:
    header = b64url_encode(b'{"alg":"RS256","kid":"https://x.example/key"}')
    payload = b64url_encode(__import__("json").dumps(credential).encode())
    return f"{header}.{payload}.{b64url_encode(b'sig')}"
