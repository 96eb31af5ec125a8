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

from typing import Any

from microdegree.vc import did as did_mod
from microdegree.vc.extract._base import (
    _JWS,
    MAX_DOCUMENT,
    MAX_PDF_ATTACHMENTS,
    MAX_PNG_CHUNKS,
    MAX_UPLOAD,
    OB2_PNG_KEYWORD,
    OB2_SVG_NS,
    OB_SVG_NS,
    PDF_ATTACHMENTS,
    PDF_SIGNATURE,
    PDF_SUFFIXES,
    PNG_KEYWORD,
    PNG_SIGNATURE,
    Extracted,
    ExtractError,
    parse_json,
)
from microdegree.vc.extract.jws import b64url_decode, b64url_encode, from_jws, sign_jws
from microdegree.vc.extract.pdf import pdf_credential
from microdegree.vc.extract.png import png_chunks, png_credential
from microdegree.vc.extract.svg import svg_credential
from microdegree.vc.report import Report

__all__ = [
    "MAX_DOCUMENT", "MAX_PDF_ATTACHMENTS", "MAX_PNG_CHUNKS", "MAX_UPLOAD", "OB2_PNG_KEYWORD",
    "OB2_SVG_NS", "OB_SVG_NS", "PDF_ATTACHMENTS", "PDF_SIGNATURE", "PDF_SUFFIXES",
    "PNG_KEYWORD", "PNG_SIGNATURE", "ExtractError", "Extracted", "b64url_decode",
    "b64url_encode", "extract", "from_jws", "merge_jws_checks", "parse_json",
    "pdf_credential", "png_chunks", "png_credential", "sign_jws", "svg_credential",
    "verify_extracted",
]


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


def merge_jws_checks(report: Report, extracted: Extracted) -> None:
    """The JWS signature stands for the proof: it replaces PROOF_MISSING, and comes first."""
    if not extracted.checks:
        return
    if extracted.jws:
        report.checks[:] = [c for c in report.checks if c.code != "PROOF_MISSING"]
    insert_at = next((i for i, c in enumerate(report.checks) if c.name.startswith("proof")
                      or c.name == "validity"), len(report.checks))
    report.checks[insert_at:insert_at] = extracted.checks


def verify_extracted(extracted: Extracted, **options: Any) -> Report:
    """`vc.verify.verify` of the document found, with the checks made while finding it."""
    from microdegree.vc.verify import verify

    report = verify(extracted.document, **options)
    merge_jws_checks(report, extracted)
    return report
