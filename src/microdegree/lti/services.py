"""LTI registrations (dynamic and manual), resource links to microcredentials, and the award.

Every write is a service function with an audit entry. Registrations belong to one institution
(its owners register); a launch reaches only its registration's institution's catalogue.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microdegree.audit.services import log_action
from microdegree.base.links import public_link
from microdegree.base.tokens import token_hash
from microdegree.catalog.models import AchievementDefinition
from microdegree.catalog.versions import latest_version
from microdegree.institutions.errors import Conflict, Invalid, NotFound
from microdegree.institutions.models import Institution
from microdegree.issuing import services as issuing
from microdegree.issuing.models import IssuedCredential
from microdegree.lti import tool
from microdegree.lti.models import PlatformRegistration, RegistrationInvite, ResourceLink
from microdegree.vc.errors import FetchError
from microdegree.vc.urls import UrlError, parse_url

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
AGS_SCOPES = ("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly")
MAX_URL = 2000
INVITE_DAYS = 7


def tool_urls() -> dict[str, str]:
    return {"login": public_link("/lti/login"), "launch": public_link("/lti/launch"),
            "jwks": public_link("/lti/jwks.json")}


def _url(value: Any, what: str) -> str:
    try:
        parse_url(value, max_length=MAX_URL, what=what)
    except UrlError as exc:
        raise Invalid(exc.message, code="LTI_URL_INVALID") from exc
    return str(value)


def _snapshot(reg: PlatformRegistration) -> dict[str, Any]:
    return {"issuer": reg.issuer, "client_id": reg.client_id, "method": reg.method,
            "deployment_ids": reg.deployment_ids, "key_set_url": reg.key_set_url,
            "auth_login_url": reg.auth_login_url, "auth_token_url": reg.auth_token_url}


def _store(actor: Any, inst: Institution, method: str, **fields: Any) -> PlatformRegistration:
    if not inst.is_approved:
        raise Invalid(_("The institution is not approved yet, so it cannot connect a course "
                        "platform."), code="INSTITUTION_NOT_APPROVED")
    labels = {"auth_login_url": _("The authentication request URL"),
              "auth_token_url": _("The access token URL"),
              "key_set_url": _("The public keyset URL")}
    for name, label in labels.items():
        fields[name] = _url(fields.get(name), label)
    if fields.get("auth_audience"):
        fields["auth_audience"] = str(fields["auth_audience"])[:MAX_URL]
    issuer = str(fields.get("issuer") or "").strip()
    client_id = str(fields.get("client_id") or "").strip()
    if not issuer or len(issuer) > 500 or not client_id or len(client_id) > 300:
        raise Invalid(_("A registration needs the platform's issuer (at most 500 characters) "
                        "and the client id it gave the tool (at most 300)."),
                      code="LTI_REGISTRATION_INVALID")
    deployments = [str(d).strip()[:255] for d in fields.get("deployment_ids") or []
                   if str(d).strip()]
    if not deployments:
        raise Invalid(_("A registration needs at least one deployment id."),
                      code="LTI_REGISTRATION_INVALID")
    fields.update(issuer=issuer, client_id=client_id, deployment_ids=deployments)
    try:
        with transaction.atomic():
            reg = PlatformRegistration.objects.create(
                institution=inst, method=method,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                **fields)
            log_action(actor, "lti.platform_registered", reg, institution_id=inst.pk,
                       after=_snapshot(reg))
    except IntegrityError as exc:
        raise Conflict(_("This platform's client id is registered already."),
                       code="LTI_ALREADY_REGISTERED") from exc
    return reg


def register_manually(actor: Any, inst: Institution, *, name: str = "", issuer: str,
                      client_id: str, auth_login_url: str, auth_token_url: str,
                      key_set_url: str, deployment_ids: list[str],
                      auth_audience: str = "") -> PlatformRegistration:
    """The owner types in what the platform's admin page shows (the fallback to dynamic)."""
    return _store(actor, inst, "manual", name=name[:200],
                  issuer=issuer, client_id=client_id, auth_login_url=auth_login_url,
                  auth_token_url=auth_token_url, key_set_url=key_set_url,
                  deployment_ids=deployment_ids, auth_audience=auth_audience)


def remove_registration(actor: Any, reg: PlatformRegistration) -> None:
    with transaction.atomic():
        log_action(actor, "lti.platform_removed", reg, institution_id=reg.institution_id,
                   before=_snapshot(reg))
        reg.delete()


# --- LTI Dynamic Registration 1.0 ------------------------------------------------------------


def _client_registration(inst: Institution) -> dict[str, Any]:
    urls = tool_urls()
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls["login"],
        "redirect_uris": [urls["launch"]],
        "client_name": f"Microdegree ({inst.name})",
        "jwks_uri": urls["jwks"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(AGS_SCOPES),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(urls["launch"]).netloc,
            "target_link_uri": urls["launch"],
            "description": "Microcredentials awarded when a learner passes the activity.",
            "claims": ["iss", "sub", "email", "name", "given_name", "family_name"],
            "messages": [{"type": "LtiDeepLinkingRequest", "target_link_uri": urls["launch"],
                          "label": "Microdegree microcredential"},
                         {"type": "LtiResourceLinkRequest", "target_link_uri": urls["launch"]}],
        },
    }


