"""The OAuth 2.0 parts around django-oauth-toolkit: scopes limited to what a client registered,
and bearer-token checks for the API that answer in Imsx_StatusInfo (401 / 403)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.scopes import SettingsScopes

from microdegree.obapi.errors import ObApiError


class RegisteredScopes(SettingsScopes):
    """A client may ask only for the scopes it registered (RFC 7591 `scope`)."""

    def get_available_scopes(self, application: Any = None, request: Any = None,
                             *args: Any, **kwargs: Any) -> list[str]:
        available = super().get_available_scopes(application, request, *args, **kwargs)
        meta = getattr(application, "ob_metadata", None) if application is not None else None
        if meta is None or not meta.scope:
            return list(available)
        registered = set(meta.scope.split())
        return [s for s in available if s in registered]


def authenticate(request: HttpRequest, scope: str) -> Any:
    """The access token's user if the bearer token is valid and carries `scope`.

    ObApiError 401 (no token, unknown, expired or revoked; with WWW-Authenticate) or 403 (the
    token lacks the scope).
    """
    if "access_token" in request.GET:
        # RFC 6750 §2.3 / RFC 9700 §4.3.2: a token in the address ends up in logs and
        # Referer headers; refused even next to a valid header (the toolkit refuses it too)
        raise ObApiError(400, "Send the access token in the Authorization header, never in "
                              "the address (query string).",
                         www_authenticate='Bearer realm="ob", error="invalid_request"')
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.lower().startswith("bearer "):
        raise ObApiError(401, "Send an OAuth 2.0 access token: Authorization: Bearer <token>.",
                         www_authenticate=f'Bearer realm="ob", scope="{scope}"')
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None)
    if not valid or token is None or token.user is None or not token.user.is_active:
        raise ObApiError(401, "The access token is not valid (unknown, expired or revoked).",
                         www_authenticate='Bearer realm="ob", error="invalid_token"')
    if not token.allow_scopes([scope]):
        raise ObApiError(403, f"The access token does not carry the scope {scope}.",
                         www_authenticate=None)
    request.ob_token = token  # type: ignore[attr-defined]  # read by api._client_id
    return token.user
