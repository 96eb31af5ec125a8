"""PDF certificates: the credential is an embedded file (`credential.json` or `.jwt`)."""

from __future__ import annotations

import io

from microdegree.vc.extract._base import (
    MAX_DOCUMENT,
    MAX_PDF_ATTACHMENTS,
    PDF_ATTACHMENTS,
    PDF_SUFFIXES,
    ExtractError,
)


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
