"""The webhooks staff page and JSON API (django-ninja, under /api/v1/)."""

from django.urls import path

from microdegree.webhooks import views
from microdegree.webhooks.api import api

urlpatterns = [
    path("institutions/<slug:slug>/webhooks/", views.manage, name="webhooks-manage"),
    # (ninja's "api-root" at /api/v1/ is a 404 without a docs page; it roots the OpenAPI paths)
    path("api/v1/", api.urls),
]
