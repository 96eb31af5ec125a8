"""DIDs and verification methods: did:key, did:web, HTTPS key URLs; resolvers.

Resolvers return the JSON document for a DID or URL (fragment stripped); they never decide
whether a key may be used. `resolve_verification_method` does that: it finds the method in the
document, decodes its Ed25519 key and lists the verification relationships that name it.

Trust rules (why a key is bound to a controller):

* did:key: the DID is the key; every relationship lists it.
* did:web and HTTPS controller documents: the document `id` must equal the DID/URL it was
  resolved from, the method's `controller` must equal that `id` (a document cannot vouch for keys
  of someone else), and `purposes` are the relationships of that document that name the method.
* A bare key document (one Multikey object at an HTTPS URL, no relationships): if its
  `controller` is the URL the key was served from (or absent), the key counts for
  `assertionMethod` and `authentication`: only the controller can publish at its own URL. If it
  names another controller, that controller's document is resolved and must list the key; if it
  cannot be resolved the key gets no purposes (verification then fails KEY_NOT_AUTHORIZED).
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, unquote

from microdegree.vc._ttlcache import TTLCache
from microdegree.vc.errors import FetchError, KeyFormatError, ResolutionError
from microdegree.vc.fetch import Fetcher, HTTPStatusError, SafeFetcher
from microdegree.vc.keys import PUBLIC_HEADER, Ed25519Key, decode_public_multibase
from microdegree.vc.multibase import b58decode, decode_u, decode_z
from microdegree.vc.urls import UrlError, parse_url

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
RELATIONSHIPS: tuple[str, ...] = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
)
_DID_KEY_RELATIONSHIPS = RELATIONSHIPS[:4]
_BARE_KEY_PURPOSES = frozenset({"assertionMethod", "authentication"})
DID_ACCEPT = "application/did+json, application/did+ld+json, application/json"
DOCUMENT_ACCEPT = "application/ld+json, application/json"

_DID_WEB_ID = re.compile(r"did:web:[A-Za-z0-9._%:-]+")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=@-]+")


# --- did:key --------------------------------------------------------------------------------


def did_key(key_or_public_multibase: Ed25519Key | str) -> str:
    """`did:key:z6Mk...` for a key or its publicKeyMultibase."""
    if isinstance(key_or_public_multibase, Ed25519Key):
        return f"did:key:{key_or_public_multibase.public_multibase}"
    decode_public_multibase(key_or_public_multibase)
    return f"did:key:{key_or_public_multibase}"


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 did:key, in the Multikey form."""
    if not did.startswith("did:key:"):
        raise ResolutionError(f"{did} is not a did:key.", code="UNSUPPORTED_DID_METHOD")
    mb = did[len("did:key:"):]
    try:
        decode_public_multibase(mb)
    except KeyFormatError as exc:
        code = "KEY_TYPE_UNSUPPORTED" if exc.code == "KEY_TYPE_UNSUPPORTED" else "INVALID_DID"
        raise ResolutionError(f"{did} is not an Ed25519 did:key: {exc.message}",
                              code=code) from exc
    vm_id = f"{did}#{mb}"
    doc: dict[str, Any] = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": mb}
        ],
    }
    for rel in _DID_KEY_RELATIONSHIPS:
        doc[rel] = [vm_id]
    return doc


# --- did:web --------------------------------------------------------------------------------


def _invalid(did: str, why: str) -> KeyFormatError:
    return KeyFormatError(f"{did!r} is not a valid did:web: {why}", code="INVALID_DID")


def _check_host(host: str, where: str) -> None:
    if not host or len(host) > 253:
        raise _invalid(where, "the host is missing or too long")
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        raise _invalid(where, "IP addresses are not allowed as hosts")
    labels = host.split(".")
    if not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise _invalid(where, f"{host!r} is not a domain name")
    if labels[-1].isdigit():
        raise _invalid(where, "the top-level label cannot be numeric")


def _check_port(port: str, where: str) -> None:
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise _invalid(where, f"{port!r} is not a port")


def _check_segment(segment: str, where: str) -> None:
    if not _PATH_SEGMENT.fullmatch(segment) or segment in {".", ".."}:
        raise _invalid(where, f"the path segment {segment!r} is not allowed")


def did_web_to_url(did: str) -> str:
    """The HTTPS URL of a did:web document (did:web method spec, "Read")."""
    if not isinstance(did, str) or not _DID_WEB_ID.fullmatch(did):
        raise _invalid(str(did), "only did:web:<host>[%3A<port>][:<path>...] is accepted")
    parts = did[len("did:web:"):].split(":")
    authority = unquote(parts[0])
    host, _, port = authority.partition(":")
    if "%" in authority or "/" in authority or "@" in authority:
        raise _invalid(did, "bad characters in the host")
    _check_host(host, did)
    if port:
        _check_port(port, did)
    segments = [unquote(p) for p in parts[1:]]
    for segment in segments:
        _check_segment(segment, did)
    path = "/".join(quote(s, safe="") for s in segments) if segments else ".well-known"
    return f"https://{host.lower()}{':' + port if port else ''}/{path}/did.json"


