"""Bundled JSON-LD contexts and the offline document loader.

Every context the platform needs ships inside the package (see README.md here for provenance and
hashes). The loader serves only these files: an unknown URL is a `ContextError`, never a fetch.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from microdegree.vc.errors import ContextError

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
STATUS_V1_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"


@cache
def _index() -> dict[str, str]:
    raw = resources.files(__package__).joinpath("INDEX.json").read_text(encoding="utf-8")
    index: dict[str, str] = json.loads(raw)
    return index


def bundled_urls() -> frozenset[str]:
    """Every context URL the loader serves."""
    return frozenset(_index())


def is_bundled(url: str) -> bool:
    return url in _index()


@cache
def context_bytes(url: str) -> bytes:
    """The exact bytes of a bundled context (for hashing and for inlining)."""
    name = _index().get(url)
    if name is None:
        raise ContextError(
            f"The JSON-LD context {url!r} is not bundled with Microdegree; "
            "contexts are never fetched from the network.",
            code="JSONLD_CONTEXT_UNKNOWN",
        )
    return resources.files(__package__).joinpath(name).read_bytes()


@cache
def _parsed(url: str) -> Any:
    return json.loads(context_bytes(url))


def load_context(url: str) -> Any:
    """The parsed context document (a fresh copy is not made: treat it as read-only)."""
    return _parsed(url)


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld-compatible document loader that serves only bundled contexts."""
    del options
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
    }
