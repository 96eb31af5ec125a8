"""The platform's JSON API surface under `/api/` (errors `{code, message}`): one NinjaAPI, a
`Router` per app. The W3C VC API is its own surface (`microdegree.vcapi.api`, at the site
root); the merged OpenAPI document of every surface is `/api/openapi.json`.

To add an app's endpoints: write `<app>/api.py` with `router = Router(tags=[...])`, typed
`Schema`s in and out, raise the error model's errors (`microdegree.errors`), and add the router
below (docs/architecture.md, "How to add an API endpoint").
"""

from __future__ import annotations

from django.urls import path

from microdegree.api_layer import surface_api, urlpatterns_of
from microdegree.bulk.api import router as bulk_router
from microdegree.issuing.api import router as issuing_router
from microdegree.issuing.rule_api import router as rule_router
from microdegree.recognition.api import router as recognition_router
from microdegree.web import issuing_openapi
from microdegree.webhooks.api import router as webhooks_router

api = surface_api(
    surface="json", namespace="platform-api", title="Microdegree platform API",
    description="The platform's JSON endpoints under /api/: errors are {code, message}.")
api.add_router("/api/v1/", issuing_router)  # the institution API: awards and status changes
api.add_router("/api/v1/", bulk_router)  # ... and bulk issuing jobs
api.add_router("/api/v1/", rule_router)  # ... and microdegrees' award rules
api.add_router("/api/", recognition_router)  # public: POST /api/worth
api.add_router("/api/v1/", webhooks_router)  # the institution's webhook subscriptions

urlpatterns = [
    path("api/v1/issuing/openapi.json", issuing_openapi.openapi_json, name="api-openapi"),
    path("", urlpatterns_of(api)),
]
