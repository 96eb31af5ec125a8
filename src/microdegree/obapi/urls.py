"""URL routes of microdegree.obapi."""

from django.urls import path  # noqa: F401

app_name = "obapi"
urlpatterns: list[object] = []
