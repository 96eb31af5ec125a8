"""pylti1p3 wired to this platform: registrations from the database, launch state in the
database (a nonce is consumed by the launch that uses it), and every outbound request (the
platform's key set, the client-credentials token, AGS) through the SSRF-safe `SafeFetcher`.

The library validates the id_token (RS256 signature against the platform's JWKS, issuer,
audience = our client_id, deployment, nonce, state, message claims); nothing here decodes a JWT.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import requests
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from pylti1p3.contrib.django.message_launch import DjangoMessageLaunch
from pylti1p3.contrib.django.oidc_login import DjangoOIDCLogin
from pylti1p3.contrib.django.session import DjangoSessionService
from pylti1p3.deployment import Deployment
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from requests.structures import CaseInsensitiveDict

from microdegree.lti import keys
from microdegree.lti.models import LaunchValue, PlatformRegistration
from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import SafeFetcher

LIFETIME = 3600  # seconds a state, nonce or launch stays usable


def fetcher() -> SafeFetcher:
    """The fetcher of every LTI call out (the verifier's options: private hosts only in tests)."""
    from microdegree.verification.services import fetcher_options

    return SafeFetcher(**{**fetcher_options(), "timeout": 10.0})


class SafeSession(requests.Session):
    """A `requests.Session` (what pylti1p3 calls) whose every request goes through SafeFetcher."""

    def __init__(self, http: SafeFetcher | None = None) -> None:
        super().__init__()
        self._http = http or fetcher()

    def request(self, method: str | bytes, url: str | bytes, params: Any = None,  # type: ignore[override]
                data: Any = None, headers: Any = None, **_: Any) -> requests.Response:
        method = method.decode() if isinstance(method, bytes) else method
        url = url.decode() if isinstance(url, bytes) else url
        sent = dict(headers or {})
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        body = b""
        if isinstance(data, dict):
            body = urlencode(data).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif isinstance(data, str):
            body = data.encode()
        elif isinstance(data, bytes):
            body = data
        try:
            answer = self._http.request(method.upper(), url, body=body, headers=sent,
                                        accept=sent.pop("Accept", "application/json"))
        except FetchError as exc:
            raise requests.exceptions.ConnectionError(exc.message) from exc
        response = requests.Response()
        response.status_code = answer.status
        response._content = answer.body
        response.headers = CaseInsensitiveDict(dict(answer.headers))
        response.url = answer.url
        response.encoding = "utf-8"
        return response


class DbLaunchDataStorage(LaunchDataStorage[Any]):
    """State, nonce and launch data in `LaunchValue` rows (every web process sees them)."""

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = LaunchValue.objects.filter(key=self._prepare_key(key)[:255],
                                         expires_at__gt=timezone.now()).first()
        return row.value if row else None

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        LaunchValue.objects.update_or_create(
            key=self._prepare_key(key)[:255],
            defaults={"value": value,
                      "expires_at": timezone.now() + timedelta(seconds=exp or LIFETIME)})

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def take(self, key: str) -> bool:
        """Delete the live value at `key`; True iff there was one (only one caller wins)."""
        deleted, _counts = LaunchValue.objects.filter(key=self._prepare_key(key)[:255],
                                                expires_at__gt=timezone.now()).delete()
        return deleted > 0


class OnceSessionService(DjangoSessionService):
    """A nonce is good for one launch: checking it consumes it (pylti1p3 only looks it up)."""

    def check_nonce(self, nonce: str) -> bool:
        storage = self.data_storage
        if not isinstance(storage, DbLaunchDataStorage):
            return False
        with transaction.atomic():
            return storage.take(self._get_key("nonce", nonce))


def library_registration(reg: PlatformRegistration) -> Registration:
    key = keys.tool_key()
    return (Registration().set_issuer(reg.issuer).set_client_id(reg.client_id)
            .set_auth_login_url(reg.auth_login_url).set_auth_token_url(reg.auth_token_url)
            .set_auth_audience(reg.auth_audience or reg.auth_token_url)
            .set_key_set_url(reg.key_set_url).set_key_set(None)
            .set_tool_private_key(keys.private_pem(key)).set_tool_public_key(key.public_pem))


class ToolConf(ToolConfAbstract[Any]):
    """Registrations from `PlatformRegistration` (issuer + client_id; many clients per issuer)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        raise NotImplementedError(_("a client_id is always needed"))

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        raise NotImplementedError(_("a client_id is always needed"))

    def row(self, iss: str, client_id: str | None) -> PlatformRegistration | None:
        if not iss or not client_id:
            return None
        return (PlatformRegistration.objects.select_related("institution")
                .filter(issuer=iss, client_id=client_id).first())

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any,
                                    **kwargs: Any) -> Registration:  # None when unknown
        reg = self.row(iss, client_id)
        return library_registration(reg) if reg is not None else None  # type: ignore[return-value]

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str,
                                  *args: Any, **kwargs: Any) -> Deployment | None:
        reg = self.row(iss, client_id)
        if reg is None or deployment_id not in (reg.deployment_ids or []):
            return None
        return Deployment().set_deployment_id(deployment_id)


def _storage(request: HttpRequest) -> DbLaunchDataStorage:
    return DbLaunchDataStorage()


def oidc_login(request: HttpRequest) -> Any:
    LaunchValue.objects.filter(expires_at__lte=timezone.now()).delete()  # expired launch state
    login = DjangoOIDCLogin(request, ToolConf(),  # type: ignore[no-untyped-call]
                            session_service=OnceSessionService(request))
    login.set_launch_data_storage(_storage(request))
    return login


def message_launch(request: HttpRequest) -> Any:
    launch = DjangoMessageLaunch(request, ToolConf(),  # type: ignore[no-untyped-call]
                                 session_service=OnceSessionService(request),
                                 requests_session=SafeSession())
    launch.set_launch_data_storage(_storage(request))
    return launch


def restored_launch(request: HttpRequest, launch_id: str) -> Any:
    """A launch validated earlier in this browser (its data by `launch_id`), not validated again."""
    return DjangoMessageLaunch.from_cache(
        launch_id, request, ToolConf(), session_service=OnceSessionService(request),
        launch_data_storage=_storage(request), requests_session=SafeSession())
