"""Turn what a person pastes, uploads or links into a credential document.

Accepted: a JSON credential or presentation; a compact JWS (VC-JWT: VCDM 1.1 `vc`/`vp` claim, or
a bare credential as the payload, Open Badges 3.0 style); a baked PNG (`iTXt` chunk with keyword
`openbadgecredential`, compressed or not); a baked SVG (`<openbadges:credential>` with the JSON
in CDATA or a JWS in its `verify` attribute); a PDF certificate with the credential as an embedded
file (`credential.json`, or `credential.jwt`: the platform's PDF downloads carry one).

JWS signatures are verified for `EdDSA` (Ed25519) with the key the `kid` DID URL names. RS256,
ES256 and the other JOSE algorithms are not supported: such a JWS yields a failed check
`JWS_ALG_UNSUPPORTED` (the payload is still shown and checked). Open Badges 2.0 baked images are
recognised and refused with `OB2_NOT_SUPPORTED`.

Nothing here raises for a bad credential; `ExtractError` means "this is not something we can
read" (the page answers 400 with its message).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from microdegree.vc import did as did_mod
from microdegree.vc.errors import VcError
from microdegree.vc.keys import verify_signature
from microdegree.vc.report import Check, Outcome

MAX_UPLOAD = 5 * 1024 * 1024  # bytes of an upload, a pasted text or a fetched URL
MAX_DOCUMENT = 2_000_000  # bytes of the credential inside (the core's own input limit)
MAX_PNG_CHUNKS = 10_000

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF_SIGNATURE = b"%PDF-"
PDF_ATTACHMENTS = ("credential.json", "credential.jwt", "credential.jws")
PDF_SUFFIXES = (".json", ".jsonld", ".jwt", ".jws")
MAX_PDF_ATTACHMENTS = 100
PNG_KEYWORD = "openbadgecredential"
OB2_PNG_KEYWORD = "openbadges"
OB_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_SVG_NS = "http://openbadges.org"

_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_JWT_CLAIMS = ("iss", "jti", "nbf", "exp", "iat", "sub", "aud", "nonce")


class ExtractError(Exception):
    """The input is not a credential we can read; `code` for programs, `message` for people."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Extracted:
    """The document found, the format it came in, and checks made on the way (the JWS)."""

    document: dict[str, Any]
    format: str  # "json", "jwt", "png", "svg", "pdf"
    checks: list[Check] = field(default_factory=list)
    jws: bool = False  # the document came from a JWS payload (its signature is the proof)
    text: str | None = None  # the credential text as found (JSON or compact JWS)


# --- entry point ----------------------------------------------------------------------------


