"""Compact JWS / VC-JWT: the credential in the payload, its EdDSA signature checked."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from microdegree.vc import did as did_mod
from microdegree.vc.errors import VcError
from microdegree.vc.extract._base import _JWT_CLAIMS, Extracted, ExtractError, _check
from microdegree.vc.keys import verify_signature
from microdegree.vc.report import Check, Outcome


def b64url_decode(part: str) -> bytes:
    if "=" in part:
        raise ValueError("base64url in a JWS has no padding")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jws_parts(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
        payload = json.loads(b64url_decode(payload_b64))
        signature = b64url_decode(signature_b64)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError) as exc:
        raise ExtractError(
            "The JWS is malformed: its parts are not base64url-encoded JSON.",
            code="JWS_MALFORMED",
        ) from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ExtractError("The JWS header and payload must be JSON objects.", code="JWS_MALFORMED")
    return header, payload, f"{header_b64}.{payload_b64}".encode("ascii"), signature


def _date(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _from_v11_claims(payload: dict[str, Any], key: str) -> dict[str, Any]:
    """The VCDM 1.1 credential (`vc`) or presentation (`vp`) with the JWT claims folded in."""
    document = dict(payload[key])
    if key == "vc":
        iss = payload.get("iss")
        issuer = document.get("issuer")
        if isinstance(iss, str):
            if issuer is None:
                document["issuer"] = iss
            elif isinstance(issuer, dict) and "id" not in issuer:
                document["issuer"] = {**issuer, "id": iss}
        for claim, name in (("nbf", "issuanceDate"), ("exp", "expirationDate")):
            when = _date(payload.get(claim))
            if when is not None and name not in document:
                document[name] = when
        sub = payload.get("sub")
        subject = document.get("credentialSubject")
        if isinstance(sub, str) and isinstance(subject, dict) and "id" not in subject:
            document["credentialSubject"] = {**subject, "id": sub}
    elif isinstance(payload.get("iss"), str) and "holder" not in document:
        document["holder"] = payload["iss"]
    if isinstance(payload.get("jti"), str) and "id" not in document:
        document["id"] = payload["jti"]
    return document


def _claims_mismatch(payload: dict[str, Any], document: dict[str, Any]) -> list[str]:
    problems = []
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if "iss" in payload and issuer_id is not None and payload["iss"] != issuer_id:
        problems.append(f"iss {payload['iss']!r} is not the issuer {issuer_id!r}")
    if "jti" in payload and document.get("id") is not None and payload["jti"] != document["id"]:
        problems.append(f"jti {payload['jti']!r} is not the credential id {document['id']!r}")
    return problems


def from_jws(token: str, *, resolver: did_mod.Resolver) -> Extracted:
    """The credential in a compact JWS, with one check for the JWS signature."""
    header, payload, signing_input, signature = _jws_parts(token)
    if isinstance(payload.get("vc"), dict):
        document = _from_v11_claims(payload, "vc")
    elif isinstance(payload.get("vp"), dict):
        document = _from_v11_claims(payload, "vp")
    else:
        document = {k: v for k, v in payload.items() if k not in _JWT_CLAIMS}
    checks = [_algorithm_refusal(header)
              or _signature_check(header, document, resolver, signing_input, signature)]
    problems = _claims_mismatch(payload, document)
    if problems:
        checks.append(_check("proof.jwt", Outcome.FAIL, "JWT_CLAIMS_MISMATCH",
                            "The JWT claims contradict the credential: " + "; ".join(problems)
                            + "."))
    return Extracted(document=document, format="jwt", checks=checks, jws=True, text=token)


def _algorithm_refusal(header: dict[str, Any]) -> Check | None:
    """A failed check if the JWS cannot be verified here (algorithm, critical headers)."""
    alg = header.get("alg")
    if alg != "EdDSA":
        return _check("proof", Outcome.FAIL, "JWS_ALG_UNSUPPORTED",
                     f"The credential is signed as a JWS with {alg!r}. Only EdDSA (Ed25519) JWS "
                     "signatures can be checked here; RS256, ES256 and others are not "
                     "supported, so this signature was not verified.", alg=str(alg))
    if header.get("crit"):
        return _check("proof", Outcome.FAIL, "JWS_CRIT_UNSUPPORTED",
                     "The JWS header has critical extensions this verifier does not understand.")
    return None


def _issuer_of(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer", document.get("holder"))
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer_id if isinstance(issuer_id, str) else None


def _signature_check(header: dict[str, Any], document: dict[str, Any],
                     resolver: did_mod.Resolver, signing_input: bytes, signature: bytes) -> Check:
    """Resolve `kid`, verify the Ed25519 signature, and bind the key to the issuer."""
    issuer = _issuer_of(document)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        return _check("proof", Outcome.FAIL, "JWS_KEY_UNRESOLVED",
                     "The JWS names no key (`kid`); keys embedded as `jwk` are not trusted here "
                     "because nothing binds them to the issuer.")
    if kid.startswith("#") and issuer is not None:
        kid = issuer + kid
    try:
        method = did_mod.resolve_verification_method(kid, resolver)
    except VcError as exc:
        return _check("proof", Outcome.FAIL, exc.code,
                     f"The JWS signing key {kid} could not be resolved: {exc.message}")
    if not verify_signature(method.public_key, signature, signing_input):
        return _check("proof", Outcome.FAIL, "JWS_SIGNATURE_INVALID",
                     "The JWS signature does not match: the credential was changed after "
                     "signing, or signed with another key.", verificationMethod=kid)
    purpose = "authentication" if "holder" in document and "issuer" not in document else (
        "assertionMethod")
    if issuer is None or method.controller != issuer:
        return _check("proof", Outcome.FAIL, "KEY_NOT_ISSUERS",
                     f"The JWS key belongs to {method.controller}, not to the issuer {issuer}.",
                     verificationMethod=kid)
    if purpose not in method.purposes:
        return _check("proof", Outcome.FAIL, "KEY_NOT_AUTHORIZED",
                     f"The issuer's DID document does not authorise this key for {purpose}.",
                     verificationMethod=kid)
    return _check("proof", Outcome.PASS, "JWS_SIGNATURE_VALID",
                 "The EdDSA (Ed25519) JWS signature is valid and made with the issuer's key.",
                 verificationMethod=kid)


def sign_jws(payload: dict[str, Any], key: Any, kid: str) -> str:
    """A compact EdDSA JWS of `payload` (for tests, examples and VC-JWT export)."""
    header = {"alg": "EdDSA", "kid": kid, "typ": "JWT"}
    signing_input = (
        b64url_encode(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url_encode(json.dumps(payload, separators=(",", ":")).encode())
    )
    return signing_input + "." + b64url_encode(key.sign(signing_input.encode("ascii")))
