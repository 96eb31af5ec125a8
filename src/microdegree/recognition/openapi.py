"""The OpenAPI 3.1 description of `POST /api/worth` (paths and schemas), ready for the
platform's merged document (`vcapi/openapi.py`); the tests validate real answers against it."""

from __future__ import annotations

from typing import Any

_NUM = {"type": "number"}
_STR = {"type": "string"}
_OPT_STR = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "WorthRequest": {
        "type": "object", "required": ["credentials"],
        "properties": {"credentials": {
            "type": "array", "maxItems": 50,
            "items": {"oneOf": [{"type": "object"}, {"type": "string"}]},
            "description": "Credentials or verifiable presentations: JSON objects, or strings "
                           "(JSON text or a VC-JWT).",
        }},
    },
    "WorthCredential": {
        "type": "object",
        "required": ["key", "position", "verdict", "issuer_id", "achievement_id"],
        "properties": {
            "key": _STR, "position": {"type": "integer"}, "verdict": _STR,
            "verdict_message": _STR, "name": _STR, "issuer_id": _STR, "issuer_name": _STR,
            "registry": _OPT_STR, "registry_name": _STR, "registered_name": _STR,
            "achievement_id": _STR, "achievement_name": _STR,
            "achievement_type": _STR, "eqf_level": {"type": ["integer", "null"]},
            "nqf_level": {"type": ["integer", "null"]},
            "credits_ects": {"type": ["number", "null"]},
            "result": _OPT_STR, "issued_at": _OPT_STR,
            "component_ids": {"type": "array", "items": _STR},
        },
    },
    "WorthReason": {
        "type": "object", "required": ["position", "counted", "code", "message", "credits"],
        "properties": {
            "position": {"type": "integer"}, "credential": _ref("WorthCredential"),
            "counted": {"type": "boolean"},
            "code": {"type": "string", "enum": [
                "MATCHED", "DUPLICATE", "ALREADY_COUNTED", "NO_AGREEMENT", "UNKNOWN_ISSUER",
                "TYPE_MISMATCH", "LEVEL_TOO_LOW", "CREDITS_TOO_LOW", "MISSING_COMPETENCY",
                "BELOW_MIN_GRADE", "TOO_OLD", "AGREEMENT_NOT_VALID", "UNREADABLE",
                "PROOF_INVALID", "REVOKED", "SUSPENDED", "EXPIRED", "NOT_YET_VALID",
                "STATUS_UNKNOWN", "NOT_APPLICANT", "NOT_VERIFIED"]},
            "message": _STR, "credits": _NUM,
            "agreement": {"type": ["object", "null"]},
            "exempted_modules": {"type": "array", "items": _STR},
            "unmet": {"type": "array", "items": {"type": "object"}},
        },
    },
    "WorthProposal": {
        "type": "object",
        "required": ["program", "credentials", "credits_before_cap", "cap", "capped",
                     "recognised", "still_needed", "residency", "exempted_modules"],
        "properties": {
            "program": {"type": "object"}, "evaluated_on": _STR,
            "credentials": {"type": "array", "items": _ref("WorthReason")},
            "credits_before_cap": _NUM, "cap": _NUM, "capped": {"type": "boolean"},
            "recognised": _NUM, "still_needed": _NUM,
            "recognised_other_unit": {"type": "object", "required": ["value", "unit"],
                                      "properties": {"value": _NUM, "unit": _STR}},
            "exempted_modules": {"type": "array", "items": {"type": "object"}},
            "residency": {"type": "object", "required": ["terms_saved", "months_saved"],
                          "properties": {"terms_equivalent": _NUM,
                                         "terms_saved": {"type": "integer"},
                                         "months_saved": {"type": "integer"},
                                         "terms_remaining": {"type": "integer"},
                                         "months_remaining": {"type": "integer"}}},
        },
    },
    "WorthResponse": {
        "type": "object", "required": ["credentials", "programs"],
        "properties": {
            "credentials": {"type": "array", "items": _ref("WorthCredential")},
            "programs": {"type": "array", "items": {
                "type": "object", "required": ["id", "name", "institution", "proposal"],
                "properties": {"id": _STR, "name": _STR, "institution": {"type": "object"},
                               "proposal": _ref("WorthProposal")}}},
        },
    },
}

PATHS: dict[str, Any] = {
    "/api/worth": {"post": {
        "summary": "What is it worth? Which programs recognise these credentials, and why",
        "description": "Verifies each credential (proof, issuer, dates, status) and evaluates "
                       "every public program's recognition agreements. Public; nothing is "
                       "stored.",
        "operationId": "worth",
        "tags": ["Recognition"],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": _ref("WorthRequest")}}},
        "responses": {
            "200": {"description": "Proposals, most credit first",
                    "content": {"application/json": {"schema": _ref("WorthResponse")}}},
            "400": {"description": "Invalid request; `CREDITS_INVALID` when a credential "
                                   "states credits that are not a finite number of zero or "
                                   "more (\"NaN\", \"Infinity\", -5)",
                    "content": {"application/json": {"schema": _ref("Error")}}},
            "413": {"description": "Request body too large",
                    "content": {"application/json": {"schema": _ref("Error")}}},
        },
    }},
}