def extract(data: bytes | str, *, resolver: did_mod.Resolver) -> Extracted:
    """The credential in `data` (bytes of an upload or text pasted); ExtractError if none."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_UPLOAD:
        raise ExtractError(
            f"The input is {len(raw):,} bytes; the limit is {MAX_UPLOAD:,}.", code="TOO_LARGE"
        )
    if not raw.strip():
        raise ExtractError("Nothing to verify: the input is empty.", code="EMPTY")
    if raw.startswith(PNG_SIGNATURE):
        return _from_text(png_credential(raw), "png", resolver)
    if raw.startswith(PDF_SIGNATURE):
        return _from_text(pdf_credential(raw), "pdf", resolver)
    text = _decode_text(raw)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        return _from_text(svg_credential(stripped), "svg", resolver)
    return _from_text(stripped, None, resolver)


def _decode_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExtractError(
            "The file is neither a PNG image, a PDF nor UTF-8 text (JSON, JWS or SVG).",
            code="UNRECOGNISED_FORMAT",
        ) from exc


def _from_text(text: str, container: str | None, resolver: did_mod.Resolver) -> Extracted:
    text = text.strip().lstrip("\ufeff")
    if len(text.encode("utf-8")) > MAX_DOCUMENT:
        raise ExtractError(
            f"The credential is larger than {MAX_DOCUMENT:,} bytes.", code="TOO_LARGE"
        )
    if text.startswith(("{", "[")):
        document = parse_json(text)
        return Extracted(document=document, format=container or "json", text=text)
    if _JWS.fullmatch(text):
        extracted = from_jws(text, resolver=resolver)
        extracted.format = container or "jwt"
        return extracted
    raise ExtractError(
        "This is not a credential: expected JSON, a compact JWS (VC-JWT), a baked PNG or "
        "SVG badge, or a PDF certificate with the credential attached.",
        code="UNRECOGNISED_FORMAT",
    )


def _check(name: str, outcome: Outcome, code: str, message: str, **details: Any) -> Check:
    return Check(name, outcome, code, message, dict(details))


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise ExtractError("The JSON nests too deeply.", code="JSON_MALFORMED") from exc
    except ValueError as exc:
        raise ExtractError(f"The text is not valid JSON: {exc}.", code="JSON_MALFORMED") from exc
    if not isinstance(document, dict):
        raise ExtractError(
            "A credential or presentation is a JSON object, not a list or a value.",
            code="DOCUMENT_NOT_OBJECT",
        )
    return document


# --- PNG ------------------------------------------------------------------------------------


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk; ExtractError for a truncated or corrupt PNG."""
    if not data.startswith(PNG_SIGNATURE):
        raise ExtractError("This is not a PNG image.", code="PNG_INVALID")
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(PNG_SIGNATURE)
    while pos < len(data):
        if len(chunks) >= MAX_PNG_CHUNKS:
            raise ExtractError("The PNG has too many chunks.", code="PNG_INVALID")
        if pos + 8 > len(data):
            raise ExtractError("The PNG is truncated.", code="PNG_INVALID")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 8 + length + 4
        if end > len(data):
            raise ExtractError("The PNG is truncated.", code="PNG_INVALID")
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4:end])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ExtractError(
                f"The PNG chunk {kind.decode('latin-1')!r} is corrupt (CRC mismatch).",
                code="PNG_INVALID",
            )
        chunks.append((kind, body))
        pos = end
        if kind == b"IEND":
            break
    return chunks


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_DOCUMENT + 1)
    except zlib.error as exc:
        raise ExtractError(
            f"The compressed credential in the PNG is corrupt: {exc}.", code="PNG_INVALID"
        ) from exc
    if len(out) > MAX_DOCUMENT or inflater.unconsumed_tail:
        raise ExtractError(
            f"The credential in the PNG is larger than {MAX_DOCUMENT:,} bytes.", code="TOO_LARGE"
        )
    return out


def _itxt(body: bytes) -> tuple[str, str]:
    """(keyword, text) of an iTXt chunk, decompressing if flagged."""
    try:
        keyword, rest = body.split(b"\0", 1)
        flag, method = rest[0], rest[1]
        _language, rest = rest[2:].split(b"\0", 1)
        _translated, text = rest.split(b"\0", 1)
    except (ValueError, IndexError) as exc:
        raise ExtractError("The PNG has a malformed iTXt chunk.", code="PNG_INVALID") from exc
    if flag == 1:
        if method != 0:
            raise ExtractError("Unknown iTXt compression method.", code="PNG_INVALID")
        text = _inflate(text)
    try:
        return keyword.decode("latin-1"), text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExtractError("The PNG's credential text is not UTF-8.", code="PNG_INVALID") from exc


def png_credential(data: bytes) -> str:
    """The credential text baked into a PNG (JSON or compact JWS)."""
    ob2 = False
    for kind, body in png_chunks(data):
        if kind == b"iTXt":
            keyword, text = _itxt(body)
            if keyword == PNG_KEYWORD:
                return text
            ob2 = ob2 or keyword == OB2_PNG_KEYWORD
        elif kind in (b"tEXt", b"zTXt") and body.split(b"\0", 1)[0] == OB2_PNG_KEYWORD.encode():
            ob2 = True
    if ob2:
        raise ExtractError(
            "This is an Open Badges 2.0 baked image (keyword 'openbadges'). Open Badges 2.0 "
            "assertions are not supported here: ask the issuer for an Open Badges 3.0 credential.",
            code="OB2_NOT_SUPPORTED",
        )
    raise ExtractError(
        "This PNG carries no Open Badges 3.0 credential (no iTXt chunk 'openbadgecredential').",
        code="NOT_BAKED",
    )


