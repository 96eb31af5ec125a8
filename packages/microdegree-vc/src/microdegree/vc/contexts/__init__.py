"""Bundled JSON-LD contexts and the offline document loader.

Every context the platform needs ships inside the package (see README.md here for provenance and
hashes). The loader serves only these files: an unknown URL is a `ContextError`, never a fetch.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import orjson

from microdegree.vc.errors import ContextError

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
STATUS_V1_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
#: Our EU micro-credential context. Credentials issued before ADR 0011 name it by this URL (it is
#: bundled for them); new credentials carry its definitions embedded (`embedded_context`).
EU_CONTEXT_URL = "https://w3id.org/microdegree/contexts/eu-microcredential/v1"
#: Bundled contexts of ours that credentials carry as an embedded object, not by URL (ADR 0011).
EMBEDDED_CONTEXTS = (EU_CONTEXT_URL,)


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


@cache
def _embedded(url: str) -> tuple[bytes, Any]:
    """(sorted-key JSON, parsed value) of the `@context` of bundled context `url`."""
    value = _parsed(url)["@context"]
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS), value


def embedded_context(url: str = EU_CONTEXT_URL) -> dict[str, Any]:
    """A fresh copy of the bundled context `url`'s definitions, to embed in a `@context` list.

    Its term definitions are exactly those of the file, so a credential carrying it has the
    same RDF graph as one naming the URL; only `EMBEDDED_CONTEXTS` are offered this way.
    """
    if url not in EMBEDDED_CONTEXTS:
        raise ContextError(f"{url!r} is not a context Microdegree embeds.",
                           code="JSONLD_CONTEXT_UNKNOWN")
    copy: dict[str, Any] = orjson.loads(_embedded(url)[0])
    return copy


def embedded_url(value: Any) -> str | None:
    """The URL of the embedded context `value` is an exact copy of, or None.

    Lets the fast canonicalisation path use its tables for a known embedded context (any other
    inline context takes the general path).
    """
    if not isinstance(value, dict):
        return None
    try:  # byte equality of sorted JSON: `true` is not `1`, `1.1` is not `"1.1"`
        key = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    for url in EMBEDDED_CONTEXTS:
        if key == _embedded(url)[0]:
            return url
    return None