def url_to_did_web(url: str) -> str:
    """The did:web for a URL: the did.json location or the site/path it stands for."""
    try:
        parsed = parse_url(url, schemes=("https",)).parts
    except UrlError as exc:
        raise _invalid(url, exc.message) from exc
    if parsed.scheme != "https":
        raise _invalid(url, "did:web documents are served over https")
    if parsed.query or parsed.fragment or parsed.username or parsed.password:
        raise _invalid(url, "no query, fragment or credentials allowed")
    host = parsed.hostname or ""
    _check_host(host, url)
    try:
        port = parsed.port
    except ValueError as exc:
        raise _invalid(url, "bad port") from exc
    path = parsed.path
    if path.endswith("/did.json"):
        path = path[: -len("/did.json")]
    path = path.strip("/")
    if path == ".well-known":
        path = ""
    segments = path.split("/") if path else []
    out = ["did:web:" + host.lower() + (f"%3A{port}" if port is not None else "")]
    for segment in segments:
        decoded = unquote(segment)
        _check_segment(decoded, url)
        out.append(quote(decoded, safe=""))
    return ":".join(out)


def did_web_document(
    did: str, keys: Sequence[tuple[str, str]], *, assertion: Sequence[str] | None = None
) -> dict[str, Any]:
    """A did:web document listing `keys` (fragment, publicKeyMultibase) as Multikeys.

    `assertion`: the fragments authorised for `assertionMethod` (default: all). Keep retired keys
    in `keys` (and in `assertion`) while credentials they signed must still verify.
    """
    did_web_to_url(did)
    methods: list[dict[str, Any]] = []
    seen: set[str] = set()
    for fragment, public_multibase in keys:
        frag = fragment.removeprefix("#")
        if not frag or "#" in frag or frag in seen:
            raise KeyFormatError(f"Bad or repeated key fragment {fragment!r}.",
                                 code="INVALID_FRAGMENT")
        decode_public_multibase(public_multibase)
        seen.add(frag)
        methods.append({
            "id": f"{did}#{frag}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_multibase,
        })
    chosen = [m["id"] for m in methods]
    if assertion is not None:
        wanted = [a.removeprefix("#") for a in assertion]
        unknown = [a for a in wanted if a not in seen]
        if unknown:
            raise KeyFormatError(f"assertion names unknown keys: {unknown}",
                                 code="INVALID_FRAGMENT")
        chosen = [f"{did}#{a}" for a in wanted]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": chosen,
    }


# --- resolvers ------------------------------------------------------------------------------


class Resolver(Protocol):
    def resolve(self, did_or_url: str) -> dict[str, Any]:
        """The DID document (or the JSON document at an HTTPS URL); ResolutionError if none."""
        ...


def _strip_fragment(did_or_url: str) -> str:
    return did_or_url.split("#", 1)[0]


class KeyResolver:
    """did:key only, offline."""

    def resolve(self, did_or_url: str) -> dict[str, Any]:
        return did_key_document(_strip_fragment(did_or_url))


class StaticResolver:
    """Pinned documents keyed by DID or URL (without fragment)."""

    def __init__(self, documents: Mapping[str, dict[str, Any]]) -> None:
        self._documents = dict(documents)

    def resolve(self, did_or_url: str) -> dict[str, Any]:
        key = _strip_fragment(did_or_url)
        doc = self._documents.get(key)
        if doc is None:
            raise ResolutionError(f"No pinned document for {key}.", code="DID_NOT_FOUND")
        return doc


