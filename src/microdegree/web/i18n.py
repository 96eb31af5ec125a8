"""Language negotiation for pages only: machine-readable answers stay the same in every language.

Django's LocaleMiddleware adds ``Vary: Accept-Language`` and ``Content-Language`` to every
response. Signed credentials, DID documents, status lists and API JSON never change with the
reader's language, and a ``Vary`` on them would split every shared cache (CDN) by language for
nothing; so only HTML responses get the headers. The active language is still chosen for every
request (the sentences of HTML error pages use it).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware


class LocaleMiddleware(DjangoLocaleMiddleware):
    """LocaleMiddleware whose response headers apply to HTML pages only."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        result: HttpResponse = super().process_response(request, response)
        return result
