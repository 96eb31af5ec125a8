"""OpenAPI 3.1 description of the issuing JSON API (served at /api/v1/issuing/openapi.json).

Hand-written next to the plain views in `api.py`; `tests/issuing/test_openapi.py` checks every
response of the API against it, so the two cannot drift apart silently.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {400: "Invalid request", 401: "Not authenticated", 403: "Not allowed",
            404: "Not found (or not yours)", 405: "Method not allowed", 409: "Conflict",
            422: "Idempotency-Key already used for a different request"}
    return {str(s): _json(_ref("Error"), text[s]) for s in statuses}


SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
UUID = {"name": "uuid", "in": "path", "required": True,
        "schema": {"type": "string", "format": "uuid"}}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
    },
    "CredentialSummary": {
        "type": "object",
        "required": ["id", "credential_id", "achievement", "version", "recipient_email",
                     "state", "state_reason", "issued_at", "valid_until"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "credential_id": {"type": "string", "pattern": "^urn:uuid:"},
            "achievement": {"type": "string", "description": "the definition's slug"},
            "version": {"type": "integer"},
            "recipient_email": {"type": "string"},
            "state": {"enum": ["active", "suspended", "revoked"]},
            "state_reason": {"type": "string"},
            "issued_at": {"type": "string", "format": "date-time"},
            "valid_until": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "AwardResult": {
        "allOf": [_ref("CredentialSummary"), {
            "type": "object", "required": ["credential"],
            "properties": {"credential": _ref("VerifiableCredential")},
        }],
    },
    "CredentialList": {
        "type": "object", "required": ["items", "total", "limit", "offset"],
        "properties": {
            "items": {"type": "array", "items": _ref("CredentialSummary")},
            "total": {"type": "integer"}, "limit": {"type": "integer"},
            "offset": {"type": "integer"},
        },
    },
    "AwardRequest": {
        "type": "object", "required": ["achievement", "recipient_email"],
        "additionalProperties": False,
        "properties": {
            "achievement": {"type": "string", "description": "slug of a definition"},
            "version": {"type": "integer", "description": "default: the latest version"},
            "recipient_email": {"type": "string", "format": "email"},
            "recipient_name": {"type": "string"},
            "recipient_identifier": {"type": "string"},
            "recipient_did": {"type": "string"},
            "credits_earned": {"type": ["number", "null"], "minimum": 0},
            "result": {"type": "string"},
            "narrative": {"type": "string"},
            "evidence_url": {"type": "string", "format": "uri"},
            "activity_start": {"type": "string", "format": "date"},
            "activity_end": {"type": "string", "format": "date"},
        },
    },
    "StatusChange": {
        "type": "object", "required": ["reason"],
        "properties": {"reason": {"type": "string", "minLength": 1}},
    },
    "VerifiableCredential": {
        "type": "object", "description": "the signed OB 3.0 credential, exactly as stored",
        "required": ["@context", "id", "type", "issuer", "validFrom", "credentialSubject",
                     "proof"],
    },
}


def openapi_document() -> dict[str, Any]:
    action = {
        "post": {
            "summary": "Revoke (permanent), suspend or unsuspend a credential",
            "parameters": [UUID, {"name": "action", "in": "path", "required": True,
                                  "schema": {"enum": ["revoke", "suspend", "unsuspend"]}}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": _ref("StatusChange")}}},
            "responses": {"200": _json(_ref("CredentialSummary"), "The new state"),
                          **_errors(400, 401, 403, 404, 409)},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Microdegree issuing API", "version": "1"},
        "servers": [{"url": settings.PUBLIC_URL}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/v1/institutions/{slug}/credentials": {
                "get": {
                    "summary": "The institution's credentials, newest first",
                    "parameters": [SLUG] + [
                        {"name": n, "in": "query", "schema": s} for n, s in (
                            ("state", {"enum": ["active", "suspended", "revoked"]}),
                            ("achievement", {"type": "string"}),
                            ("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
                            ("offset", {"type": "integer", "minimum": 0}))
                    ],
                    "responses": {"200": _json(_ref("CredentialList"), "One page"),
                                  **_errors(400, 401, 404)},
                },
                "post": {
                    "summary": "Award one credential (signed, stored, e-mailed)",
                    "parameters": [SLUG, {
                        "name": "Idempotency-Key", "in": "header", "schema": {"type": "string"},
                        "description": "a retry with the same key (and the same body) issues "
                        "nothing and answers 200 with the first response and "
                        "`Idempotent-Replayed: true`; the same key with another body is a 422",
                    }],
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _ref("AwardRequest")}}},
                    "responses": {
                        "201": _json(_ref("AwardResult"), "Issued"),
                        "200": _json(_ref("AwardResult"), "Replayed (same Idempotency-Key)"),
                        **_errors(400, 401, 403, 404, 409, 422),
                    },
                },
            },
            "/api/v1/institutions/{slug}/credentials/{uuid}": {
                "get": {
                    "summary": "The stored signed credential, byte for byte",
                    "parameters": [SLUG, UUID],
                    "responses": {
                        "200": {"description": "The credential", "content": {
                            "application/vc+ld+json": {
                                "schema": _ref("VerifiableCredential")}}},
                        **_errors(401, 404),
                    },
                },
            },
            "/api/v1/credentials/{uuid}/{action}": action,
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "an institution's API token (mdt_...)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid",
                            "description": "a signed-in staff member; send X-CSRFToken"},
            },
        },
    }