class WebResolver:
    """did:web documents and HTTPS key/controller URLs through a `Fetcher`."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher

    def resolve(self, did_or_url: str) -> dict[str, Any]:
        target = _strip_fragment(did_or_url)
        if target.startswith("did:web:"):
            try:
                url = did_web_to_url(target)
            except KeyFormatError as exc:
                raise ResolutionError(exc.message, code=exc.code) from exc
            doc = self._get(url, target, DID_ACCEPT)
            if doc.get("id") != target:
                raise ResolutionError(
                    f"The document at {url} has id {doc.get('id')!r}, not {target}.",
                    code="DID_DOCUMENT_ID_MISMATCH",
                )
            return doc
        if target.startswith("did:"):
            method = target.split(":", 2)[1]
            raise ResolutionError(f"The DID method {method!r} is not supported.",
                                  code="UNSUPPORTED_DID_METHOD")
        if target.startswith(("https://", "http://")):
            return self._get(target, target, DOCUMENT_ACCEPT)
        raise ResolutionError(f"{target!r} is neither a DID nor an HTTPS URL.",
                              code="UNSUPPORTED_DID_METHOD")

    def _get(self, url: str, name: str, accept: str) -> dict[str, Any]:
        try:
            response = self._fetcher.get(url, accept=accept)
            data = response.json()
        except FetchError as exc:
            code = exc.code
            if isinstance(exc, HTTPStatusError) and exc.status in {404, 410}:
                code = "DID_NOT_FOUND"
            raise ResolutionError(f"{name} could not be fetched: {exc.message}",
                                  code=code) from exc
        if not isinstance(data, dict):
            raise ResolutionError(f"{url} did not return a JSON object.",
                                  code="DID_DOCUMENT_INVALID")
        return data


_PASS_ON = frozenset({"DID_NOT_FOUND", "UNSUPPORTED_DID_METHOD"})


class ChainResolver:
    """The first resolver that knows the DID/URL wins; "not found"/"unsupported" pass it on."""

    def __init__(self, *resolvers: Resolver) -> None:
        self._resolvers = resolvers

    def resolve(self, did_or_url: str) -> dict[str, Any]:
        errors: list[ResolutionError] = []
        for resolver in self._resolvers:
            try:
                return resolver.resolve(did_or_url)
            except ResolutionError as exc:
                if exc.code not in _PASS_ON:
                    raise
                errors.append(exc)
        for error in errors:
            if error.code == "DID_NOT_FOUND":
                raise error
        if errors:
            raise errors[-1]
        raise ResolutionError(f"No resolver for {did_or_url}.", code="UNSUPPORTED_DID_METHOD")


class CachingResolver:
    """Caches successful resolutions for `ttl_seconds` (failures are not cached). Thread-safe."""

    def __init__(
        self,
        inner: Resolver,
        ttl_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 1024,
    ) -> None:
        self._inner = inner
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: TTLCache[str, dict[str, Any]] = TTLCache(max_entries)

    def resolve(self, did_or_url: str) -> dict[str, Any]:
        key = _strip_fragment(did_or_url)
        now = self._clock()
        hit = self._cache.get(key, now)
        if hit is not None:
            return hit
        doc = self._inner.resolve(key)
        self._cache.put(key, doc, now, self._ttl)
        return doc

    def clear(self) -> None:
        self._cache.clear()


def default_resolver(*, allow_private: bool = False, fetcher: Fetcher | None = None) -> Resolver:
    """did:key offline, then did:web and HTTPS key URLs through an SSRF-safe fetcher, cached."""
    web = WebResolver(fetcher or SafeFetcher(allow_private=allow_private))
    return CachingResolver(ChainResolver(KeyResolver(), web))


# --- verification methods -------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationMethod:
    id: str
    controller: str
    public_key: bytes
    type: str
    purposes: frozenset[str]


_KEY_TYPES = frozenset({
    "Multikey", "Ed25519VerificationKey2020", "Ed25519VerificationKey2018",
    "JsonWebKey", "JsonWebKey2020",
})


def _absolute(ref: str, base: str) -> str:
    return base + ref if ref.startswith("#") else ref


def _is_key_object(doc: Mapping[str, Any]) -> bool:
    return "verificationMethod" not in doc and any(
        name in doc for name in ("publicKeyMultibase", "publicKeyBase58", "publicKeyJwk")
    )


def _public_key(method: Mapping[str, Any], vm_id: str) -> bytes:
    kind = method.get("type")
    unsupported = ResolutionError(f"The key type {kind!r} of {vm_id} is not supported.",
                                  code="KEY_TYPE_UNSUPPORTED")
    try:
        if kind in {"Multikey", "Ed25519VerificationKey2020"} and "publicKeyMultibase" in method:
            raw = decode_z(method["publicKeyMultibase"])
            if raw[:2] != PUBLIC_HEADER:
                raise unsupported
            return decode_public_multibase(method["publicKeyMultibase"])
        if kind == "Ed25519VerificationKey2018" and "publicKeyBase58" in method:
            value = method["publicKeyBase58"]
            if not isinstance(value, str):
                raise KeyFormatError("publicKeyBase58 must be a string.", code="KEY_FORMAT_ERROR")
            raw = b58decode(value)
            Ed25519Key.from_public_bytes(raw)
            return raw
        if kind in {"Multikey", "JsonWebKey", "JsonWebKey2020"} and "publicKeyJwk" in method:
            jwk = method["publicKeyJwk"]
            if not isinstance(jwk, Mapping) or (jwk.get("kty"), jwk.get("crv")) != (
                "OKP", "Ed25519"
            ):
                raise unsupported
            if "d" in jwk:
                raise ResolutionError(f"{vm_id} publishes a private key.", code="KEY_FORMAT_ERROR")
            x = jwk.get("x")
            raw = decode_u("u" + x) if isinstance(x, str) else b""
            Ed25519Key.from_public_bytes(raw)
            return raw
    except KeyFormatError as exc:
        raise ResolutionError(f"The key of {vm_id} is malformed: {exc.message}",
                              code=exc.code) from exc
    raise unsupported


def _purposes(doc: Mapping[str, Any], vm_id: str, base: str) -> frozenset[str]:
    found: set[str] = set()
    for rel in RELATIONSHIPS:
        entries = doc.get(rel)
        if isinstance(entries, str | dict):
            entries = [entries]
        if not isinstance(entries, list):
            continue
        for entry in entries:
            ref = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(ref, str) and _absolute(ref, base) == vm_id:
                found.add(rel)
    return frozenset(found)


def _find_method(doc: Mapping[str, Any], vm_id: str, base: str) -> Mapping[str, Any] | None:
    candidates: list[Any] = []
    listed = doc.get("verificationMethod")
    candidates.extend(listed if isinstance(listed, list) else [listed])
    for rel in RELATIONSHIPS:
        entries = doc.get(rel)
        candidates.extend(entries if isinstance(entries, list) else [entries])
    for entry in candidates:
        ref = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(ref, str) and _absolute(ref, base) == vm_id:
            found: Mapping[str, Any] = entry
            return found
    return None


def _controller_of(method: Mapping[str, Any], default: str, base: str, vm_id: str) -> str:
    controller = method.get("controller", default)
    if not isinstance(controller, str) or not controller:
        raise ResolutionError(f"{vm_id} has no usable controller.",
                              code="VERIFICATION_METHOD_INVALID")
    return _absolute(controller, base)


def resolve_verification_method(vm_id: str, resolver: Resolver) -> VerificationMethod:
    """Find, decode and qualify the key `vm_id` names (see the module docstring for the rules)."""
    if not isinstance(vm_id, str) or not vm_id:
        raise ResolutionError("The verification method id is empty.",
                              code="VERIFICATION_METHOD_NOT_FOUND")
    base, _, fragment = vm_id.partition("#")
    if base.startswith("did:key:") and not fragment:
        vm_id = f"{base}#{base[len('did:key:'):]}"
    doc = resolver.resolve(base)
    if not isinstance(doc, Mapping):
        raise ResolutionError(f"{base} did not resolve to a JSON object.",
                              code="DID_DOCUMENT_INVALID")
    doc_id = doc.get("id")
    if _is_key_object(doc) and not base.startswith("did:"):
        return _bare_key(doc, vm_id, base, resolver)
    if (base.startswith("did:") or doc_id is not None) and doc_id != base:
        raise ResolutionError(
            f"The document for {base} has id {doc_id!r}.", code="DID_DOCUMENT_ID_MISMATCH"
        )
    method = _find_method(doc, vm_id, base)
    if method is None:
        raise ResolutionError(f"{base} does not list the key {vm_id}.",
                              code="VERIFICATION_METHOD_NOT_FOUND")
    controller = _controller_of(method, base, base, vm_id)
    if controller != base:
        raise ResolutionError(
            f"{vm_id} is listed by {base} but claims the controller {controller}.",
            code="VERIFICATION_METHOD_CONTROLLER_MISMATCH",
        )
    return VerificationMethod(
        id=vm_id,
        controller=controller,
        public_key=_public_key(method, vm_id),
        type=str(method.get("type")),
        purposes=_purposes(doc, vm_id, base),
    )


def _bare_key(
    doc: Mapping[str, Any], vm_id: str, base: str, resolver: Resolver
) -> VerificationMethod:
    doc_id = doc.get("id", base)
    if not isinstance(doc_id, str) or _absolute(doc_id, base) != vm_id:
        raise ResolutionError(f"The key document at {base} has id {doc_id!r}, not {vm_id}.",
                              code="VERIFICATION_METHOD_NOT_FOUND")
    if doc.get("type") not in _KEY_TYPES:
        raise ResolutionError(f"The key type {doc.get('type')!r} is not supported.",
                              code="KEY_TYPE_UNSUPPORTED")
    public_key = _public_key(doc, vm_id)
    controller = _controller_of(doc, base, base, vm_id)
    if controller == base:
        purposes = _BARE_KEY_PURPOSES
    else:
        try:
            controller_doc = resolver.resolve(controller)
        except ResolutionError:
            purposes = frozenset()
        else:
            same = isinstance(controller_doc, Mapping) and controller_doc.get("id") == controller
            purposes = _purposes(controller_doc, vm_id, controller) if same else frozenset()
    return VerificationMethod(id=vm_id, controller=controller, public_key=public_key,
                              type=str(doc.get("type")), purposes=purposes)
