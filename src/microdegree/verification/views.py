"""Verification pages (being built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def verify_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("The verify page is being built.", content_type="text/plain")


def credential_page(request: HttpRequest, cred: object) -> HttpResponse:
    raise Http404("No such credential.")
