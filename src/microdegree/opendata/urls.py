"""URL routes of microdegree.opendata."""

from django.urls import path  # noqa: F401

app_name = "opendata"
urlpatterns: list[object] = []
