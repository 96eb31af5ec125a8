"""The tool's JSON: its public key set (django-ninja, typed schema)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Router, Schema

from microdegree.lti import keys


class Jwk(Schema):
    kty: str
    kid: str
    alg: str
    use: str
    n: str
    e: str


class KeySet(Schema):
    keys: list[Jwk]


router = Router(tags=["LTI 1.3"])


@router.get("/jwks.json", response=KeySet, url_name="lti-jwks", auth=None,
            summary="The tool's public RS256 keys (platforms verify deep-linking answers and "
                    "client-credentials assertions with them)")
def jwks(request: HttpRequest) -> Any:
    return keys.jwks()


api = NinjaAPI(title="Microdegree LTI 1.3 tool", version="1", urls_namespace="lti",
               openapi_url="/openapi.json", docs_url=None)
api.add_router("/", router)
