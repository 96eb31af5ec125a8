"""did:key, did:web, HTTPS key URLs and the resolvers (local TLS server for the web parts)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from microdegree.vc.did import (
    CachingResolver,
    ChainResolver,
    KeyResolver,
    StaticResolver,
    VerificationMethod,
    WebResolver,
    default_resolver,
    did_key,
    did_key_document,
    did_web_document,
    did_web_to_url,
    resolve_verification_method,
    url_to_did_web,
)
from microdegree.vc.errors import KeyFormatError, ResolutionError
from microdegree.vc.fetch import SafeFetcher
from microdegree.vc.keys import Ed25519Key, verify_signature
from microdegree.vc.multibase import encode_z
from tests.vc.test_fetch import Server, json_route, tls_server

VECTORS = Path(__file__).resolve().parent.parent / "data" / "vectors"
DID_KEY_VECTORS: dict[str, Any] = json.loads(
    (VECTORS / "did-key" / "ccg-ed25519-x25519.json").read_text()
)
DID_WEB: dict[str, Any] = json.loads((VECTORS / "did-web" / "resolution-examples.json").read_text())
OB_VECTOR: dict[str, Any] = json.loads(
    (VECTORS / "eddsa-rdfc-2022" / "1edtech-ob-v3p0-teamwork.json").read_text()
)

KEY0 = Ed25519Key.from_seed(bytes([1]) * 32)
KEY1 = Ed25519Key.from_seed(bytes([2]) * 32)
UNI = "did:web:uni.example"
ISSUER_URL = "https://example.edu/issuers/565049"


def resolve(vm_id: str, docs: dict[str, Any]) -> VerificationMethod:
    return resolve_verification_method(vm_id, StaticResolver(docs))


def code_of(vm_id: str, docs: dict[str, Any]) -> str:
    with pytest.raises(ResolutionError) as info:
        resolve(vm_id, docs)
    return info.value.code


# --- did:key ----------------------------------------------------------------------------------


@pytest.mark.parametrize("did", sorted(DID_KEY_VECTORS))
def test_did_key_vectors(did: str) -> None:
    key = Ed25519Key.from_seed(bytes.fromhex(DID_KEY_VECTORS[did]["seed"]))
    assert did_key(key) == did
    assert did_key(key.public_multibase) == did
    method = resolve_verification_method(f"{did}#{key.public_multibase}", KeyResolver())
    assert method.public_key == key.public
    assert method.controller == did
    assert method.type == "Multikey"
    assert method.purposes == {
        "assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation",
    }


@pytest.mark.parametrize("did", sorted(DID_KEY_VECTORS))
def test_legacy_did_key_documents_resolve(did: str) -> None:
    """The CCG vector documents use Ed25519VerificationKey2018 / JsonWebKey2020 forms."""
    vector = DID_KEY_VECTORS[did]
    key = Ed25519Key.from_seed(bytes.fromhex(vector["seed"]))
    docs = {did: vector["didDocument"]}
    method = resolve(f"{did}#{key.public_multibase}", docs)
    assert method.public_key == key.public
    assert method.type in {"Ed25519VerificationKey2018", "JsonWebKey2020"}
    assert "assertionMethod" in method.purposes
    agreement = vector["didDocument"]["keyAgreement"][0]
    assert code_of(agreement, docs) == "KEY_TYPE_UNSUPPORTED"


def test_did_key_document_shape() -> None:
    did = did_key(KEY0)
    vm = f"{did}#{KEY0.public_multibase}"
    assert did_key_document(did) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{
            "id": vm, "type": "Multikey", "controller": did,
            "publicKeyMultibase": KEY0.public_multibase,
        }],
        "assertionMethod": [vm],
        "authentication": [vm],
        "capabilityInvocation": [vm],
        "capabilityDelegation": [vm],
    }


def test_did_key_rejects() -> None:
    x25519 = "did:key:" + encode_z(b"\xec\x01" + bytes(32))
    with pytest.raises(ResolutionError) as info:
        did_key_document(x25519)
    assert info.value.code == "KEY_TYPE_UNSUPPORTED"
    with pytest.raises(ResolutionError) as info:
        did_key_document("did:key:notbase58!")
    assert info.value.code == "INVALID_DID"
    with pytest.raises(ResolutionError) as info:
        KeyResolver().resolve("did:web:uni.example")
    assert info.value.code == "UNSUPPORTED_DID_METHOD"
    with pytest.raises(KeyFormatError):
        did_key("z6MkNOPE")
    other = f"{did_key(KEY0)}#{KEY1.public_multibase}"
    with pytest.raises(ResolutionError) as info:
        resolve_verification_method(other, KeyResolver())
    assert info.value.code == "VERIFICATION_METHOD_NOT_FOUND"


def test_did_key_without_fragment_means_the_key() -> None:
    method = resolve_verification_method(did_key(KEY0), KeyResolver())
    assert method.public_key == KEY0.public
    assert method.id == f"{did_key(KEY0)}#{KEY0.public_multibase}"


# --- did:web mapping --------------------------------------------------------------------------


@pytest.mark.parametrize("pair", DID_WEB["resolution"], ids=lambda p: p["did"])
def test_did_web_url_pairs(pair: dict[str, str]) -> None:
    assert did_web_to_url(pair["did"]) == pair["url"]
    assert url_to_did_web(pair["url"]) == pair["did"]


def test_url_to_did_web_accepts_site_and_path_forms() -> None:
    assert url_to_did_web("https://uni.example") == "did:web:uni.example"
    assert url_to_did_web("https://uni.example/") == "did:web:uni.example"
    assert url_to_did_web("https://Uni.Example/issuers/42") == "did:web:uni.example:issuers:42"
    assert did_web_to_url("did:web:uni.example:issuers:42") == (
        "https://uni.example/issuers/42/did.json"
    )


@pytest.mark.parametrize(
    "did",
    [
        "did:web:127.0.0.1", "did:web:10.0.0.1%3A8080", "did:web:[::1]", "did:web:%5B%3A%3A1%5D",
        "did:web:", "did:web:exa mple.com", "did:web:example.com%2Fevil",
        "did:web:user%40example.com", "did:web:example.com:..:etc", "did:web:example.com:a%2Fb",
        "did:web:example.com::x", "did:web:example.com%3A0", "did:web:example.com%3A99999",
        "did:web:example.com%3Aabc", "did:web:example.com#key-0", "did:web:example.com?x=1",
        "did:web:-bad-.example", "did:web:example.123", "did:key:z6Mk", "did:web:example.com:",
        "did:web:example.com:%2E%2E",
    ],
)
def test_did_web_rejects(did: str) -> None:
    with pytest.raises(KeyFormatError) as info:
        did_web_to_url(did)
    assert info.value.code == "INVALID_DID"


@pytest.mark.parametrize(
    "url",
    ["http://example.com/did.json", "https://127.0.0.1/did.json", "https://[::1]/did.json",
     "https://example.com/did.json?x=1", "https://u:p@example.com/", "https://example.com/a/../b",
     "ftp://example.com/"],
)
def test_url_to_did_web_rejects(url: str) -> None:
    with pytest.raises(KeyFormatError):
        url_to_did_web(url)


# --- did:web documents ------------------------------------------------------------------------


def test_did_web_document_matches_the_spec_example_shape() -> None:
    example = DID_WEB["multikeyDidDocumentExample"]
    vm = example["verificationMethod"][0]
    doc = did_web_document(example["id"], [("key-0", vm["publicKeyMultibase"])])
    assert doc["@context"] == example["@context"]
    assert doc["verificationMethod"] == example["verificationMethod"]
    assert doc["assertionMethod"] == example["assertionMethod"]
    method = resolve(vm["id"], {example["id"]: doc})
    assert "assertionMethod" in method.purposes


def test_did_web_document_keeps_retired_keys_and_limits_assertion() -> None:
    keys = [("key-0", KEY0.public_multibase), ("#key-1", KEY1.public_multibase)]
    doc = did_web_document(UNI, keys, assertion=["key-1"])
    assert [m["id"] for m in doc["verificationMethod"]] == [f"{UNI}#key-0", f"{UNI}#key-1"]
    assert doc["assertionMethod"] == [f"{UNI}#key-1"]
    retired = resolve(f"{UNI}#key-0", {UNI: doc})
    assert retired.public_key == KEY0.public
    assert "assertionMethod" not in retired.purposes
    assert resolve(f"{UNI}#key-1", {UNI: doc}).purposes == {"assertionMethod"}


def test_did_web_document_rejects_bad_input() -> None:
    with pytest.raises(KeyFormatError):
        did_web_document(UNI, [("key-0", KEY0.public_multibase)], assertion=["key-9"])
    with pytest.raises(KeyFormatError):
        did_web_document(UNI, [("key-0", KEY0.public_multibase), ("key-0", KEY1.public_multibase)])
    with pytest.raises(KeyFormatError):
        did_web_document(UNI, [("key-0", "zNotAKey")])
    with pytest.raises(KeyFormatError):
        did_web_document("did:web:10.0.0.1", [("key-0", KEY0.public_multibase)])


# --- verification methods from documents ------------------------------------------------------


def uni_doc(**changes: Any) -> dict[str, Any]:
    doc = did_web_document(UNI, [("key-0", KEY0.public_multibase)])
    doc.update(changes)
    return doc


def test_relative_and_absolute_method_ids() -> None:
    doc = uni_doc()
    doc["verificationMethod"][0]["id"] = "#key-0"
    doc["assertionMethod"] = ["#key-0"]
    doc["authentication"] = [f"{UNI}#key-0"]
    method = resolve(f"{UNI}#key-0", {UNI: doc})
    assert method.id == f"{UNI}#key-0"
    assert method.controller == UNI
    assert method.purposes == {"assertionMethod", "authentication"}


def test_embedded_method_in_a_relationship() -> None:
    doc = uni_doc()
    embedded = doc.pop("verificationMethod")[0]
    doc["assertionMethod"] = [embedded]
    method = resolve(f"{UNI}#key-0", {UNI: doc})
    assert method.public_key == KEY0.public
    assert method.purposes == {"assertionMethod"}


def test_document_id_mismatch() -> None:
    assert code_of(f"{UNI}#key-0", {UNI: uni_doc(id="did:web:evil.example")}) == (
        "DID_DOCUMENT_ID_MISMATCH"
    )


def test_method_not_listed() -> None:
    assert code_of(f"{UNI}#key-9", {UNI: uni_doc()}) == "VERIFICATION_METHOD_NOT_FOUND"


def test_method_claiming_another_controller_is_refused() -> None:
    doc = uni_doc()
    doc["verificationMethod"][0]["controller"] = "did:web:victim.example"
    assert code_of(f"{UNI}#key-0", {UNI: doc}) == "VERIFICATION_METHOD_CONTROLLER_MISMATCH"


def test_method_not_in_assertion_method() -> None:
    doc = uni_doc(assertionMethod=[], authentication=[f"{UNI}#key-0"])
    method = resolve(f"{UNI}#key-0", {UNI: doc})
    assert "assertionMethod" not in method.purposes
    assert method.purposes == {"authentication"}


@pytest.mark.parametrize(
    ("method", "code"),
    [
        ({"type": "Multikey", "publicKeyMultibase": encode_z(b"\x80\x24" + bytes(33))},
         "KEY_TYPE_UNSUPPORTED"),
        ({"type": "EcdsaSecp256k1VerificationKey2019", "publicKeyBase58": "abc"},
         "KEY_TYPE_UNSUPPORTED"),
        ({"type": "Multikey", "publicKeyMultibase": encode_z(b"\xed\x01" + bytes(31))},
         "KEY_LENGTH_INVALID"),
        ({"type": "JsonWebKey", "publicKeyJwk": {"kty": "EC", "crv": "P-256", "x": "AA"}},
         "KEY_TYPE_UNSUPPORTED"),
        ({"type": "JsonWebKey", "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": "AA",
                                                 "d": "AA"}}, "KEY_FORMAT_ERROR"),
        ({"type": "Multikey"}, "KEY_TYPE_UNSUPPORTED"),
    ],
)
def test_unusable_keys(method: dict[str, Any], code: str) -> None:
    doc = uni_doc()
    doc["verificationMethod"][0] = {"id": f"{UNI}#key-0", "controller": UNI, **method}
    assert code_of(f"{UNI}#key-0", {UNI: doc}) == code


def test_legacy_2020_and_2018_key_types() -> None:
    from microdegree.vc.multibase import b58encode

    doc = uni_doc()
    doc["verificationMethod"] = [
        {"id": f"{UNI}#a", "type": "Ed25519VerificationKey2020", "controller": UNI,
         "publicKeyMultibase": KEY0.public_multibase},
        {"id": f"{UNI}#b", "type": "Ed25519VerificationKey2018", "controller": UNI,
         "publicKeyBase58": b58encode(KEY1.public)},
    ]
    doc["assertionMethod"] = [f"{UNI}#a", f"{UNI}#b"]
    assert resolve(f"{UNI}#a", {UNI: doc}).public_key == KEY0.public
    assert resolve(f"{UNI}#b", {UNI: doc}).public_key == KEY1.public


# --- HTTPS verification-method URLs -----------------------------------------------------------


OB_KEY = OB_VECTOR["keyPair"]["publicKeyMultibase"]
OB_VM = OB_VECTOR["signedDocument"]["proof"]["verificationMethod"]


def test_https_controller_document_verifies_the_1edtech_vector() -> None:
    assert f"{ISSUER_URL}#{OB_KEY}" == OB_VM
    profile = {
        "@context": ["https://www.w3.org/ns/cid/v1"],
        "id": ISSUER_URL,
        "type": ["Profile"],
        "verificationMethod": [{"id": f"#{OB_KEY}", "type": "Multikey",
                                "controller": ISSUER_URL, "publicKeyMultibase": OB_KEY}],
        "assertionMethod": [f"#{OB_KEY}"],
    }
    method = resolve(OB_VM, {ISSUER_URL: profile})
    assert method.controller == OB_VECTOR["signedDocument"]["issuer"]["id"]
    assert method.purposes == {"assertionMethod"}
    assert verify_signature(method.public_key, bytes.fromhex(OB_VECTOR["signatureHex"]),
                            bytes.fromhex(OB_VECTOR["hashDataHex"]))


def bare_key(controller: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"@context": "https://w3id.org/security/multikey/v1", "id": OB_VM,
                           "type": "Multikey", "publicKeyMultibase": OB_KEY}
    if controller is not None:
        doc["controller"] = controller
    return doc


@pytest.mark.parametrize("controller", [ISSUER_URL, None])
def test_bare_key_at_its_controllers_url_is_usable(controller: str | None) -> None:
    method = resolve(OB_VM, {ISSUER_URL: bare_key(controller)})
    assert method.controller == ISSUER_URL
    assert "assertionMethod" in method.purposes


def test_bare_key_for_another_controller_needs_that_controllers_word() -> None:
    keys_url = "https://keys.example/k1"
    vm = f"{keys_url}#{OB_KEY}"
    key_doc = {**bare_key(ISSUER_URL), "id": vm}
    unlisted = resolve(vm, {keys_url: key_doc})  # controller unresolvable -> no purposes
    assert unlisted.controller == ISSUER_URL
    assert unlisted.purposes == frozenset()
    silent = {"id": ISSUER_URL, "type": "Profile"}
    assert resolve(vm, {keys_url: key_doc, ISSUER_URL: silent}).purposes == frozenset()
    vouching = {"id": ISSUER_URL, "assertionMethod": [vm]}
    assert resolve(vm, {keys_url: key_doc, ISSUER_URL: vouching}).purposes == {"assertionMethod"}
    impostor = {"id": "https://other.example/", "assertionMethod": [vm]}
    assert resolve(vm, {keys_url: key_doc, ISSUER_URL: impostor}).purposes == frozenset()


def test_bare_key_with_another_id_is_not_the_method() -> None:
    doc = {**bare_key(ISSUER_URL), "id": f"{ISSUER_URL}#other"}
    assert code_of(OB_VM, {ISSUER_URL: doc}) == "VERIFICATION_METHOD_NOT_FOUND"


def test_https_controller_document_with_other_id() -> None:
    doc = {"id": "https://evil.example/x", "verificationMethod": [bare_key(ISSUER_URL)]}
    assert code_of(OB_VM, {ISSUER_URL: doc}) == "DID_DOCUMENT_ID_MISMATCH"


# --- resolvers --------------------------------------------------------------------------------


def test_static_and_chain_resolvers() -> None:
    chain = ChainResolver(StaticResolver({UNI: uni_doc()}), KeyResolver())
    assert chain.resolve(f"{UNI}#key-0")["id"] == UNI
    assert chain.resolve(did_key(KEY0))["id"] == did_key(KEY0)
    with pytest.raises(ResolutionError) as info:
        chain.resolve("did:web:unknown.example")
    assert info.value.code == "DID_NOT_FOUND"
    with pytest.raises(ResolutionError) as info:
        ChainResolver(KeyResolver()).resolve("did:example:123")
    assert info.value.code == "UNSUPPORTED_DID_METHOD"


def test_chain_stops_at_a_real_failure() -> None:
    class Broken:
        def resolve(self, did_or_url: str) -> dict[str, Any]:
            raise ResolutionError("boom", code="DID_DOCUMENT_ID_MISMATCH")

    chain = ChainResolver(Broken(), StaticResolver({UNI: uni_doc()}))
    with pytest.raises(ResolutionError) as info:
        chain.resolve(UNI)
    assert info.value.code == "DID_DOCUMENT_ID_MISMATCH"


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


class Counting:
    def __init__(self, docs: dict[str, Any]) -> None:
        self.calls: list[str] = []
        self.inner = StaticResolver(docs)

    def resolve(self, did_or_url: str) -> dict[str, Any]:
        self.calls.append(did_or_url)
        return self.inner.resolve(did_or_url)


def test_caching_resolver_strips_fragments_and_skips_failures() -> None:
    counting = Counting({UNI: uni_doc()})
    cache = CachingResolver(counting, ttl_seconds=10, clock=Clock())
    cache.resolve(f"{UNI}#key-0")
    cache.resolve(UNI)
    assert counting.calls == [UNI]
    for _ in range(2):
        with pytest.raises(ResolutionError):
            cache.resolve("did:web:missing.example")
    assert counting.calls.count("did:web:missing.example") == 2


# --- over the wire: did:web and key URLs through a local TLS server ----------------------------


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[Server, SafeFetcher]]:
    srv, ctx = tls_server(tmp_path, "localhost")
    fetcher = SafeFetcher(allow_private=True, ssl_context=ctx, timeout=2,
                          resolve=lambda host, port: ["127.0.0.1"])
    yield srv, fetcher
    srv.close()


def local_did(srv: Server, *path: str) -> str:
    return ":".join([f"did:web:localhost%3A{srv.port}", *path])


def test_did_web_resolution_over_https(web: tuple[Server, SafeFetcher]) -> None:
    srv, fetcher = web
    did = local_did(srv, "issuers", "abc")
    assert did_web_to_url(did) == srv.url("/issuers/abc/did.json", host="localhost")
    doc = did_web_document(did, [("key-0", KEY0.public_multibase)])
    srv.routes["/issuers/abc/did.json"] = json_route(doc, "application/did+json")
    method = resolve_verification_method(f"{did}#key-0", WebResolver(fetcher))
    assert method.public_key == KEY0.public
    assert method.controller == did
    assert method.purposes == {"assertionMethod"}
    path, headers = srv.hits[0]
    assert path == "/issuers/abc/did.json"
    assert "application/did+json" in headers["accept"]
    site = local_did(srv)
    site_doc = did_web_document(site, [("k", KEY1.public_multibase)])
    srv.routes["/.well-known/did.json"] = json_route(site_doc)
    assert resolve_verification_method(f"{site}#k", WebResolver(fetcher)).public_key == KEY1.public


def test_did_web_id_mismatch_over_https(web: tuple[Server, SafeFetcher]) -> None:
    srv, fetcher = web
    did = local_did(srv, "issuers", "abc")
    forged = did_web_document(local_did(srv, "issuers", "xyz"), [("key-0", KEY0.public_multibase)])
    srv.routes["/issuers/abc/did.json"] = json_route(forged)
    with pytest.raises(ResolutionError) as info:
        WebResolver(fetcher).resolve(did)
    assert info.value.code == "DID_DOCUMENT_ID_MISMATCH"


def test_did_web_errors_over_https(web: tuple[Server, SafeFetcher]) -> None:
    srv, fetcher = web
    with pytest.raises(ResolutionError) as info:
        WebResolver(fetcher).resolve(local_did(srv, "nobody"))
    assert info.value.code == "DID_NOT_FOUND"
    srv.routes["/list/did.json"] = json_route([1, 2])
    with pytest.raises(ResolutionError) as info:
        WebResolver(fetcher).resolve(local_did(srv, "list"))
    assert info.value.code == "DID_DOCUMENT_INVALID"
    with pytest.raises(ResolutionError) as info:
        WebResolver(fetcher).resolve("did:ion:abc")
    assert info.value.code == "UNSUPPORTED_DID_METHOD"


def test_private_address_refused_without_allow_private(web: tuple[Server, SafeFetcher]) -> None:
    srv, _ = web
    srv.routes["/.well-known/did.json"] = json_route(uni_doc())
    with pytest.raises(ResolutionError) as info:
        default_resolver().resolve(local_did(srv))  # localhost resolves to loopback
    assert info.value.code == "FETCH_ADDRESS_REFUSED"
    assert srv.hits == []


def test_https_key_url_over_the_wire(web: tuple[Server, SafeFetcher]) -> None:
    srv, fetcher = web
    base = srv.url("/issuers/565049", host="localhost")
    vm = f"{base}#{OB_KEY}"
    srv.routes["/issuers/565049"] = json_route(
        {"id": vm, "type": "Multikey", "controller": base, "publicKeyMultibase": OB_KEY}
    )
    method = resolve_verification_method(vm, default_resolver(fetcher=fetcher))
    assert method.public_key.hex() == OB_VECTOR["keyPair"]["derived"]["publicKeyHex"]
    assert method.controller == base
    assert "assertionMethod" in method.purposes


def test_caching_resolver_counts_server_hits(web: tuple[Server, SafeFetcher]) -> None:
    srv, fetcher = web
    did = local_did(srv, "issuers", "abc")
    srv.routes["/issuers/abc/did.json"] = json_route(
        did_web_document(did, [("key-0", KEY0.public_multibase)])
    )
    clock = Clock()
    cache = CachingResolver(WebResolver(fetcher), ttl_seconds=300, clock=clock)
    for _ in range(3):
        resolve_verification_method(f"{did}#key-0", cache)
    clock.now += 299
    resolve_verification_method(f"{did}#key-0", cache)
    assert len(srv.hits) == 1
    clock.now += 2
    resolve_verification_method(f"{did}#key-0", cache)
    assert len(srv.hits) == 2


def test_default_resolver_handles_did_key_offline() -> None:
    class NoNetwork:
        def get(self, url: str, *, accept: str = "application/json") -> Any:
            raise AssertionError(f"unexpected fetch of {url}")

    resolver = default_resolver(fetcher=NoNetwork())
    assert resolver.resolve(did_key(KEY0)) == did_key_document(did_key(KEY0))


def test_resolved_documents_are_not_shared_mutably() -> None:
    """Callers get the stored document; resolve_verification_method never edits it."""
    doc = uni_doc()
    before = copy.deepcopy(doc)
    resolve(f"{UNI}#key-0", {UNI: doc})
    assert doc == before

