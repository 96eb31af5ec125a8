"""`POST /api/worth`: "What is it worth?" as JSON. Public, nothing stored.

A ninja `Router` of the platform's JSON API (`microdegree.web.apis`); its OpenAPI description is
generated from the schemas below. Body: `{"credentials": [credential, ...]}`, each a JSON object
(a credential or a verifiable presentation) or a string (JSON text or a VC-JWT). Answer: 200 with
`credentials` (what was read from each) and `programs` (every public program's proposal, most
credit first), or 4xx with `{"code", "message"}`. The body is read here, not by ninja, so that a
malformed one gets its own code (JSON_MALFORMED, CREDENTIALS_REQUIRED, CREDENTIAL_INVALID,
TOO_LARGE), and the answer is written with NaN refused (never a bare NaN token).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from microdegree.api_layer import Error
from microdegree.base.strict_json import StrictJsonResponse
from microdegree.errors import Invalid, PayloadTooLarge
from microdegree.recognition import services

router = Router(tags=["Recognition"])

MAX_CREDENTIALS = 50


class WorthRequest(Schema):
    credentials: list[dict[str, Any] | str] = Field(
        ..., max_length=MAX_CREDENTIALS,
        description="Credentials or verifiable presentations: JSON objects, or strings (JSON "
        "text or a VC-JWT).")


class WorthCredential(Schema):
    key: str
    position: int
    verdict: str
    verdict_message: str = ""
    name: str = ""
    issuer_id: str
    issuer_name: str = ""
    registry: str | None = None
    registry_name: str = ""
    registered_name: str = ""
    achievement_id: str
    achievement_name: str = ""
    achievement_type: str = ""
    eqf_level: int | None = None
    nqf_level: int | None = None
    credits_ects: float | None = None
    credits_claimed: float | None = Field(
        None, description="The creditsEarned the credential claims when it is above its "
        "achievement's creditsAvailable: then only creditsAvailable (credits_ects) counts.")
    result: str | None = None
    issued_at: str | None = None
    component_ids: list[str] = Field(default_factory=list)


ReasonCode = Literal[
    "MATCHED", "DUPLICATE", "ALREADY_COUNTED", "NO_AGREEMENT", "UNKNOWN_ISSUER",
    "TYPE_MISMATCH", "LEVEL_TOO_LOW", "CREDITS_TOO_LOW", "MISSING_COMPETENCY",
    "BELOW_MIN_GRADE", "TOO_OLD", "AGREEMENT_NOT_VALID", "UNREADABLE", "PROOF_INVALID",
    "REVOKED", "SUSPENDED", "EXPIRED", "NOT_YET_VALID", "STATUS_UNKNOWN", "NOT_APPLICANT",
    "NOT_VERIFIED"]


class WorthReason(Schema):
    position: int
    credential: WorthCredential | None = None
    counted: bool
    code: ReasonCode
    message: str
    credits: float
    agreement: dict[str, Any] | None = None
    exempted_modules: list[str] = Field(default_factory=list)
    unmet: list[dict[str, Any]] = Field(default_factory=list)


class OtherUnit(Schema):
    value: float
    unit: str


class Residency(Schema):
    terms_equivalent: float = 0
    terms_saved: int
    months_saved: int
    terms_remaining: int = 0
    months_remaining: int = 0


class WorthProposal(Schema):
    program: dict[str, Any]
    evaluated_on: str = ""
    credentials: list[WorthReason]
    credits_before_cap: float
    cap: float
    capped: bool
    recognised: float
    still_needed: float
    recognised_other_unit: OtherUnit | None = None
    residency: Residency
    exempted_modules: list[dict[str, Any]]


class WorthProgram(Schema):
    id: str
    name: str
    institution: dict[str, Any]
    proposal: WorthProposal


class WorthResponse(Schema):
    credentials: list[WorthCredential]
    programs: list[WorthProgram]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity, -Infinity: JSON has none


def _credentials(request: HttpRequest) -> list[Any]:
    try:
        body = json.loads(request.body, parse_constant=_no_constant)
    except RequestDataTooBig as exc:
        raise PayloadTooLarge("The request body is too large.", code="TOO_LARGE") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("The request body is not JSON.", code="JSON_MALFORMED") from exc
    if not isinstance(body, dict) or not isinstance(body.get("credentials"), list):
        raise Invalid('Send {"credentials": [...]}: a list of credentials or presentations.',
                      code="CREDENTIALS_REQUIRED")
    items = body["credentials"]
    if not all(isinstance(c, dict | str) for c in items):
        raise Invalid("Each credential is a JSON object or a string (JSON or VC-JWT).",
                      code="CREDENTIAL_INVALID")
    return items


_REQUEST_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": WorthRequest.model_json_schema(ref_template="#/components/schemas/{model}")}}}}


@router.post(
    "/worth", operation_id="worth",
    summary="What is it worth? Which programs recognise these credentials, and why",
    description="Verifies each credential (proof, issuer, dates, status) and evaluates every "
    "public program's recognition agreements. Public; nothing is stored. 400 "
    "`CREDITS_INVALID` when a credential states credits that are not a finite number of zero "
    "or more (\"NaN\", \"Infinity\", -5).",
    response={200: WorthResponse, 400: Error, 413: Error}, openapi_extra=_REQUEST_BODY)
def worth(request: HttpRequest) -> HttpResponse:
    facts, proposals, programs = services.worth(_credentials(request))
    return StrictJsonResponse({  # allow_nan=False: never a bare NaN token
        "credentials": [f.to_json() for f in facts],
        "programs": [
            {"institution": {"name": p.institution.name, "did": p.institution.did},
             "id": request.build_absolute_uri(p.path), "name": p.name,
             "proposal": proposal.to_json()}
            for p, proposal in zip(programs, proposals, strict=True)
        ],
    })
