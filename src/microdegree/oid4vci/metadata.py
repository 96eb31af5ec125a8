"""The two discovery documents: credential issuer metadata (OpenID4VCI 1.0 §12.2) and
authorization server metadata (RFC 8414). The platform is both, at its public URL."""

from __future__ import annotations

from typing import Any

from microdegree.oid4vci.proof import ALGORITHMS
from microdegree.oid4vci.services import (
    CONFIGURATION_ID,
    PRE_AUTHORIZED_GRANT,
    SCOPE,
    issuer_id,
)

OB_CONTEXT = ["https://www.w3.org/ns/credentials/v2",
              "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def credential_issuer() -> dict[str, Any]:
    base = issuer_id()
    return {
        "credential_issuer": base,
        "authorization_servers": [base],
        "credential_endpoint": f"{base}/oid4vci/credential",
        "nonce_endpoint": f"{base}/oid4vci/nonce",
        "display": [{"name": "Microdegree", "locale": "en"}],
        "credential_configurations_supported": {
            CONFIGURATION_ID: {
                "format": "ldp_vc",
                "scope": SCOPE,
                "credential_definition": {
                    "@context": OB_CONTEXT,
                    "type": ["VerifiableCredential", "OpenBadgeCredential"],
                },
                "cryptographic_binding_methods_supported": ["did:key", "jwk"],
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022",
                                                            "eddsa-jcs-2022"],
                "proof_types_supported": {
                    "jwt": {"proof_signing_alg_values_supported": sorted(ALGORITHMS)},
                },
                "credential_metadata": {
                    "display": [
                        {"name": "Microcredential (Open Badges 3.0)", "locale": "en"},
                        {"name": "Microcredential (Open Badges 3.0)", "locale": "de"},
                    ],
                },
            },
        },
    }


def authorization_server() -> dict[str, Any]:
    base = issuer_id()
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oid4vci/authorize",
        "token_endpoint": f"{base}/oid4vci/token",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", PRE_AUTHORIZED_GRANT],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic",
                                                  "client_secret_post"],
        "scopes_supported": [SCOPE],
        "pre-authorized_grant_anonymous_access_supported": True,
        "authorization_response_iss_parameter_supported": True,
    }
