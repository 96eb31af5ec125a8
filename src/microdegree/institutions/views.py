"""Public institution endpoints: the did:web DID document."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from microdegree.institutions import services
from microdegree.institutions.errors import NotFound


@require_GET
def did_json(request: HttpRequest, slug: str) -> HttpResponse:
    """`/issuers/SLUG/did.json`: the DID document did:web resolves to (CORS open, cacheable)."""
    try:
        inst = services.get_institution(slug)
    except NotFound:
        response = HttpResponse(
            json.dumps({"code": "NOT_FOUND", "message": "No such issuer."}),
            status=404, content_type="application/json",
        )
    else:
        response = HttpResponse(
            json.dumps(services.did_document(inst), indent=2),
            content_type="application/did+json",
        )
        response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response
