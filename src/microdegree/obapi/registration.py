"""RFC 7591 dynamic client registration: validate the metadata, create the toolkit's
Application (one transaction, audit entry), answer with the client's credentials.

Written here rather than using the toolkit's own DCR view because that view keeps only
redirect URIs and the client name, has no audit entry and no rate limit, while the OB API needs
`client_uri`, `logo_uri`, `tos_uri`, `policy_uri` and `scope` for the consent page.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_application_model

from microdegree.audit.services import log_action
from microdegree.obapi import scopes
from microdegree.obapi.models import ClientMetadata
from microdegree.vc.urls import UrlError, parse_url

RATE_WINDOW = timedelta(hours=1)
RATE_LIMIT = 20  # registrations per IP address per hour
URI_FIELDS = ("client_uri", "logo_uri", "tos_uri", "policy_uri")
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")


class RegistrationError(Exception):
    """RFC 7591 section 3.2.2: `error` is invalid_client_metadata or invalid_redirect_uri."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_redirect(uri: Any) -> str:
    if not isinstance(uri, str) or not uri:
        raise RegistrationError("invalid_redirect_uri", "Each redirect URI must be a string.")
    try:
        parsed = parse_url(uri, allow_fragment=False, what="The redirect URI")
    except UrlError as exc:
        raise RegistrationError("invalid_redirect_uri", exc.message) from exc
    if parsed.scheme == "https" or _is_local(parsed.host):
        return uri
    raise RegistrationError("invalid_redirect_uri",
                            f"{uri!r} must use https (http only for localhost).")


def _check_uri(name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise RegistrationError("invalid_client_metadata", f"{name} must be a URL string.")
    try:
        parse_url(value, what=name)
    except UrlError as exc:
        raise RegistrationError("invalid_client_metadata", exc.message) from exc
    return value


def _check_list(data: dict[str, Any], name: str, default: list[str]) -> list[str]:
    value = data.get(name, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RegistrationError("invalid_client_metadata", f"{name} must be an array of strings.")
    return value


def _string(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise RegistrationError("invalid_client_metadata",
                                f"{name} must be a string of at most {limit} characters.")
    return value.strip()


def validate(data: Any) -> dict[str, Any]:
    """The cleaned metadata, or RegistrationError naming the first problem."""
    if not isinstance(data, dict):
        raise RegistrationError("invalid_client_metadata", "The body must be a JSON object.")
    redirect_uris = _check_list(data, "redirect_uris", [])
    if not redirect_uris:
        raise RegistrationError("invalid_redirect_uri", "Give at least one redirect URI.")
    clean: dict[str, Any] = {"redirect_uris": [_check_redirect(u) for u in redirect_uris]}
    clean["client_name"] = _string(data, "client_name", 255)
    if not clean["client_name"]:
        raise RegistrationError("invalid_client_metadata", "client_name is required.")
    for name in URI_FIELDS:
        clean[name] = _check_uri(name, data.get(name))
    clean["software_id"] = _string(data, "software_id", 200)
    clean["software_version"] = _string(data, "software_version", 100)
    grant_types = _check_list(data, "grant_types", ["authorization_code", "refresh_token"])
    if "authorization_code" not in grant_types or set(grant_types) - {
            "authorization_code", "refresh_token"}:
        raise RegistrationError("invalid_client_metadata",
                                "grant_types must be authorization_code (and refresh_token).")
    clean["grant_types"] = ["authorization_code", "refresh_token"]
    response_types = _check_list(data, "response_types", ["code"])
    if response_types != ["code"]:
        raise RegistrationError("invalid_client_metadata", 'response_types must be ["code"].')
    method = data.get("token_endpoint_auth_method", "client_secret_basic")
    if method not in AUTH_METHODS:
        raise RegistrationError("invalid_client_metadata",
                                f"token_endpoint_auth_method must be one of "
                                f"{', '.join(AUTH_METHODS)}.")
    clean["token_endpoint_auth_method"] = method
    scope = data.get("scope", " ".join(scopes.ALL))
    if not isinstance(scope, str) or not scope.split():
        raise RegistrationError("invalid_client_metadata", "scope must be a non-empty string.")
    unknown = [s for s in scope.split() if s not in scopes.ALL]
    if unknown:
        raise RegistrationError("invalid_client_metadata",
                                f"Unknown scope: {unknown[0][:200]}.")
    clean["scope"] = " ".join(dict.fromkeys(scope.split()))
    return clean


def register_client(data: Any, *, ip: str | None = None) -> dict[str, Any]:
    """Validate, rate-limit and create a client; the RFC 7591 response body (201)."""
    clean = validate(data)
    application_model = get_application_model()
    public = clean["token_endpoint_auth_method"] == "none"  # noqa: S105 (a method name)
    with transaction.atomic():
        since = timezone.now() - RATE_WINDOW
        if ip and ClientMetadata.objects.filter(registered_ip=ip,
                                                created_at__gte=since).count() >= RATE_LIMIT:
            raise RegistrationError("invalid_client_metadata",
                                    "Too many registrations from your network; try again "
                                    "in an hour.", status=429)
        app = application_model(
            name=clean["client_name"],
            client_type=application_model.CLIENT_PUBLIC if public
            else application_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(clean["redirect_uris"]),
            skip_authorization=False,
        )
        raw_secret = app.client_secret  # before save() hashes it
        app.save()
        meta = ClientMetadata.objects.create(
            application=app, registered_ip=ip, scope=clean["scope"],
            token_endpoint_auth_method=clean["token_endpoint_auth_method"],
            software_id=clean["software_id"], software_version=clean["software_version"],
            **{name: clean[name] for name in URI_FIELDS})
        log_action("anonymous", "obapi.client_registered", app,
                   object_type="oauth2_provider.Application",
                   after={"client_id": app.client_id, "client_name": app.name,
                          "redirect_uris": clean["redirect_uris"], "scope": clean["scope"]})
    body: dict[str, Any] = {
        "client_id": app.client_id,
        "client_id_issued_at": int(meta.created_at.timestamp()),
        **{k: v for k, v in clean.items() if v not in ("", None)},
    }
    if not public:
        body["client_secret"] = raw_secret
        body["client_secret_expires_at"] = 0
    return body
