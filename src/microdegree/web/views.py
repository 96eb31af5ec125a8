"""Site-wide pages: the home page and the staff dashboard entry."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from microdegree.institutions.models import Institution


def home(request: HttpRequest) -> HttpResponse:
    institutions = Institution.objects.filter(status=Institution.Status.APPROVED)[:20]
    return render(request, "microdegree/home.html", {"institutions": institutions})
