"""The W3C CCG VC API endpoints (django-ninja): issue, verify, presentations, status.

- `POST /credentials/issue` (Bearer token of an institution with the issuer role):
  `{credential, options}` -> 201 `{verifiableCredential}`; 400 `{code, message, problems}`.
- `POST /credentials/verify` `{verifiableCredential, options: {acceptUnknownStatus}}` and
  `POST /presentations/verify` `{verifiablePresentation, options: {challenge, domain,
  acceptUnknownStatus}}`: 200 `{verified, checks, warnings, errors, report}` when valid, 422 with
  the same body when not (a status list that cannot be fetched is STATUS_RETRIEVAL_ERROR, not
  verified, unless `acceptUnknownStatus` is true), 400 when the request itself is malformed.
  Public.
- `POST /credentials/status` (Bearer token) `{credentialId, credentialStatus: [{type, status}]}`:
  200 `{credentialId, state}`; another institution's credential is a 404 like a missing one.

Errors use the platform's `{"code", "message"}` shape: the API mapping of `microdegree.api_layer`
(one error model, `microdegree.errors`).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from ninja.security import HttpBearer

from microdegree.api_layer import surface_api
from microdegree.errors import Invalid
from microdegree.issuing import idempotency
from microdegree.issuing import services as issuing_services
from microdegree.issuing.models import ApiToken
from microdegree.vc.report import Check, Outcome, Report
from microdegree.vcapi import messages, schemas, services, validation
from microdegree.vcapi.messages import MessageStatus
from microdegree.vcapi.models import ApiCredential

PROBLEM_TYPE = "https://w3id.org/vc/api#"  # our codes are not registered; the prefix marks them


class TokenAuth(HttpBearer):
    """An institution's API token (`Authorization: Bearer mdt_...`)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return issuing_services.token_from(token.strip())


