"""The OB API's discovery document (a profiled OpenAPI document, spec section "Discovery").

The paths come from the ninja operations (`api.py`); the rest is the 1EdTech profile (the
`x-imssf-*` fields, the OAuth2ACG scheme with its registration and revocation URLs). All URLs are
absolute on PUBLIC_URL, so a client registers, authorizes and calls the same
origin that credentials and DIDs are minted for.
"""

from __future__ import annotations

import base64
import copy
from functools import cache
from typing import Any

from django.conf import settings

from microdegree import config
from microdegree.obapi import scopes

BASE_PATH = "/ims/ob/v3p0"
# A small badge mark as a data URI (the spec allows one), so discovery needs no static file.
IMAGE = ("data:image/svg+xml;base64," + base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="28" '
    b'r="20" fill="#1d4ed8"/><path d="M20 44l-4 16 16-8 16 8-4-16" fill="#1e3a8a"/></svg>'
).decode("ascii"))


def api_base() -> str:
    return f"{settings.PUBLIC_URL}{BASE_PATH}"


# our operation ids (unique in the platform's document) -> the spec's
SPEC_OPERATION_IDS = {"obGetCredentials": "getCredentials",
                      "obUpsertCredential": "upsertCredential",
                      "obGetProfile": "getProfile", "obPutProfile": "putProfile",
                      "obGetServiceDescription": "getServiceDescription"}


@cache
def _paths() -> dict[str, Any]:
    """The API's paths and operations, from the ninja operations (obapi/api.py), relative to
    the server URL and with the spec's operation ids."""
    from microdegree.obapi.api import api

    out: dict[str, Any] = {}
    for path, item in api.get_openapi_schema(path_prefix="")["paths"].items():
        for method, operation in item.items():
            spec_id = SPEC_OPERATION_IDS.get(operation.get("operationId", ""))
            if spec_id is not None:
                out.setdefault(path.removeprefix(BASE_PATH), {})[method] = {
                    "operationId": spec_id}
    return out


def document() -> dict[str, Any]:
    base = api_base()
    privacy = config.env("OBAPI_PRIVACY_URL") or f"{base}/privacy"
    terms = config.env("OBAPI_TERMS_URL") or f"{base}/privacy#terms"
    return {
        "openapi": "3.0.1",
        "info": {
            "title": config.env("OBAPI_TITLE") or "Microdegree",
            "version": "3.0",
            "description": "The Open Badges 3.0 API of this Microdegree platform: learners' "
                           "records, with OAuth 2.0 (authorization code, PKCE S256, dynamic "
                           "client registration).",
            "termsOfService": terms,
            "x-imssf-privacyPolicyUrl": privacy,
            "x-imssf-image": config.env("OBAPI_IMAGE_URL") or IMAGE,
        },
        "servers": [{"url": base, "description": "This platform's Open Badges API."}],
        "paths": copy.deepcopy(_paths()),
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant with PKCE (S256).",
                    "x-imssf-registrationUrl": f"{base}/register",
                    "flows": {
                        "authorizationCode": {
                            "tokenUrl": f"{base}/token",
                            "authorizationUrl": f"{base}/authorize",
                            "refreshUrl": f"{base}/token",
                            "x-imssf-revocationUrl": f"{base}/revoke",
                            "scopes": dict(scopes.SPEC_WORDS),
                        },
                    },
                },
            },
        },
    }
