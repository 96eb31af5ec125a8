"""VC API routes (at the site root, as the W3C CCG VC API names them) and the OpenAPI document."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from microdegree.vcapi.api import api
from microdegree.vcapi.openapi import openapi_document


def openapi_json(request: HttpRequest) -> JsonResponse:
    """The OpenAPI description of the platform's APIs (public)."""
    response = JsonResponse(openapi_document())
    response["Access-Control-Allow-Origin"] = "*"
    return response


# django-ninja adds an "api-root" view at "" (a 404 when there is no docs page); it is left out
# so that these routes, mounted first at the site root, never shadow the home page.
_routes, _app_name, _namespace = api.urls
urlpatterns = [
    path("api/openapi.json", openapi_json, name="vcapi-openapi"),
    path("", ([r for r in _routes if r.name != "api-root"], _app_name, _namespace)),
]
