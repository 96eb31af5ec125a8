"""The issuing JSON API: award, list, fetch and change the status of credentials (a ninja
`Router` of the platform's API under `/api/v1/`, `microdegree.web.apis`; errors `{code,
message}`; its OpenAPI description is generated from the schemas below).

Authentication (`InstitutionAuth`): `Authorization: Bearer mdt_...` (an institution's `ApiToken`,
hashed at rest) or the Django session (then CSRF is enforced as for a form). Tenant isolation: a
credential or an institution that is not the caller's is the same 404 as one that does not exist.
Bodies are read here rather than by ninja so that each mistake keeps its own code
(JSON_INVALID, FIELD_UNKNOWN, ACHIEVEMENT_UNKNOWN, ...); the schemas document them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security.base import AuthBase
from ninja.utils import check_csrf
from pydantic import ConfigDict, Field

from microdegree.api_layer import Error, not_allowed, request_body
from microdegree.catalog import services as catalog_services
from microdegree.catalog.models import AchievementDefinition
from microdegree.errors import Invalid, NotFound, PermissionDenied, Unauthenticated
from microdegree.institutions import services as inst_services
from microdegree.institutions.models import Institution
from microdegree.issuing import idempotency, services
from microdegree.issuing.models import ApiToken, IssuedCredential

router = Router(tags=["Issuing"])

CONTENT_TYPE = "application/vc+ld+json"
ROLE_RANK = {"viewer": 0, "issuer": 1, "owner": 2}


@dataclass(frozen=True)
class Caller:
    user: Any
    token: ApiToken | None

    @property
    def prefix(self) -> str | None:
        """The token's prefix, for the request log (`web.faults`)."""
        return self.token.prefix if self.token is not None else None

    @property
    def actor(self) -> Any:
        if self.token is not None:
            return f"api-token:{self.token.prefix} ({self.token.name})"
        return self.user

    def institution(self, slug: str, role: str = "viewer") -> Institution:
        if self.token is None:
            return inst_services.institution_for(self.user, slug, role=role)
        if self.token.institution.slug != slug:
            raise NotFound(_("No such institution."))
        if ROLE_RANK[self.token.role] < ROLE_RANK[role]:
            raise PermissionDenied(_("This token cannot do that (it needs the %(role)s role).")
                                   % {"role": role})
        return self.token.institution


def _caller(request: HttpRequest) -> Caller:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Unauthenticated(_("Use 'Authorization: Bearer <token>'."))
        token = services.token_from(raw.strip())
        if token is None:
            raise Unauthenticated(_("This API token is not valid."), code="TOKEN_INVALID")
        return Caller(user=None, token=token)
    if not request.user.is_authenticated:
        raise Unauthenticated(_("Sign in or send an API token."))
    if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request) is not None:
        raise PermissionDenied(_("CSRF check failed (send the CSRF token with a session)."),
                               code="CSRF_FAILED")
    return Caller(user=request.user, token=None)