def _json_of(answer: Any, what: str) -> dict[str, Any]:
    try:
        body = json.loads(answer.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise Invalid(_("The platform's %(what)s is not a JSON object.") % {"what": what},
                      code="LTI_REGISTRATION_FAILED")
    return body


def create_invite(actor: Any, inst: Institution) -> tuple[RegistrationInvite, str]:
    """A one-time dynamic registration URL token (shown once), valid for INVITE_DAYS."""
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        invite = RegistrationInvite.objects.create(
            institution=inst, token_hash=token_hash(token),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            expires_at=timezone.now() + timedelta(days=INVITE_DAYS))
        log_action(actor, "lti.registration_link_created", invite, institution_id=inst.pk,
                   after={"expires_at": invite.expires_at.isoformat()})
    return invite, token


def invite_url(token: str) -> str:
    return public_link(f"/lti/register/{token}")


def open_invite(token: str) -> RegistrationInvite:
    """The unused, unexpired invite of `token`; NotFound (one sentence for every reason)."""
    invite = (RegistrationInvite.objects.select_related("institution")
              .filter(token_hash=token_hash(token), used_at__isnull=True,
                      expires_at__gt=timezone.now()).first())
    if invite is None:
        raise NotFound(_("This registration link is unknown, used already or expired: ask the "
                         "institution's owner for a new one."), code="LTI_INVITE_INVALID")
    return invite


def register_by_invite(token: str, openid_configuration: str,
                       registration_token: str = "") -> PlatformRegistration:
    """Dynamic registration through an owner's one-time link (the link is spent only when the
    registration succeeds)."""
    with transaction.atomic():
        invite = open_invite(token)
        invite = RegistrationInvite.objects.select_for_update().get(pk=invite.pk)
        if invite.used_at is not None:
            raise NotFound(_("This registration link is used already."),
                           code="LTI_INVITE_INVALID")
        actor = invite.created_by or f"lti-invite:{invite.pk}"  # the owner who made the link
        reg = register_dynamically(actor, invite.institution,
                                   openid_configuration, registration_token)
        invite.used_at, invite.registration = timezone.now(), reg
        invite.save(update_fields=["used_at", "registration"])
    return reg


def register_dynamically(actor: Any, inst: Institution, openid_configuration: str,
                         registration_token: str = "") -> PlatformRegistration:
    """LTI Dynamic Registration: read the platform's OpenID configuration, post our client
    registration to its registration endpoint, store what it answers."""
    config_url = _url(openid_configuration, _("The platform's openid_configuration"))
    http = tool.fetcher()
    try:
        config = _json_of(http.get(config_url), _("OpenID configuration"))
    except FetchError as exc:
        raise Invalid(_("The platform's OpenID configuration could not be read: %(why)s")
                      % {"why": exc.message}, code="LTI_REGISTRATION_FAILED") from exc
    issuer = config.get("issuer")
    if not isinstance(issuer, str) or not config_url.startswith(issuer.rstrip("/")):
        raise Invalid(_("The platform's OpenID configuration names an issuer that its own "
                        "address does not start with."), code="LTI_ISSUER_MISMATCH")
    endpoint = _url(config.get("registration_endpoint"), _("The registration endpoint"))
    headers = {"Content-Type": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        answer = http.request("POST", endpoint, headers=headers,
                              body=json.dumps(_client_registration(inst)).encode())
    except FetchError as exc:
        raise Invalid(_("The platform's registration endpoint could not be reached: %(why)s")
                      % {"why": exc.message}, code="LTI_REGISTRATION_FAILED") from exc
    if not 200 <= answer.status < 300:
        raise Invalid(_("The platform refused the registration (HTTP %(status)s).")
                      % {"status": answer.status}, code="LTI_REGISTRATION_REFUSED")
    client = _json_of(answer, _("registration answer"))
    tool_conf = client.get(TOOL_CONFIGURATION) or {}
    deployment = tool_conf.get("deployment_id") if isinstance(tool_conf, dict) else None
    platform = config.get(PLATFORM_CONFIGURATION) or {}
    name = platform.get("product_family_code", "") if isinstance(platform, dict) else ""
    return _store(actor, inst, "dynamic", name=str(name)[:200],
                  issuer=issuer, client_id=str(client.get("client_id") or ""),
                  auth_login_url=config.get("authorization_endpoint"),
                  auth_token_url=config.get("token_endpoint"),
                  auth_audience=str(config.get("authorization_server") or ""),
                  key_set_url=config.get("jwks_uri"),
                  deployment_ids=[deployment] if deployment else [])


# --- resource links and awards ---------------------------------------------------------------


def microcredentials(inst: Institution) -> list[AchievementDefinition]:
    return list(AchievementDefinition.objects.filter(
        institution=inst, kind=AchievementDefinition.Kind.MICROCREDENTIAL).order_by("slug"))


def definition_of(inst: Institution, slug: str) -> AchievementDefinition:
    found = AchievementDefinition.objects.filter(
        institution=inst, slug=slug, kind=AchievementDefinition.Kind.MICROCREDENTIAL).first()
    if found is None:
        raise NotFound(_("This institution has no microcredential %(slug)s.") % {"slug": slug},
                       code="LTI_NO_SUCH_MICROCREDENTIAL")
    return found


def parse_threshold(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0 < number <= 1:
        raise Invalid(_("The passing score is a fraction of the maximum, above 0 and at most 1 "
                        "(0.6 for 60%)."), code="LTI_THRESHOLD_INVALID")
    return number


def link_resource(actor: Any, reg: PlatformRegistration, resource_link_id: str, *,
                  slug: str, threshold: Any, context_id: str = "",
                  context_title: str = "") -> ResourceLink:
    """Map a course's resource link to one of the registration's institution's microcredentials
    (the first launch of a deep-linked activity does this from the signed custom claim)."""
    existing = ResourceLink.objects.filter(registration=reg,
                                           resource_link_id=resource_link_id).first()
    if existing is not None:
        return existing
    definition = definition_of(reg.institution, slug)
    with transaction.atomic():
        link, created = ResourceLink.objects.get_or_create(
            registration=reg, resource_link_id=resource_link_id[:255],
            defaults={"definition": definition, "threshold": parse_threshold(threshold),
                      "context_id": context_id[:255], "context_title": context_title[:300]})
        if created:
            log_action(actor, "lti.resource_linked", link, institution_id=reg.institution_id,
                       after={"resource_link_id": link.resource_link_id,
                              "definition": definition.slug, "threshold": link.threshold,
                              "context": link.context_title})
    return link


@dataclass
class Standing:
    """What the learner's launch page shows."""

    score: float | None = None  # resultScore / resultMaximum, None when the platform has none
    credential: IssuedCredential | None = None
    message: str = ""


def award_key(link: ResourceLink, sub: str) -> str:
    return f"lti:{link.registration_id}:{link.resource_link_id}:{sub}"[:200]


def awarded(link: ResourceLink, sub: str) -> IssuedCredential | None:
    return IssuedCredential.objects.filter(institution=link.registration.institution,
                                           idempotency_key=award_key(link, sub)).first()


def _fraction(results: list[Any], sub: str) -> float | None:
    best: float | None = None
    for result in results:
        if not isinstance(result, dict) or result.get("userId") != sub:
            continue
        score, maximum = result.get("resultScore"), result.get("resultMaximum", 100)
        if isinstance(score, int | float) and isinstance(maximum, int | float) and maximum > 0:
            fraction = float(score) / float(maximum)
            best = fraction if best is None else max(best, fraction)
    return best


def check_completion(launch: Any, link: ResourceLink, claims: dict[str, Any]) -> Standing:
    """Read the learner's result for this activity through AGS (a client-credentials token the
    library asks for with a JWT assertion signed by the tool key) and award the microcredential
    when score / maximum reaches the link's threshold. Awarding twice is impossible (an
    idempotency key per resource link and learner)."""
    sub = str(claims.get("sub") or "")
    done = awarded(link, sub)
    if done is not None:
        return Standing(credential=done)
    if not launch.has_ags():
        return Standing(message=_("The course platform does not share grades with this tool, "
                                  "so the microcredential cannot be awarded from here."))
    try:
        results = launch.get_ags().get_grades()
    except Exception as exc:  # the library raises LtiException, requests errors, ...
        return Standing(message=_("The course platform's grades could not be read: %(why)s")
                        % {"why": str(exc)[:300]})
    fraction = _fraction(results, sub)
    if fraction is None or fraction < link.threshold:
        return Standing(score=fraction)
    email = str(claims.get("email") or "").strip()
    if not email:
        return Standing(score=fraction, message=_(
            "You passed, but the course platform did not share your e-mail address, so the "
            "microcredential cannot be addressed to you."))
    context = claims.get("https://purl.imsglobal.org/spec/lti/claim/context") or {}
    version = latest_version(link.definition)
    result = f"{round(fraction * 100)}%"
    if issuing.achievement_limits(version).problem(None, result) is not None:
        result = ""  # a percentage the grading scheme has no place for (1-10, Pass/Fail)
    credential = issuing.issue_credential(
        f"lti:{link.registration.issuer}", version,
        recipient_email=email, recipient_name=str(claims.get("name") or "")[:200],
        result=result,
        narrative=_("Passed %(course)s on the course platform.") % {
            "course": str(context.get("title") if isinstance(context, dict) else "")[:200]
            or link.definition.slug},
        idempotency_key=award_key(link, sub))
    return Standing(score=fraction, credential=credential)
