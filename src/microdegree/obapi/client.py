"""This platform as an OB API *client*: a learner pulls their credentials from another host.

`start_pull` reads the host's discovery document, registers dynamically (RFC 7591) and returns
the authorization URL (code flow, PKCE S256, `state`); the learner consents there and comes back
to `finish_pull`, which exchanges the code, reads every page of `GET /credentials` and imports
each credential through the records app's import service (each one verified). Every outbound
request goes through the core's SSRF-safe fetcher (`SafeFetcher.request`: no redirects, every
answer returned whatever its status).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microdegree.audit.services import log_action
from microdegree.obapi import scopes
from microdegree.obapi.models import RemoteHost, SecretUnavailable
from microdegree.records import services as records
from microdegree.records.services import RecordError
from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import SafeFetcher
from microdegree.vc.urls import UrlError, parse_url

PENDING_FOR = timedelta(minutes=15)
PAGE = 100
MAX_CREDENTIALS = 1000
CALLBACK_PATH = "/me/connect/callback"


# What a RemoteHost row keeps (its URL and client_id columns); a longer value is refused with a
# sentence rather than cut (a cut secret or id would fail later, at the token step).
MAX_URL = 2000
MAX_CLIENT_ID = 300
MAX_SECRET = 4000


class PullError(Exception):
    """A pull that cannot go on; `message` is for the learner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class PullResult:
    host: RemoteHost
    imported: int = 0
    duplicates: int = 0
    refused: list[str] = field(default_factory=list)


def _client() -> SafeFetcher:
    from microdegree.verification.services import fetcher_options

    return SafeFetcher(**{**fetcher_options(), "timeout": 10.0})


def _json(response: Any, what: str) -> Any:
    try:
        return response.json()
    except FetchError as exc:
        raise PullError(_("The other host's %(what)s is not JSON.") % {"what": what}) from exc


def _discovery_url(base_url: str) -> str:
    base = base_url.strip().rstrip("/")
    if base.endswith("/discovery"):
        return base
    if not base.endswith("/ims/ob/v3p0"):
        base += "/ims/ob/v3p0"
    return f"{base}/discovery"


def _endpoints(doc: Any) -> dict[str, str]:
    try:
        scheme = doc["components"]["securitySchemes"]["OAuth2ACG"]
        flow = scheme["flows"]["authorizationCode"]
        found = {"registration": scheme["x-imssf-registrationUrl"],
                 "authorization": flow["authorizationUrl"], "token": flow["tokenUrl"],
                 "api": doc["servers"][0]["url"]}
    except (KeyError, IndexError, TypeError) as exc:
        raise PullError(_("The other host's discovery document does not describe the Open "
                          "Badges API (OAuth2ACG security scheme, servers).")) from exc
    for name, value in found.items():
        if isinstance(value, str) and len(value) > MAX_URL:
            raise PullError(_("The other host's %(name)s URL is longer than %(max)s "
                              "characters.") % {"name": name, "max": MAX_URL})
        try:
            parse_url(value, max_length=MAX_URL)
        except UrlError as exc:
            raise PullError(_("The other host's %(name)s URL is not an absolute URL.")
                            % {"name": name}) from exc
    found["title"] = str((doc.get("info") or {}).get("title") or "")[:300]
    return {k: v.rstrip("/") if k == "api" else v for k, v in found.items()}


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def start_pull(user: Any, base_url: str) -> tuple[RemoteHost, str]:
    """Discover, register, and return (the pending connection, the URL to send the learner to)."""
    try:
        parse_url(base_url.strip(), max_length=MAX_URL, what=_("The other host's address"))
    except UrlError as exc:
        raise PullError(exc.message) from exc
    http = _client()
    try:
        doc = _json(http.get(_discovery_url(base_url)), "discovery document")
        found = _endpoints(doc)
        redirect_uri = f"{settings.PUBLIC_URL}{CALLBACK_PATH}"
        metadata = {
            "client_name": "Microdegree learner record",
            "client_uri": settings.PUBLIC_URL,
            "redirect_uris": [redirect_uri],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
            "scope": scopes.CREDENTIAL_READ,
            "software_id": "microdegree",
            "software_version": "1",
        }
        answer = http.request("POST", found["registration"], body=json.dumps(metadata).encode(),
                              headers={"Content-Type": "application/json"})
    except FetchError as exc:
        raise PullError(_("The other host could not be reached: %(why)s") % {"why": exc}) from exc
    registered = _json(answer, "registration answer")
    if answer.status != 201 or not isinstance(registered, dict) or "client_id" not in registered:
        detail = registered.get("error_description") if isinstance(registered, dict) else ""
        raise PullError(_("The other host refused to register this platform (HTTP %(status)s) "
                          "%(detail)s") % {"status": answer.status, "detail": detail or ""})
    client_id, secret = str(registered["client_id"]), str(registered.get("client_secret") or "")
    if not client_id or len(client_id) > MAX_CLIENT_ID or len(secret) > MAX_SECRET:
        raise PullError(_("The other host registered this platform with a client id or secret "
                          "this platform cannot keep (empty, or longer than %(id)s or %(secret)s "
                          "characters).") % {"id": MAX_CLIENT_ID, "secret": MAX_SECRET})
    verifier = secrets.token_urlsafe(48)
    with transaction.atomic():
        host = RemoteHost(
            user=user, base_url=base_url.strip()[:2000], title=found["title"],
            authorization_url=found["authorization"], token_url=found["token"],
            api_url=found["api"], client_id=client_id,
            state=secrets.token_urlsafe(32), code_verifier=verifier, redirect_uri=redirect_uri)
        host.set_client_secret(secret)
        host.save()
        log_action(user, "obapi.pull_started", host,
                   after={"host": host.base_url, "client_id": host.client_id})
    query = urlencode({"response_type": "code", "client_id": host.client_id,
                       "redirect_uri": redirect_uri, "scope": scopes.CREDENTIAL_READ,
                       "state": host.state, "code_challenge": _challenge(verifier),
                       "code_challenge_method": "S256"})
    separator = "&" if "?" in host.authorization_url else "?"
    return host, f"{host.authorization_url}{separator}{query}"


