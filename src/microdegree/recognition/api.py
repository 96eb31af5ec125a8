"""`POST /api/worth`: "What is it worth?" as JSON. Public, nothing stored.

Body: `{"credentials": [credential, ...]}`, each a JSON object (a credential or a verifiable
presentation) or a string (JSON text or a VC-JWT). Answer: 200 with `credentials` (what was read
from each) and `programs` (every public program's proposal, most credit first), or 4xx with
`{"code", "message"}`.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from microdegree.institutions.errors import DomainError
from microdegree.recognition import services
from microdegree.web.strict_json import StrictJsonResponse


def _error(code: str, message: str, status: int = 400) -> JsonResponse:
    return StrictJsonResponse({"code": code, "message": message}, status=status)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity, -Infinity: JSON has none


def _credentials(request: HttpRequest) -> list[Any] | JsonResponse:
    try:
        body = json.loads(request.body, parse_constant=_no_constant)
    except RequestDataTooBig:
        return _error("TOO_LARGE", "The request body is too large.", 413)
    except (ValueError, UnicodeDecodeError):
        return _error("JSON_MALFORMED", "The request body is not JSON.")
    if not isinstance(body, dict) or not isinstance(body.get("credentials"), list):
        return _error("CREDENTIALS_REQUIRED",
                      'Send {"credentials": [...]}: a list of credentials or presentations.')
    items = body["credentials"]
    if not all(isinstance(c, dict | str) for c in items):
        return _error("CREDENTIAL_INVALID",
                      "Each credential is a JSON object or a string (JSON or VC-JWT).")
    return items


@csrf_exempt  # a public, stateless JSON endpoint: no cookies are read, nothing is written
@require_POST
def worth(request: HttpRequest) -> JsonResponse:
    items = _credentials(request)
    if isinstance(items, JsonResponse):
        return items
    try:
        facts, proposals, programs = services.worth(items)
    except DomainError as exc:
        return _error(exc.code, exc.message, exc.status)
    return StrictJsonResponse({  # allow_nan=False: never a bare NaN token
        "credentials": [f.to_json() for f in facts],
        "programs": [
            {"institution": {"name": p.institution.name, "did": p.institution.did},
             "id": request.build_absolute_uri(p.path), "name": p.name,
             "proposal": proposal.to_json()}
            for p, proposal in zip(programs, proposals, strict=True)
        ],
    })
