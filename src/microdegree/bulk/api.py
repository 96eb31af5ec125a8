"""JSON API for bulk jobs (same authentication as the issuing API: a Bearer API token of the
institution, or the session with CSRF).

- `POST /api/v1/institutions/<slug>/bulk-jobs` `{"achievement": slug, "version"?: n,
  "rows": [{"email": ..., ...}], "send_email"?: bool}` with an optional `Idempotency-Key` header:
  201 with the job and its validation report; 422 when rows fail (the report names them; the job
  is kept but cannot be confirmed); the same key or the same batch again: 200, the same job.
- `POST .../bulk-jobs/<uuid>/confirm` (202), `.../cancel`, `.../resume`.
- `GET .../bulk-jobs` (the latest 100), `GET .../bulk-jobs/<uuid>`: state, total, issued, failed,
  percent.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from microdegree.bulk import csvparse, services
from microdegree.bulk.models import BulkJob
from microdegree.catalog import services as catalog_services
from microdegree.catalog.models import AchievementDefinition
from microdegree.institutions.errors import DomainError, Invalid, NotFound
from microdegree.issuing.api import Caller, api_view

FIELDS = {"achievement", "version", "rows", "send_email"}


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413


def _body(request: HttpRequest) -> dict[str, Any]:
    """The JSON body, read with the bulk size limit (larger than Django's form-data limit)."""
    limit = csvparse.max_bytes()
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(f"The request body is larger than {limit:,} bytes; send several "
                              "batches.")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("The request body is not valid JSON.", code="JSON_INVALID") from exc
    if not isinstance(data, dict):
        raise Invalid("The request body must be a JSON object.", code="JSON_INVALID")
    return data


def _location(job: BulkJob) -> str:
    return f"/api/v1/institutions/{job.institution.slug}/bulk-jobs/{job.uuid}"


@api_view(("GET", "POST"))
def jobs(request: HttpRequest, caller: Caller, slug: str) -> HttpResponse:
    if request.method == "GET":
        inst = caller.institution(slug)
        found = (BulkJob.objects.filter(institution=inst)
                 .select_related("achievement_version__definition")[:100])
        return JsonResponse({"items": [services.progress(j) for j in found]})
    inst = caller.institution(slug, role="issuer")
    data = _body(request)
    unknown = set(data) - FIELDS
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.", code="FIELD_UNKNOWN")
    definition = AchievementDefinition.objects.filter(
        institution=inst, slug=str(data.get("achievement") or "")).first()
    if definition is None:
        raise Invalid("Name an achievement of this institution by its slug ('achievement').",
                      code="ACHIEVEMENT_UNKNOWN")
    if data.get("version") is None:
        version = catalog_services.latest_version(definition)
    else:
        version = definition.versions.filter(number=data["version"]).first()
        if version is None:
            raise Invalid(f"The achievement has no version {data['version']!r}.",
                          code="VERSION_UNKNOWN")
    if "rows" not in data:
        raise Invalid("Send the awards as 'rows', a list of objects.", code="ROWS_REQUIRED")
    try:
        job, report, created = services.prepare_job(
            caller.actor, version, data["rows"],
            idempotency_key=request.headers.get("Idempotency-Key"),
            send_email=bool(data.get("send_email", True)))
    except services.BatchRejected as exc:
        return JsonResponse({"code": exc.code, "message": exc.message,
                             "report": exc.report.summary()}, status=422)
    body: dict[str, Any] = {"job": services.progress(job), "report": report.summary()}
    if job.invalid_count:
        body = {"code": "BATCH_INVALID",
                "message": f"{job.invalid_count} row(s) have errors; nothing will be issued "
                           "from this batch. Correct them and send the batch again.", **body}
        status = 422
    else:
        status = 201 if created else 200
    response = JsonResponse(body, status=status)
    response["Location"] = _location(job)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


def _job(caller: Caller, slug: str, job: Any, role: str) -> BulkJob:
    return services.job_for(caller.institution(slug, role=role), job)


@api_view(("GET",))
def job_detail(request: HttpRequest, caller: Caller, slug: str, job: Any) -> HttpResponse:
    found = _job(caller, slug, job, "viewer")
    body = services.progress(found)
    if request.GET.get("report"):
        body["report"] = found.report
    return JsonResponse(body)


ACTIONS = {"confirm": services.confirm_job, "cancel": services.cancel_job,
           "resume": services.resume_job}


@api_view(("POST",))
def job_action(request: HttpRequest, caller: Caller, slug: str, job: Any, action: str
               ) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound("No such action.")
    found = _job(caller, slug, job, "issuer")
    updated = ACTIONS[action](caller.actor, found)
    response = JsonResponse(services.progress(updated),
                            status=202 if action in ("confirm", "resume") else 200)
    response["Location"] = _location(updated)
    return response