def _json(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json")


api = surface_api(
    surface="vcapi",
    namespace="vcapi",
    title="Microdegree W3C VC API",
    description="W3C CCG Verifiable Credentials API: issue (with Bitstring Status List entries), "
    "verify credentials and presentations, and change a credential's status.",
)


def _error(code: str, message: str, status: int) -> HttpResponse:
    return _json({"code": code, "message": message}, status)


ERRORS = {400: schemas.Error, 401: schemas.Error, 403: schemas.Error, 404: schemas.Error,
          409: schemas.Error}


# --- issue --------------------------------------------------------------------------------------


@api.post("/credentials/issue", auth=TokenAuth(),
          response={201: schemas.IssueResponse, 200: schemas.IssueResponse, **ERRORS,
                    422: schemas.Error},
          summary="Issue a credential", operation_id="issueCredential",
          tags=["Credentials"])
def issue_credential(request: HttpRequest, payload: schemas.IssueRequest) -> HttpResponse:
    """Sign the credential with the institution's key and keep it (so its status can change).

    With an `Idempotency-Key` header, a retry of the same request issues nothing and answers
    200 with the first answer's body and `Idempotent-Replayed: true`; the same key with another
    body is a 422 `IDEMPOTENCY_KEY_REUSED`."""
    inst = services.check_can_issue(request.auth)
    key = idempotency.key_of(request.headers)
    print_ = idempotency.fingerprint("vcapi:credentials/issue", request.body)
    return idempotency.run(inst, key, print_, lambda: _issue(request.auth, payload)).http()


def _issue(token: ApiToken, payload: schemas.IssueRequest) -> idempotency.Stored:
    options = payload.options or schemas.IssueOptions.model_validate({})
    purposes, message, reference = _status_options(options.credentialStatus)
    stored = services.issue(token, payload.credential, cryptosuite=options.cryptosuite,
                            status_purposes=purposes, created=options.created,
                            message_status=message, status_reference=reference)
    # The stored text, spliced in verbatim (a re-serialised document could stop verifying).
    return idempotency.Stored(201, f'{{"verifiableCredential":{stored.document}}}')


def _status_options(option: schemas.StatusOption | None
                    ) -> tuple[list[str], MessageStatus | None, Any]:
    """`options.credentialStatus` as purposes (revocation, suspension), the message entry
    wanted, and the statusReference for every entry."""
    if option is None:
        return [], None, None
    chosen = option.statusPurpose
    purposes: list[str] = list(dict.fromkeys([chosen] if isinstance(chosen, str) else chosen))
    message = None
    if "message" in purposes:
        purposes.remove("message")
        message = MessageStatus(
            status_size=option.statusSize or 1,
            status_message=(tuple(m.model_dump() for m in option.statusMessage)
                            if option.statusMessage is not None else None))
    elif option.statusSize not in (None, 1) or option.statusMessage is not None:
        raise Invalid("statusSize and statusMessage are for a statusPurpose of 'message'.",
                      code="REQUEST_INVALID")
    reference = option.statusReference
    references = [reference] if isinstance(reference, str) else reference or []
    if reference is not None and (not references
                                  or not all(validation.is_url(r) for r in references)):
        raise Invalid("statusReference must be a URL or a list of URLs.",
                      code="STATUS_REFERENCE_INVALID")
    return purposes, message, reference


# --- verify -------------------------------------------------------------------------------------


def _problem(check: Check, path: str | None) -> dict[str, Any]:
    out = {"type": PROBLEM_TYPE + check.code, "code": check.code, "title": check.name,
           "detail": check.message}
    if path is not None:
        out["path"] = path
    return out


def _collect(report: Report, path: str | None, checks: list[str], warnings: list[Any],
             errors: list[Any]) -> None:
    for check in report.checks:
        if check.outcome is Outcome.PASS and path is None and check.name not in checks:
            checks.append(check.name)
        elif check.outcome is Outcome.WARN:
            warnings.append(_problem(check, path))
        elif check.outcome is Outcome.FAIL:
            errors.append(_problem(check, path))
    for i, nested in enumerate(report.nested):
        prefix = path or "$"
        _collect(nested, f"{prefix}.verifiableCredential[{i}]", checks, warnings, errors)


def _verify_response(report: Report) -> HttpResponse:
    checks: list[str] = []
    warnings: list[Any] = []
    errors: list[Any] = []
    _collect(report, None, checks, warnings, errors)
    failed = {c.name for c in report.errors}
    checks = [name for name in checks if name not in failed]
    verified = report.verified
    body = {"verified": verified, "checks": checks, "warnings": warnings, "errors": errors,
            "report": report.to_json()}
    return _json(body, 200 if verified else 422)


VERIFY_RESPONSES = {200: schemas.VerifyResponse, 422: schemas.VerifyResponse,
                    400: schemas.Error}


def _types(document: dict[str, Any]) -> list[Any]:
    value = document.get("type")
    return value if isinstance(value, list) else [value]


@api.post("/credentials/verify", response=VERIFY_RESPONSES, summary="Verify a credential",
          operation_id="verifyCredential", tags=["Credentials"])
def verify_credential(request: HttpRequest, payload: schemas.VerifyCredentialRequest
                      ) -> HttpResponse:
    """Proof, issuer key binding, JSON Schema, validity dates, status, issuer registry."""
    document = payload.verifiableCredential
    if "VerifiablePresentation" in _types(document):
        return _error("REQUEST_INVALID",
                      "This is a presentation: send it to /presentations/verify.", 400)
    options = payload.options or schemas.VerifyOptions.model_validate({})
    return _verify_response(services.verify(
        document, accept_unknown_status=options.acceptUnknownStatus))


@api.post("/presentations/verify", response=VERIFY_RESPONSES, summary="Verify a presentation",
          operation_id="verifyPresentation", tags=["Presentations"])
def verify_presentation(request: HttpRequest, payload: schemas.VerifyPresentationRequest
                        ) -> HttpResponse:
    """The holder's proof (answering `challenge` and `domain` when given) and every credential
    inside; an unsigned presentation is accepted only without a challenge, with a warning."""
    document = payload.verifiablePresentation
    if "VerifiablePresentation" not in _types(document):
        return _error("REQUEST_INVALID",
                      "verifiablePresentation must have the type VerifiablePresentation.", 400)
    options = payload.options or schemas.VerifyOptions.model_validate({})
    report = services.verify(document, challenge=options.challenge, domain=options.domain,
                             accept_unknown_status=options.acceptUnknownStatus)
    return _verify_response(report)


# --- status -------------------------------------------------------------------------------------


@api.post("/credentials/status", auth=TokenAuth(),
          response={200: schemas.UpdateStatusResponse, **ERRORS},
          summary="Revoke, suspend or unsuspend a credential",
          operation_id="updateCredentialStatus",
          tags=["Credentials"])
def update_status(request: HttpRequest, payload: schemas.UpdateStatusRequest) -> HttpResponse:
    """Only the institution that issued the credential (by its token) can change it."""
    state = ""
    reason = payload.reason or "Changed through the VC API"
    for change in payload.credentialStatus:
        if change.statusPurpose == "message":
            state = services.change_message(request.auth, payload.credentialId, change.status,
                                            reason).state
        else:
            state = services.change_status(request.auth, payload.credentialId, change.status,
                                           reason)
    return _json(_status_answer(request.auth, payload.credentialId, state))


def _status_answer(token: ApiToken, credential_id: str, state: str) -> dict[str, Any]:
    """`{credentialId, state}`, and `messageStatus` for a credential with a message entry."""
    body: dict[str, Any] = {"credentialId": credential_id, "state": state}
    cred = ApiCredential.objects.filter(institution=token.institution,
                                        credential_id=credential_id,
                                        message_list__isnull=False).select_related(
        "message_list").first()
    if cred is not None:
        body["messageStatus"] = messages.current(cred)
    return body
