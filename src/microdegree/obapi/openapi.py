"""The static part of the Open Badges API in the platform's OpenAPI document
(/api/openapi.json): RFC 7591 registration (a plain view) and the 1EdTech OAuth2ACG security
scheme. The API's operations and schemas are generated from `api.py` (ninja).
"""

from __future__ import annotations

from typing import Any

from microdegree.obapi import scopes
from microdegree.obapi.discovery import BASE_PATH, api_base

SCHEMAS: dict[str, Any] = {
    "ClientRegistrationRequest": {
        "type": "object", "required": ["client_name", "redirect_uris"],
        "properties": {
            "client_name": {"type": "string"}, "client_uri": {"type": "string"},
            "logo_uri": {"type": "string"}, "tos_uri": {"type": "string"},
            "policy_uri": {"type": "string"}, "software_id": {"type": "string"},
            "software_version": {"type": "string"},
            "redirect_uris": {"type": "array", "items": {"type": "string"}},
            "token_endpoint_auth_method": {"type": "string"},
            "grant_types": {"type": "array", "items": {"type": "string"}},
            "response_types": {"type": "array", "items": {"type": "string"}},
            "scope": {"type": "string"},
        },
    },
    "ClientRegistrationResponse": {
        "type": "object", "required": ["client_id"],
        "properties": {"client_id": {"type": "string"}, "client_secret": {"type": "string"},
                       "client_id_issued_at": {"type": "integer"},
                       "client_secret_expires_at": {"type": "integer"}},
    },
    "OAuthError": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(name: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def paths() -> dict[str, Any]:
    """RFC 7591 registration (a plain view: the RFC fixes its error format)."""
    return {
        f"{BASE_PATH}/register": {"post": {
            "operationId": "obRegisterClient", "tags": ["Open Badges API"], "security": [],
            "summary": "RFC 7591 dynamic client registration",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("ClientRegistrationRequest")}}},
            "responses": {"201": _json("ClientRegistrationResponse", "Registered"),
                          "400": _json("OAuthError", "Invalid client metadata"),
                          "429": _json("OAuthError", "Too many registrations")}}},
    }


def security_schemes() -> dict[str, Any]:
    base = api_base()
    return {"OAuth2ACG": {
        "type": "oauth2",
        "description": "OAuth 2.0 authorization code with PKCE (S256) and dynamic client "
                       "registration; the Open Badges API only.",
        "flows": {"authorizationCode": {
            "authorizationUrl": f"{base}/authorize", "tokenUrl": f"{base}/token",
            "refreshUrl": f"{base}/token", "scopes": dict(scopes.SPEC_WORDS)}},
    }}
