"""The issuing API's own OpenAPI document, served at /api/v1/issuing/openapi.json: the
issuing operations of the platform's generated document (`microdegree.vcapi.openapi`). It lives
with the surfaces (web), since it reads the merged document of every surface."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from microdegree.vcapi.openapi import openapi_document as platform_document

TAG = "Issuing"


def openapi_document() -> dict[str, Any]:
    document = platform_document()
    paths = {path: item for path, item in document["paths"].items()
             if any(TAG in op.get("tags", ()) for op in item.values())}
    return {**document, "info": {"title": "Microdegree issuing API", "version": "1"},
            "security": [{"bearer": []}, {"session": []}], "paths": paths}


def openapi_json(request: HttpRequest) -> JsonResponse:
    """The OpenAPI description of the issuing API (public)."""
    response = JsonResponse(openapi_document())
    response["Access-Control-Allow-Origin"] = "*"
    return response