def _token(http: SafeFetcher, host: RemoteHost, code: str) -> str:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": host.redirect_uri,
            "code_verifier": host.code_verifier, "client_id": host.client_id}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    try:
        secret = host.client_secret_value()
    except SecretUnavailable as exc:
        raise PullError(_("This connection's stored secret cannot be read on this server; "
                          "start again.")) from exc
    if secret:
        pair = f"{host.client_id}:{secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    answer = http.request("POST", host.token_url, body=urlencode(form).encode(), headers=headers)
    data = _json(answer, "token answer")
    if answer.status != 200 or not isinstance(data, dict) or not data.get("access_token"):
        raise PullError(_("The other host did not give an access token (HTTP %(status)s).")
                        % {"status": answer.status})
    return str(data["access_token"])


def _pages(http: SafeFetcher, host: RemoteHost, token: str) -> list[str]:
    """Every credential the other host lists, as text (JSON or compact JWS), page by page."""
    out: list[str] = []
    offset = 0
    while len(out) < MAX_CREDENTIALS:
        url = f"{host.api_url}/credentials?{urlencode({'limit': PAGE, 'offset': offset})}"
        answer = http.request("GET", url, headers={"Authorization": f"Bearer {token}"})
        data = _json(answer, "credentials answer")
        if answer.status != 200 or not isinstance(data, dict):
            raise PullError(_("The other host refused to list the credentials (HTTP %(status)s).")
                            % {"status": answer.status})
        page = [json.dumps(c) for c in data.get("credential") or [] if isinstance(c, dict)]
        page += [j for j in data.get("compactJwsString") or [] if isinstance(j, str)]
        out.extend(page)
        total = answer.headers.get("x-total-count", "")
        offset += PAGE
        if not page or (total.isdigit() and offset >= int(total)) or (
                not total.isdigit() and len(page) < PAGE):
            break
    return out[:MAX_CREDENTIALS]


def finish_pull(user: Any, state: str, code: str) -> PullResult:
    """Exchange the code, read the credentials and import each one (verified)."""
    since = timezone.now() - PENDING_FOR
    host = RemoteHost.objects.filter(user=user, state=state, completed_at__isnull=True,
                                     created_at__gte=since).first()
    if host is None:
        raise PullError(_("This connection is unknown, finished or expired; start again."))
    http = _client()
    try:
        token = _token(http, host, code)
        texts = _pages(http, host, token)
    except FetchError as exc:
        raise PullError(_("The other host could not be reached: %(why)s") % {"why": exc}) from exc
    result = PullResult(host=host)
    source = f"{host.api_url}/credentials"
    for text in texts:
        try:
            records.import_credential(user, text, source_url=source)
            result.imported += 1
        except RecordError as exc:
            if exc.code == "DUPLICATE":
                result.duplicates += 1
            else:
                result.refused.append("; ".join(exc.reasons) or exc.message)
    with transaction.atomic():
        host.completed_at = timezone.now()
        host.imported_count = result.imported
        host.refused_count = len(result.refused)
        host.save(update_fields=["completed_at", "imported_count", "refused_count"])
        log_action(user, "obapi.pull_finished", host,
                   after={"host": host.base_url, "imported": result.imported,
                          "duplicates": result.duplicates, "refused": len(result.refused)})
    return result