# --- SVG ------------------------------------------------------------------------------------


def svg_credential(text: str) -> str:
    """The credential text baked into an SVG: CDATA JSON, or a JWS in the `verify` attribute."""
    head = text[:4096].upper()
    if "<!DOCTYPE" in head or "<!ENTITY" in text.upper():
        raise ExtractError(
            "SVG files with a DOCTYPE or entities are refused (they can expand without bound).",
            code="SVG_DTD_REFUSED",
        )
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DTD or entity can be present (checked above)
    except ET.ParseError as exc:
        raise ExtractError(f"The file is not well-formed XML: {exc}.", code="SVG_INVALID") from exc
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        raise ExtractError("The XML file is not an SVG image.", code="SVG_INVALID")
    element = root.find(f".//{{{OB_SVG_NS}}}credential")
    if element is None:
        if root.find(f".//{{{OB2_SVG_NS}}}assertion") is not None:
            raise ExtractError(
                "This is an Open Badges 2.0 baked SVG (openbadges:assertion). Open Badges 2.0 "
                "assertions are not supported here: ask the issuer for an Open Badges 3.0 "
                "credential.",
                code="OB2_NOT_SUPPORTED",
            )
        raise ExtractError(
            "This SVG carries no Open Badges 3.0 credential (no <openbadges:credential>).",
            code="NOT_BAKED",
        )
    jws = element.get("verify")
    if jws:
        return jws.strip()
    content = (element.text or "").strip()
    if not content:
        raise ExtractError("The SVG's <openbadges:credential> is empty.", code="NOT_BAKED")
    return content


# --- PDF ------------------------------------------------------------------------------------


def _embedded_credential(data: bytes) -> bytes | None:
    """The content of the embedded file that holds the credential, or None if there is none.

    Only the chosen file is decompressed (names are listed first), and at most
    MAX_PDF_ATTACHMENTS names are looked at, so a hostile PDF costs little.
    """
    from pypdf import PdfReader  # imported here: only PDF uploads pay for it

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise ExtractError("The PDF is encrypted, so the credential inside cannot be read.",
                           code="PDF_ENCRYPTED")
    files = []
    for embedded in reader.attachment_list:
        files.append((str(embedded.name).lower(), embedded))
        if len(files) >= MAX_PDF_ATTACHMENTS:
            break
    by_name = dict(reversed(files))  # the first file of each name wins
    chosen = next((by_name[n] for n in PDF_ATTACHMENTS if n in by_name), None)
    if chosen is None:
        chosen = next((embedded for name, embedded in files if name.endswith(PDF_SUFFIXES)),
                      None)
    return None if chosen is None else bytes(chosen.content)


def pdf_credential(data: bytes) -> str:
    """The credential text embedded in a PDF certificate (JSON or compact JWS).

    The file named `credential.json` (or `.jwt`/`.jws`) is preferred; otherwise the first
    embedded JSON or JWS file. Text printed on the page is never read: it proves nothing.
    """
    try:
        content = _embedded_credential(data)
    except ExtractError:
        raise
    # pypdf raises many kinds of exception for a damaged or hostile file (its own errors,
    # ValueError, KeyError, TypeError, RecursionError...): any of them means "unreadable".
    except Exception as exc:
        raise ExtractError("The PDF could not be read: the file is damaged or not a PDF.",
                           code="PDF_INVALID") from exc
    if content is None:
        raise ExtractError(
            "This PDF carries no credential: no embedded file credential.json was found. Only "
            "PDF certificates with the signed credential attached can be verified; upload the "
            "credential's JSON file or badge image instead.",
            code="PDF_NO_CREDENTIAL",
        )
    if len(content) > MAX_DOCUMENT:
        raise ExtractError(f"The credential in the PDF is larger than {MAX_DOCUMENT:,} bytes.",
                           code="TOO_LARGE")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExtractError("The credential embedded in the PDF is not UTF-8 text.",
                           code="PDF_INVALID") from exc


# --- JWS / VC-JWT ---------------------------------------------------------------------------


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
