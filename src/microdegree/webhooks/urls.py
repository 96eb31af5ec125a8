"""The webhooks staff page and JSON API."""

from django.urls import path

from microdegree.webhooks import views
from microdegree.webhooks.api import api

app_name = "webhooks"

# (django-ninja's "api-root" view is left out, as in vcapi.urls: it would answer /api/v1/)
_routes, _app_name, _namespace = api.urls
urlpatterns = [
    path("institutions/<slug:slug>/webhooks/", views.manage, name="manage"),
    path("api/v1/", ([r for r in _routes if r.name != "api-root"], _app_name, _namespace)),
]
