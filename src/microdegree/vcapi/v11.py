"""VC Data Model 1.1 issuance through the VC API (many wallets still read only 1.1).

The API issues what the request's credential is: a credential whose first `@context` is
`https://www.w3.org/2018/credentials/v1` is a 1.1 credential (`issuanceDate`, `expirationDate`),
signed with the same Data Integrity cryptosuites. The 1.1 context does not define
`DataIntegrityProof` and its terms, nor `BitstringStatusListEntry`, so `add_contexts` appends the
Data Integrity v2 context (always) and the Bitstring Status List context (when the credential
has such an entry), as the specifications say a 1.1 credential must. No Django here.
"""

from __future__ import annotations

from typing import Any

VC_V1 = "https://www.w3.org/2018/credentials/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"


def is_v11(document: Any) -> bool:
    context = document.get("@context") if isinstance(document, dict) else None
    return isinstance(context, list) and bool(context) and context[0] == VC_V1


def _entries(document: dict[str, Any]) -> list[Any]:
    value = document.get("credentialStatus")
    return value if isinstance(value, list) else [] if value is None else [value]


def add_contexts(document: dict[str, Any]) -> None:
    """Append the contexts a 1.1 credential needs for the proof and status terms (in place)."""
    context = list(document["@context"])
    needs = []
    if any(isinstance(e, dict) and e.get("type") == "BitstringStatusListEntry"
           for e in _entries(document)):
        needs.append(STATUS_V1)
    needs.append(DATA_INTEGRITY_V2)
    for url in needs:
        if url not in context:
            context.append(url)
    document["@context"] = context
