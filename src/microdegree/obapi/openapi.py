"""The Open Badges API in the platform's OpenAPI document (/api/openapi.json): paths, schemas
and the OAuth2ACG security scheme, for `vcapi.openapi.openapi_document` to merge in.

Bodies are described loosely (credential documents as objects, errors as Imsx_StatusInfo):
the official schemas are bundled in `schemas/` and the tests validate answers against them.
"""

from __future__ import annotations

from typing import Any

from microdegree.obapi import scopes
from microdegree.obapi.discovery import BASE_PATH, api_base

_IMSX_MINOR = ["forbidden", "fullsuccess", "internal_server_error", "invalid_data",
               "invalid_query_parameter", "misdirected_request", "not_acceptable", "not_allowed",
               "not_found", "not_modified", "server_busy", "unauthorizedrequest", "unknown"]

SCHEMAS: dict[str, Any] = {
    "Imsx_StatusInfo": {
        "type": "object", "required": ["imsx_codeMajor", "imsx_severity"],
        "properties": {
            "imsx_codeMajor": {"enum": ["failure", "processing", "success", "unsupported"]},
            "imsx_severity": {"enum": ["error", "status", "warning"]},
            "imsx_description": {"type": "string"},
            "imsx_codeMinor": {"type": "object", "properties": {"imsx_codeMinorField": {
                "type": "array", "items": {"type": "object", "properties": {
                    "imsx_codeMinorFieldName": {"type": "string"},
                    "imsx_codeMinorFieldValue": {"enum": _IMSX_MINOR}}}}}},
        },
    },
    "GetOpenBadgeCredentialsResponse": {
        "type": "object",
        "properties": {
            "credential": {"type": "array", "items": {"type": "object"}},
            "compactJwsString": {"type": "array", "items": {"type": "string"}},
        },
    },
    "ObProfile": {
        "type": "object", "required": ["id", "type"],
        "properties": {"id": {"type": "string"}, "type": {"type": "string"},
                       "name": {"type": "string"}, "givenName": {"type": "string"},
                       "familyName": {"type": "string"}, "email": {"type": "string"}},
    },
    "ServiceDescriptionDocument": {
        "type": "object", "required": ["openapi", "info", "components"],
    },
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


def _imsx(*statuses: int) -> dict[str, Any]:
    return {str(s): _json("Imsx_StatusInfo", "Imsx_StatusInfo") for s in statuses}


def _secured(scope: str) -> list[dict[str, list[str]]]:
    return [{"OAuth2ACG": [scope]}]


def paths() -> dict[str, Any]:
    tags = ["Open Badges API"]
    query = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
    ]
    credential_body = {"required": True, "content": {
        "application/json": {"schema": {"type": "object"}},
        "text/plain": {"schema": {"type": "string",
                                  "pattern": r"^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$"}},
    }}
    return {
        f"{BASE_PATH}/discovery": {"get": {
            "operationId": "obGetServiceDescription", "tags": tags, "security": [],
            "responses": {"200": _json("ServiceDescriptionDocument", "Discovery document")}}},
        f"{BASE_PATH}/register": {"post": {
            "operationId": "obRegisterClient", "tags": tags, "security": [],
            "summary": "RFC 7591 dynamic client registration",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("ClientRegistrationRequest")}}},
            "responses": {"201": _json("ClientRegistrationResponse", "Registered"),
                          "400": _json("OAuthError", "Invalid client metadata"),
                          "429": _json("OAuthError", "Too many registrations")}}},
        f"{BASE_PATH}/credentials": {
            "get": {"operationId": "obGetCredentials", "tags": tags, "parameters": query,
                    "security": _secured(scopes.CREDENTIAL_READ),
                    "responses": {"200": _json("GetOpenBadgeCredentialsResponse",
                                               "One page of the learner's credentials"),
                                  **_imsx(400, 401, 403, 405)}},
            "post": {"operationId": "obUpsertCredential", "tags": tags,
                     "security": _secured(scopes.CREDENTIAL_UPSERT),
                     "requestBody": credential_body,
                     "responses": {"200": {"description": "Replaced"},
                                   "201": {"description": "Created"},
                                   **_imsx(400, 401, 403, 405)}},
        },
        f"{BASE_PATH}/profile": {
            "get": {"operationId": "obGetProfile", "tags": tags,
                    "security": _secured(scopes.PROFILE_READ),
                    "responses": {"200": _json("ObProfile", "The learner's profile"),
                                  **_imsx(401, 403, 405)}},
            "put": {"operationId": "obPutProfile", "tags": tags,
                    "security": _secured(scopes.PROFILE_UPDATE),
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": _ref("ObProfile")}}},
                    "responses": {"200": _json("ObProfile", "Updated"),
                                  **_imsx(400, 401, 403, 405)}},
        },
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