class InstitutionAuth(AuthBase):
    """A bearer API token of the institution, or a signed-in member's session (with CSRF)."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = "an institution's API token (mdt_...), or a signed-in member's session"

    def __call__(self, request: HttpRequest) -> Caller:
        return _caller(request)


AUTH = InstitutionAuth()


def _who(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(_("The request body is not valid JSON."), code="JSON_INVALID") from exc
    if not isinstance(data, dict):
        raise Invalid(_("The request body must be a JSON object."), code="JSON_INVALID")
    return data


def _summary(cred: IssuedCredential) -> dict[str, Any]:
    version = cred.achievement_version
    return {
        "id": str(cred.uuid),
        "credential_id": cred.credential_id,
        "achievement": version.definition.slug,
        "version": version.number,
        "recipient_email": cred.recipient_email,
        "state": cred.state,
        "state_reason": cred.state_reason,
        "issued_at": cred.issued_at.isoformat(),
        "valid_until": cred.valid_until.isoformat() if cred.valid_until else None,
    }


# --- schemas (the generated OpenAPI document) -------------------------------------------------

State = Literal["active", "suspended", "revoked"]


class CredentialSummary(Schema):
    id: str = Field(..., json_schema_extra={"format": "uuid"})
    credential_id: str = Field(..., pattern="^urn:uuid:")
    achievement: str = Field(..., description="the definition's slug")
    version: int
    recipient_email: str
    state: State
    state_reason: str
    issued_at: str = Field(..., json_schema_extra={"format": "date-time"})
    valid_until: str | None = Field(..., json_schema_extra={"format": "date-time"})


VERIFIABLE_CREDENTIAL: dict[str, Any] = {
    "type": "object", "description": "the signed OB 3.0 credential, exactly as stored",
    "required": ["@context", "id", "type", "issuer", "validFrom", "credentialSubject", "proof"]}


class AwardResult(CredentialSummary):
    credential: dict[str, Any] = Field(..., json_schema_extra=VERIFIABLE_CREDENTIAL)


class CredentialList(Schema):
    items: list[CredentialSummary]
    total: int
    limit: int
    offset: int


class AwardRequest(Schema):
    achievement: str = Field(..., description="slug of a definition")
    version: int | None = Field(None, description="default: the latest version")
    recipient_email: str = Field(..., json_schema_extra={"format": "email"})
    recipient_name: str = ""
    recipient_identifier: str = ""
    recipient_did: str = ""
    credits_earned: float | None = Field(None, ge=0)
    result: str = ""
    narrative: str = ""
    evidence_url: str = Field("", json_schema_extra={"format": "uri"})
    activity_start: str = Field("", json_schema_extra={"format": "date"})
    activity_end: str = Field("", json_schema_extra={"format": "date"})

    model_config = ConfigDict(extra="forbid")


class StatusChange(Schema):
    reason: str = Field(..., min_length=1)


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "a retry with the same key (and the same body) issues nothing and answers "
    "200 with the first response and `Idempotent-Replayed: true`; the same key with another "
    "body is a 422 IDEMPOTENCY_KEY_REUSED"}
LIST_QUERY = [{"name": n, "in": "query", "required": False, "schema": sch} for n, sch in (
    ("state", {"enum": ["active", "suspended", "revoked"]}),
    ("achievement", {"type": "string"}),
    ("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
    ("offset", {"type": "integer", "minimum": 0}))]
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error}

AWARD_FIELDS = set(AwardRequest.model_fields) - {"achievement", "version"}

CREDENTIALS = "/institutions/{slug:slug}/credentials"


# --- operations ---------------------------------------------------------------------------------


@router.get(CREDENTIALS, auth=AUTH, response={200: CredentialList, **ERRORS},
            summary="The institution's credentials, newest first",
            operation_id="listCredentials", openapi_extra={"parameters": LIST_QUERY})
def list_credentials(request: HttpRequest, slug: str) -> HttpResponse:
    inst = _who(request).institution(slug)
    qs = IssuedCredential.objects.filter(institution=inst).select_related(
        "achievement_version__definition")
    if request.GET.get("state"):
        qs = qs.filter(state=request.GET["state"])
    if request.GET.get("achievement"):
        qs = qs.filter(achievement_version__definition__slug=request.GET["achievement"])
    try:
        limit = max(1, min(int(request.GET.get("limit", 50)), 500))
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError as exc:
        raise Invalid(_("limit and offset are numbers."), code="PAGING_INVALID") from exc
    total = qs.count()
    offset = min(offset, total)  # past the end is an empty page, whatever the number's size
    items = [_summary(c) for c in qs[offset:offset + limit]]
    response = JsonResponse({"items": items, "total": total, "limit": limit, "offset": offset})
    response["X-Total-Count"] = str(total)
    return response


@router.post(CREDENTIALS, auth=AUTH,
             response={201: AwardResult, 200: AwardResult, **ERRORS, 409: Error, 422: Error},
             summary="Award one credential (signed, stored, e-mailed)",
             operation_id="awardCredential",
             openapi_extra={"parameters": [IDEMPOTENCY_KEY], **request_body(AwardRequest)})
def award_credential(request: HttpRequest, slug: str) -> HttpResponse:
    """Award one (Idempotency-Key honoured)."""
    caller = _who(request)
    inst = caller.institution(slug, role="issuer")
    data = _body(request)
    slug_of = data.pop("achievement", None)
    number = data.pop("version", None)
    unknown = set(data) - AWARD_FIELDS
    if unknown:
        raise Invalid(_("Unknown field(s): %(value)s.")
                      % {"value": ', '.join(sorted(unknown))}, code="FIELD_UNKNOWN")
    definition = AchievementDefinition.objects.filter(institution=inst, slug=str(slug_of)).first()
    if not slug_of or definition is None:
        raise Invalid(_("Name an achievement of this institution by its slug ('achievement')."),
                      code="ACHIEVEMENT_UNKNOWN")
    if number is None:
        version = catalog_services.latest_version(definition)
    else:
        version = definition.versions.filter(number=number).first()
        if version is None:
            raise Invalid(_("The achievement has no version %(number)s.")
                          % {"number": repr(number)},
                          code="VERSION_UNKNOWN")
    key = idempotency.key_of(request.headers)
    print_ = idempotency.fingerprint(f"issuing:{inst.slug}", request.body)

    def award() -> idempotency.Stored:
        earlier = bool(key) and IssuedCredential.objects.filter(
            institution=inst, idempotency_key=key).exists()  # stored before requests were kept
        cred = services.issue_credential(caller.actor, version, idempotency_key=key, **data)
        return _stored(cred, replayed=earlier,
                       location=f"/api/v1/institutions/{inst.slug}/credentials/{cred.uuid}")

    return idempotency.run(inst, key, print_, award).http()


not_allowed(router, CREDENTIALS, ("GET", "POST"))


def _stored(cred: IssuedCredential, *, location: str, replayed: bool) -> idempotency.Stored:
    """The summary plus the stored credential, spliced in as text (never re-serialised)."""
    head = json.dumps(_summary(cred))[:-1]
    return idempotency.Stored(201, f'{head}, "credential": {cred.document}}}', location,
                              replayed=replayed)


def _credential(caller: Caller, cred_uuid: Any, role: str,
                slug: str | None = None) -> IssuedCredential:
    if caller.token is None:
        if slug is not None:
            return services.credential_for(caller.user, slug, cred_uuid, role=role)
        return services.credential_by_uuid_for(caller.user, cred_uuid, role=role)
    inst = caller.institution(slug or caller.token.institution.slug, role=role)
    cred = (IssuedCredential.objects.select_related("achievement_version__definition")
            .filter(institution=inst, uuid=cred_uuid).first())
    if cred is None:
        raise NotFound(_("No such credential."))
    return cred


DOCUMENT = CREDENTIALS + "/{uuid:cred}"


@router.get(DOCUMENT, auth=AUTH, response={401: Error, 404: Error},
            summary="The stored signed credential, byte for byte",
            operation_id="getCredential",
            openapi_extra={"responses": {"200": {"description": "The credential", "content": {
                CONTENT_TYPE: {"schema": VERIFIABLE_CREDENTIAL}}}}})
def credential_document(request: HttpRequest, slug: str, cred: Any) -> HttpResponse:
    credential = _credential(_who(request), cred, "viewer", slug)
    return HttpResponse(credential.document, content_type=CONTENT_TYPE)


not_allowed(router, DOCUMENT, ("GET",))

ACTIONS = {"revoke": services.revoke, "suspend": services.suspend,
           "unsuspend": services.unsuspend}
ACTION = "/credentials/{uuid:cred}/{action}"


@router.post(ACTION, auth=AUTH, response={200: CredentialSummary, **ERRORS, 409: Error},
             summary="Revoke (permanent), suspend or unsuspend a credential",
             description="`action` is revoke, suspend or unsuspend (another is a 404).",
             operation_id="changeCredentialStatus", openapi_extra=request_body(StatusChange))
def credential_action(request: HttpRequest, cred: Any, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound(_("No such action."))
    caller = _who(request)
    credential = _credential(caller, cred, "issuer")
    reason = _body(request).get("reason", "")
    ACTIONS[action](caller.actor, credential, str(reason or ""))
    return JsonResponse(_summary(credential))


not_allowed(router, ACTION, ("POST",))
