"""Shared test helpers: fixed keys, signed sample credentials, an in-memory fetcher."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from microdegree.vc import did, proofs
from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import FetchResponse
from microdegree.vc.keys import Ed25519Key
from microdegree.vc.status import BitstringStatusList
from tests.samples import sample_credential

CREATED = "2026-01-15T00:00:00Z"
STATUS_URL = "https://uni.example/status/demo/1"


def key_from(n: int) -> Ed25519Key:
    return Ed25519Key.from_seed(bytes([n]) * 32)


def vm_of(key: Ed25519Key) -> str:
    issuer = did.did_key(key)
    return f"{issuer}#{key.public_multibase}"


def signed_credential(
    key: Ed25519Key | None = None,
    *,
    suite: str = "eddsa-rdfc-2022",
    status: bool = False,
    **overrides: Any,
) -> dict[str, Any]:
    key = key or key_from(1)
    issuer = did.did_key(key)
    doc = sample_credential(issuer, status_list=STATUS_URL if status else None)
    doc.update(overrides)
    return proofs.sign(doc, key, verification_method=vm_of(key), suite=suite, created=CREATED)


def status_list_credential(
    key: Ed25519Key,
    revoked: set[int] = frozenset(),
    *,
    purpose: str = "revocation",  # type: ignore[assignment]
    url: str = STATUS_URL,
) -> dict[str, Any]:
    bits = BitstringStatusList()
    for index in revoked:
        bits.set(index, 1)
    issuer = did.did_key(key)
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode(),
        },
    }
    return proofs.sign(doc, key, verification_method=vm_of(key), created=CREATED)


@dataclass
class MemoryFetcher:
    """A Fetcher over a dict of URL -> JSON; unknown URLs fail like an unreachable host."""

    documents: Mapping[str, Any]
    hits: list[str] = field(default_factory=list)

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        del accept
        self.hits.append(url)
        if url not in self.documents:
            raise FetchError(f"could not connect to {url}", code="FETCH_FAILED")
        body = json.dumps(self.documents[url]).encode()
        return FetchResponse(
            url=url, status=200, content_type="application/json", body=body, headers={}
        )


def tampered(doc: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target: Any = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out
