"""Two middlewares: the scheme a trusted TLS-terminating proxy saw, and Content-Security-Policy.

HSTS, Referrer-Policy, X-Content-Type-Options, the HTTPS redirect and X-Frame-Options are
Django's own (SecurityMiddleware, XFrameOptionsMiddleware; settings.py). Django 5.2 has no CSP
support, and the policy here is one fixed header, so a few lines do instead of a dependency.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from microdegree.web.client_ip import from_trusted_proxy


class TrustedProxySchemeMiddleware:
    """`X-Forwarded-Proto: https` marks the request secure, from a trusted proxy only.

    Django's SECURE_PROXY_SSL_HEADER believes the header from anyone who can reach the server;
    here only a peer in `MICRODEGREE_TRUSTED_PROXIES` is believed (like X-Forwarded-For in
    web/client_ip.py), so a client that reaches the web process directly cannot claim https.
    The right-most value is the one the nearest proxy wrote.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_PROTO") or "")
        if forwarded and from_trusted_proxy(request):
            proto = forwarded.split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                request.META["wsgi.url_scheme"] = proto
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """`settings.CONTENT_SECURITY_POLICY` on every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
