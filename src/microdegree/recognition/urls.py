"""URL routes of microdegree.recognition."""

from django.urls import path  # noqa: F401

app_name = "recognition"
urlpatterns: list[object] = []
