"""PDF certificates: the credential is an embedded file (`credential.json` or `.jwt`)."""

from __future__ import annotations

import io
import threading
from contextvars import ContextVar
from typing import Any

from microdegree.vc.extract._base import (
    MAX_DOCUMENT,
    MAX_PDF_ATTACHMENTS,
    MAX_UPLOAD,
    PDF_ATTACHMENTS,
    PDF_SUFFIXES,
    ExtractError,
)

# Per request: every stream pypdf decodes while listing the attachments and reading the one
# chosen counts against these (a decoded stream stays in the reader's cache until it is gone).
PDF_MAX_STREAM = MAX_DOCUMENT + 65_536  # bytes one decoded stream may have
PDF_MAX_DECODED = 8 * 1024 * 1024  # bytes of all decoded streams together
PDF_MAX_STREAMS = 64  # streams decoded

_budget: ContextVar[_Budget | None] = ContextVar("microdegree_pdf_budget", default=None)
_install_lock = threading.Lock()


class _OverBudget(Exception):
    pass


class _Budget:
    def __init__(self) -> None:
        self.decoded = 0
        self.streams = 0

    def start_stream(self) -> None:
        self.streams += 1
        if self.streams > PDF_MAX_STREAMS:
            raise _OverBudget

    def decoded_bytes(self, size: int) -> None:
        self.decoded += size
        if self.decoded > PDF_MAX_DECODED:
            raise _OverBudget


def _install_budget_hook() -> None:
    """Count what pypdf decodes against the current request's budget (a no-op outside one).

    pypdf decodes every stream (object streams, cross-reference streams, embedded files)
    through `pypdf.filters.decode_stream_data`, which it looks up at each call; the wrapper is
    installed once and only counts when `_budget` is set in the current context.
    """
    import pypdf.filters as filters

    with _install_lock:
        if not getattr(filters.decode_stream_data, "_microdegree_budget", False):
            filters.decode_stream_data = _counting(filters.decode_stream_data)


def _counting(inner: Any) -> Any:
    """`inner` (pypdf's decoder), counting each call against the budget of the context."""

    def decode_stream_data(stream: Any) -> bytes:
        budget = _budget.get()
        if budget is not None:
            budget.start_stream()
        data: bytes = inner(stream)  # capped per stream by pypdf's configuration (_limits)
        if budget is not None:
            budget.decoded_bytes(len(data))
        return data

    decode_stream_data._microdegree_budget = True  # type: ignore[attr-defined]
    return decode_stream_data


def _limits() -> dict[str, Any]:
    """pypdf's own per-stream and per-structure limits, tightened for one certificate."""
    return {
        "maximum_declared_stream_length": MAX_UPLOAD,
        "array_based_stream_maximum_output_length": PDF_MAX_STREAM,
        "array_maximum_element_count": 10_000,
        "dictionary_maximum_element_count": 10_000,
        "jbig2_maximum_output_length": PDF_MAX_STREAM,
        "lzw_maximum_output_length": PDF_MAX_STREAM,
        "run_length_maximum_output_length": PDF_MAX_STREAM,
        "zlib_maximum_output_length": PDF_MAX_STREAM,
        "zlib_maximum_recovery_input_length": PDF_MAX_STREAM,
        "brotli_maximum_output_length": PDF_MAX_STREAM,
        "flate_maximum_row_length": PDF_MAX_STREAM,
        "image_maximum_buffer_size": PDF_MAX_STREAM,
        "stream_filters_maximum_length": 4,
        "stream_decoding_work_maximum_length": 2 * PDF_MAX_STREAM,
        "stream_parsing_work_maximum_count": 200_000,
        "xmp_maximum_input_length": PDF_MAX_STREAM,
        "page_tree_maximum_entries": 10_000,
        "named_destinations_maximum_entries": 10_000,
        "outline_maximum_entries": 10_000,
        "form_fields_maximum_entries": 10_000,
    }


def _too_complex() -> ExtractError:
    return ExtractError(
        "This PDF needs more decompression than a certificate ever does to reach its "
        f"attachments (the limit is {PDF_MAX_STREAMS} streams and "
        f"{PDF_MAX_DECODED // (1024 * 1024)} MB decompressed in all, "
        f"{PDF_MAX_STREAM // 1000:,} KB per stream), so it was not read.",
        code="PDF_TOO_COMPLEX")


def _embedded_credential(data: bytes) -> bytes | None:
    """The content of the embedded file that holds the credential, or None if there is none.

    Only the chosen file is decompressed (names are listed first), at most
    MAX_PDF_ATTACHMENTS names are looked at, and everything pypdf decodes on the way counts
    against a budget (PDF_MAX_STREAM per stream, PDF_MAX_DECODED and PDF_MAX_STREAMS in all):
    a hostile PDF costs little (see docs/adr: parser budgets).
    """
    from pypdf import PdfReader, apply_configuration  # here: only PDF uploads pay for it
    from pypdf.errors import LimitReachedError

    _install_budget_hook()
    token = _budget.set(_Budget())
    try:
        with apply_configuration(None, **_limits()):
            return _read_attachments(PdfReader, data)
    except (_OverBudget, LimitReachedError, MemoryError) as exc:
        raise _too_complex() from exc
    finally:
        _budget.reset(token)


def _read_attachments(reader_class: Any, data: bytes) -> bytes | None:
    reader = reader_class(io.BytesIO(data), strict=False)
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
