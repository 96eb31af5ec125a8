"""VC API routes (at the site root, as the W3C CCG VC API names them) and the OpenAPI document."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from microdegree.api_layer import urlpatterns_of
from microdegree.vcapi.api import api
from microdegree.vcapi.openapi import openapi_document


def openapi_json(request: HttpRequest) -> JsonResponse:
    """The OpenAPI description of the platform's APIs (public)."""
    response = JsonResponse(openapi_document())
    response["Access-Control-Allow-Origin"] = "*"
    return response


# Mounted first at the site root: ninja's "api-root" view is left out (it would shadow the home
# page).
urlpatterns = [
    path("api/openapi.json", openapi_json, name="vcapi-openapi"),
    path("", urlpatterns_of(api)),
]
