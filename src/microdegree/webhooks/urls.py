"""The webhooks staff page (the JSON API is a router of the platform API, web/apis.py)."""

from django.urls import path

from microdegree.webhooks import views

urlpatterns = [
    path("institutions/<slug:slug>/webhooks/", views.manage, name="webhooks-manage"),
]
