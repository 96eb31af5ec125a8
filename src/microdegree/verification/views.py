"""The verify page (`/verify`) and the public credential pages (`/credentials/<uuid>`).

Both work without JavaScript; the QR scanner on the verify page is a progressive enhancement.
Unreadable input answers 400 with a sentence (HTML, or `{"code", "message"}` for JSON clients),
never a 500.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from microdegree.institutions.services import role_of
from microdegree.vc.extract import MAX_UPLOAD, ExtractError
from microdegree.verification import hooks, services
from microdegree.verification.issuer_name import issuer_name
from microdegree.verification.summary import (
    LEVEL_FAILED,
    LEVEL_INCOMPLETE,
    all_errors,
    all_warnings,
    level,
    summarise,
)
from microdegree.verification.wording import (
    check_label,
    check_message,
    check_rows,
    headline,
    plain_message,
)

CREDENTIAL_TYPES = ("application/vc+ld+json", "application/ld+json", "application/json")


def _accepts(request: HttpRequest, media_type: str) -> bool:
    """True if the client asks for `media_type` at least as much as for HTML."""
    weights: dict[str, float] = {}
    for item in request.headers.get("Accept", "").split(","):
        name, *params = (p.strip() for p in item.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if name:
            weights[name.lower()] = max(q, weights.get(name.lower(), 0.0))
    wanted = weights.get(media_type, 0.0)
    return wanted > 0 and wanted >= weights.get("text/html", 0.0)


def _error(request: HttpRequest, code: str, message: str, status: int = 400) -> HttpResponse:
    if _accepts(request, "application/json"):
        return JsonResponse({"code": code, "message": message}, status=status)
    form = _form_values(request)
    # plain words first for pasted text that is not JSON, the parser's reason one click away
    plain = plain_message(message) if form["credential"] else None
    return render(request, "verification/verify.html",
                  {"error": plain or check_message(message),
                   "error_detail": check_message(message) if plain else "",
                   "error_code": code, "form": form},
                  status=status)


def _form_values(request: HttpRequest) -> dict[str, str]:
    if request.method != "POST":
        return {"credential": "", "url": request.GET.get("url", "")}
    return {"credential": request.POST.get("credential", "")[:MAX_UPLOAD],
            "url": request.POST.get("url", "")[:2000]}


def _input(request: HttpRequest) -> bytes | str:
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size is not None and upload.size > MAX_UPLOAD:
            raise ExtractError(f"The file is {upload.size:,} bytes; the limit is {MAX_UPLOAD:,}.",
                               code="TOO_LARGE")
        data = upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise ExtractError(f"The file is larger than {MAX_UPLOAD:,} bytes.", code="TOO_LARGE")
        if not data:
            raise ExtractError("The uploaded file is empty.", code="EMPTY")
        return data
    text = request.POST.get("credential", "")
    if text.strip():
        return text
    url = request.POST.get("url", "").strip()
    if url:
        return services.fetch_credential(url)
    raise ExtractError("Paste a credential, choose a file, or give the credential's address.",
                       code="NO_INPUT")


def _result_context(verification: services.Verification) -> dict[str, Any]:
    return {"v": _view(verification, top=True)}


_STATES = {LEVEL_FAILED: "bad", LEVEL_INCOMPLETE: "warn"}


def _view(verification: services.Verification, *, top: bool = False) -> dict[str, Any]:
    report = verification.report
    warnings = all_warnings(report) if top else list(report.warnings)
    errors = all_errors(report) if top else list(report.errors)
    found = level(report)
    # green only when nothing warned or failed; amber when the status could not be determined
    # or a warning stands; red when anything else failed
    state = _STATES.get(found, "warn" if warnings else "ok")
    return {
        "state": state,
        "level": found,
        "headline": headline(found, bool(warnings)),
        "verdict": verification.verdict,
        # a credential that failed: what it says is only what the document claims
        "claimed": found == LEVEL_FAILED,
        "errors": [{"label": check_label(c), "message": check_message(c.message)}
                   for c in errors],
        "warnings": [{"label": check_label(c), "message": check_message(c.message)}
                     for c in warnings],
        "summary": verification.summary,
        "issuer": _issuer(verification.report, verification.summary),
        "format": verification.format,
        "checks": check_rows(report),
        "nested": [_view(child) for child in verification.nested],
    }


def _issuer(report: Any, summary: Any) -> Any:
    if summary is None or summary.kind != "credential":
        return None
    return issuer_name(report, summary.issuer_id, summary.issuer_name)


@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """`/verify`: paste, upload, link or scan; the result is one line per check."""
    if request.method != "POST":
        return render(request, "verification/verify.html", {"form": _form_values(request)})
    try:
        verification = services.verify_upload(_input(request))
    except ExtractError as exc:
        return _error(request, exc.code, exc.message)
    if _accepts(request, "application/json"):
        return JsonResponse(verification.to_json())
    return render(request, "verification/verify.html",
                  {"form": _form_values(request), **_result_context(verification)})


# --- public credential pages ----------------------------------------------------------------


def _absolute(url: str | None) -> str | None:
    if not url:
        return None
    if url.startswith(("https://", "http://")):
        return url
    if url.startswith("data:"):
        return None  # Open Graph wants a fetchable image
    return settings.PUBLIC_URL.rstrip("/") + "/" + url.lstrip("/")


def _is_holder(request: HttpRequest, credential: Any) -> bool:
    user = request.user
    return user.is_authenticated and hooks.holds(user, credential)


def _is_issuer_staff(request: HttpRequest, credential: Any) -> bool:
    """A member of the institution that issued it (its staff pages show it anyway)."""
    user = request.user
    return user.is_authenticated and (
        bool(getattr(user, "is_superuser", False))
        or role_of(user, credential.institution) is not None)


@require_http_methods(["GET", "HEAD"])
def credential_page(request: HttpRequest, cred: UUID) -> HttpResponse:
    """`/credentials/<uuid>`: the public page, or the signed credential itself (content type).

    404 for a credential whose holder chose that its page is not public ("by link only" or
    "hidden", ADR 0027), except to the holder and the issuing institution's staff, who see the
    page with a note.
    """
    credential = services.public_credential(cred)
    if credential is None:
        raise Http404("No such credential.")
    # The learner hid it: 404 as if it did not exist (hiding never changes the credential or
    # its status; the signed JSON still verifies wherever it is given).
    hidden = services.hidden_by_holder(credential)
    if hidden and not (_is_holder(request, credential)
                       or _is_issuer_staff(request, credential)):
        raise Http404("No such credential.")
    download = request.GET.get("format") == "json"
    media_type = next((m for m in CREDENTIAL_TYPES if _accepts(request, m)), None)
    if download or media_type is not None:
        # The stored signed JSON, byte for byte (never re-serialised).
        response = HttpResponse(credential.document.encode("utf-8"),
                                content_type=media_type or CREDENTIAL_TYPES[0])
        if download:
            response["Content-Disposition"] = (
                f'attachment; filename="credential-{credential.uuid}.json"')
        response["Access-Control-Allow-Origin"] = "*"
        patch_vary_headers(response, ["Accept"])
        return response
    verification = services.verify_input(credential.document)
    document = json.loads(credential.document)
    # IssuedCredential has no "learner shows their name" choice yet: the name is never shown.
    summary = summarise(document, show_recipient=False)
    canonical = f"{settings.PUBLIC_URL.rstrip('/')}/credentials/{credential.uuid}"
    issuer_shown = _issuer(verification.report, summary)
    issuer = (issuer_shown.name if issuer_shown else None) or credential.institution.name
    og_description = (
        f"{summary.name or 'A credential'}, awarded by {issuer}. "
        + (summary.description or summary.achievement_description or "")
    ).strip()[:300]
    live = _view(verification, top=True)
    live["summary"] = None  # the page shows its own summary, without the recipient
    context = {
        "credential": credential,
        "summary": summary,
        "issuer": issuer_shown,
        "v": live,
        "canonical": canonical,
        "og": {
            "title": summary.name or "Credential",
            "description": og_description,
            "image": _absolute(summary.image),
            "url": canonical,
        },
        "image": summary.image,
        "verify_url": "/verify?" + urlencode({"url": canonical}),
        "hidden": hidden,
    }
    response = render(request, "verification/credential.html", context)
    patch_vary_headers(response, ["Accept"])
    return response
