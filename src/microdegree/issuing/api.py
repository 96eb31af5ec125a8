"""JSON API for awarding and status changes (plain Django views; errors as {"code","message"}).

Authentication: `Authorization: Bearer mdt_...` (an institution's `ApiToken`, hashed at rest) or
the Django session (then CSRF is enforced as for a form). Tenant isolation: a credential or an
institution that is not the caller's is the same 404 as one that does not exist.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from microdegree.catalog import services as catalog_services
from microdegree.catalog.models import AchievementDefinition
from microdegree.institutions import services as inst_services
from microdegree.institutions.models import Institution
from microdegree.issuing import idempotency, services
from microdegree.issuing.errors import DomainError, Invalid, NotFound, PermissionDenied
from microdegree.issuing.models import ApiToken, IssuedCredential
from microdegree.issuing.openapi import openapi_document

CONTENT_TYPE = "application/vc+ld+json"
ROLE_RANK = {"viewer": 0, "issuer": 1, "owner": 2}


class Unauthenticated(DomainError):
    code = "AUTHENTICATION_REQUIRED"
    status = 401


def error_response(exc: DomainError) -> JsonResponse:
    return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)


@dataclass(frozen=True)
class Caller:
    user: Any
    token: ApiToken | None

    @property
    def actor(self) -> Any:
        if self.token is not None:
            return f"api-token:{self.token.prefix} ({self.token.name})"
        return self.user

    def institution(self, slug: str, role: str = "viewer") -> Institution:
        if self.token is None:
            return inst_services.institution_for(self.user, slug, role=role)
        if self.token.institution.slug != slug:
            raise NotFound("No such institution.")
        if ROLE_RANK[self.token.role] < ROLE_RANK[role]:
            raise PermissionDenied(f"This token cannot do that (it needs the {role} role).")
        return self.token.institution


def _caller(request: HttpRequest) -> Caller:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Unauthenticated("Use 'Authorization: Bearer <token>'.")
        token = services.token_from(raw.strip())
        if token is None:
            raise Unauthenticated("This API token is not valid.", code="TOKEN_INVALID")
        return Caller(user=None, token=token)
    if not request.user.is_authenticated:
        raise Unauthenticated("Sign in or send an API token.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        checker = CsrfViewMiddleware(lambda r: HttpResponse())
        checker.process_request(request)
        if checker.process_view(request, lambda r: HttpResponse(), (), {}) is not None:
            raise PermissionDenied("CSRF check failed (send the CSRF token with a session).",
                                   code="CSRF_FAILED")
    return Caller(user=request.user, token=None)


def api_view(methods: tuple[str, ...]) -> Callable[[Callable[..., HttpResponse]],
                                                   Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt  # bearer tokens need none; session callers are checked in _caller
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = JsonResponse({"code": "METHOD_NOT_ALLOWED",
                                         "message": f"Use {' or '.join(methods)}."}, status=405)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, _caller(request), *args, **kwargs)
            except DomainError as exc:
                return error_response(exc)

        return wrapper

    return decorate


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("The request body is not valid JSON.", code="JSON_INVALID") from exc
    if not isinstance(data, dict):
        raise Invalid("The request body must be a JSON object.", code="JSON_INVALID")
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


AWARD_FIELDS = {"recipient_email", "recipient_name", "recipient_identifier", "recipient_did",
                "credits_earned", "result", "narrative", "evidence_url", "activity_start",
                "activity_end"}


@api_view(("GET", "POST"))
def institution_credentials(request: HttpRequest, caller: Caller, slug: str) -> HttpResponse:
    """GET: the institution's credentials (paged); POST: award one (Idempotency-Key honoured)."""
    if request.method == "GET":
        inst = caller.institution(slug)
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
            raise Invalid("limit and offset are numbers.", code="PAGING_INVALID") from exc
        total = qs.count()
        offset = min(offset, total)  # past the end is an empty page, whatever the number's size
        items = [_summary(c) for c in qs[offset:offset + limit]]
        response = JsonResponse({"items": items, "total": total, "limit": limit,
                                 "offset": offset})
        response["X-Total-Count"] = str(total)
        return response
    inst = caller.institution(slug, role="issuer")
    data = _body(request)
    slug_of = data.pop("achievement", None)
    number = data.pop("version", None)
    unknown = set(data) - AWARD_FIELDS
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.", code="FIELD_UNKNOWN")
    definition = AchievementDefinition.objects.filter(institution=inst, slug=str(slug_of)).first()
    if not slug_of or definition is None:
        raise Invalid("Name an achievement of this institution by its slug ('achievement').",
                      code="ACHIEVEMENT_UNKNOWN")
    if number is None:
        version = catalog_services.latest_version(definition)
    else:
        version = definition.versions.filter(number=number).first()
        if version is None:
            raise Invalid(f"The achievement has no version {number!r}.",
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
        raise NotFound("No such credential.")
    return cred


@api_view(("GET",))
def credential_document(request: HttpRequest, caller: Caller, slug: str, cred: Any
                        ) -> HttpResponse:
    """The stored signed credential, byte for byte."""
    credential = _credential(caller, cred, "viewer", slug)
    return HttpResponse(credential.document, content_type=CONTENT_TYPE)


ACTIONS = {"revoke": services.revoke, "suspend": services.suspend,
           "unsuspend": services.unsuspend}


@api_view(("POST",))
def credential_action(request: HttpRequest, caller: Caller, cred: Any, action: str
                      ) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound("No such action.")
    credential = _credential(caller, cred, "issuer")
    reason = _body(request).get("reason", "")
    ACTIONS[action](caller.actor, credential, str(reason or ""))
    return JsonResponse(_summary(credential))


def openapi_json(request: HttpRequest) -> JsonResponse:
    """The OpenAPI description of this API (public)."""
    response = JsonResponse(openapi_document())
    response["Access-Control-Allow-Origin"] = "*"
    return response
