"""Learner routes: /me/... (signed in), /share/<token> and /platform/did.json (public)."""

from django.urls import path

app_name = "records"

urlpatterns: list = []
