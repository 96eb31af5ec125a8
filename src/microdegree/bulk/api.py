"""JSON API for bulk jobs: a ninja `Router` of the platform's API under `/api/v1/`
(`microdegree.web.apis`), with the issuing API's authentication (`InstitutionAuth`: a Bearer API
token of the institution, or the session with CSRF); its OpenAPI description is generated.

- `POST /api/v1/institutions/<slug>/bulk-jobs` `{"achievement": slug, "version"?: n,
  "rows": [{"email": ..., ...}], "send_email"?: bool}` with an optional `Idempotency-Key` header:
  201 with the job and its validation report; 422 when rows fail (the report names them; the job
  is kept but cannot be confirmed); the same key or the same batch again: 200, the same job.
- The same `POST` with a `text/csv` or JSON-lines (`application/x-ndjson`, `application/jsonl`)
  body, optionally `Content-Encoding: gzip`, and `achievement`, `version`, `send_email` as query
  parameters: a large batch (up to `MICRODEGREE_BULK_MAX_ROWS` rows, `MICRODEGREE_BULK_MAX_BYTES`
  uncompressed bytes), read as a stream and validated as it streams, with the same report (its
  counts and the first 1,000 problems; every invalid row keeps its own on the job). Too large:
  413. The JSON body is read into memory and limited to `MICRODEGREE_BULK_JSON_MAX_BYTES`.
- `POST .../bulk-jobs/<uuid>/confirm` (202; `?valid_only=true` issues the valid rows of a batch
  with invalid rows), `.../cancel`, `.../resume`.
- `GET .../bulk-jobs` (the latest 100), `GET .../bulk-jobs/<uuid>`: state, total, issued, failed,
  percent.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from microdegree import config
from microdegree.api_layer import Error, not_allowed, request_body
from microdegree.bulk import csvparse, services
from microdegree.bulk.models import BulkJob
from microdegree.catalog import services as catalog_services
from microdegree.catalog.models import AchievementDefinition
from microdegree.errors import Invalid, NotFound, PayloadTooLarge
from microdegree.issuing.api import AUTH, Caller

router = Router(tags=["Bulk issuing"])

FIELDS = {"achievement", "version", "rows", "send_email"}


class BulkJobSchema(Schema):
    id: str = Field(..., json_schema_extra={"format": "uuid"})
    state: str
    source: str = ""
    achievement: str
    version: int
    total: int
    invalid: int = 0
    valid: int = 0
    can_issue_valid: bool = False
    next_step: str = Field("", description="what the registrar should do next, as a sentence")
    issued: int
    failed: int
    processed: int = 0
    percent: float
    can_confirm: bool = False
    stalled: bool = False
    error: str = ""
    created_at: str | None = None
    confirmed_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    report: dict[str, Any] | list[Any] | None = None


class BulkJobRequest(Schema):
    achievement: str = Field(..., description="slug of a definition")
    version: int | None = None
    rows: list[dict[str, Any]] = Field(
        ..., description="one object per award (email, name, credits, ...)")
    send_email: bool = True

    model_config = ConfigDict(extra="forbid")


class BulkJobCreated(Schema):
    job: BulkJobSchema
    report: dict[str, Any]
    code: str | None = None
    message: str | None = None


class BulkJobInvalid(Schema):
    """422: rows have errors (the job is kept but cannot be confirmed), or the batch is
    rejected as a whole (no job)."""

    code: str
    message: str
    report: dict[str, Any] | None = None
    job: BulkJobSchema | None = None


class BulkJobList(Schema):
    items: list[BulkJobSchema]


def _who(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _body(request: HttpRequest) -> dict[str, Any]:
    """The JSON body, read with the bulk size limit (larger than Django's form-data limit)."""
    limit = csvparse.json_max_bytes()
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge(_("The request body is larger than %(limit)s bytes; send several "
                                "batches.")
                              % {"limit": format(limit, ',')})
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(_("The request body is not valid JSON."), code="JSON_INVALID") from exc
    if not isinstance(data, dict):
        raise Invalid(_("The request body must be a JSON object."), code="JSON_INVALID")
    return data


def _location(job: BulkJob) -> str:
    return f"/api/v1/institutions/{job.institution.slug}/bulk-jobs/{job.uuid}"


JOBS = "/institutions/{slug:slug}/bulk-jobs"
JOB = JOBS + "/{uuid:job}"
JOB_ACTION = JOB + "/{action}"
ERRORS: dict[int, Any] = {401: Error, 404: Error}


@router.get(JOBS, auth=AUTH, response={200: BulkJobList, **ERRORS},
            summary="The institution's latest 100 bulk jobs", operation_id="listBulkJobs")
def list_jobs(request: HttpRequest, slug: str) -> HttpResponse:
    inst = _who(request).institution(slug)
    found = (BulkJob.objects.filter(institution=inst)
             .select_related("achievement_version__definition")[:100])
    return JsonResponse({"items": [services.progress(j) for j in found]})


# Streamed batches: the body is read as a stream, never as a whole (request.body).
STREAM_TYPES = {"text/csv": "csv", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
                "application/x-jsonlines": "jsonl"}
JSONL_ROW = {"type": "object", "description": "one award, the fields of a `rows` object"}
STREAM_BODY = {
    "text/csv": {"schema": {"type": "string", "description": "a CSV file with a header line "
                            "(the columns of the bulk CSV upload)"}},
    **{ctype: {"schema": {"type": "string", "description": "JSON lines: one object per line "
                          "(the fields of a `rows` object)"}, "x-line-schema": JSONL_ROW}
       for ctype in ("application/x-ndjson", "application/jsonl")},
}
QUERY = [{"name": "achievement", "in": "query", "required": False, "schema": {"type": "string"},
          "description": "slug of a definition (required with a CSV or JSON-lines body)"},
         {"name": "version", "in": "query", "required": False, "schema": {"type": "integer"}},
         {"name": "send_email", "in": "query", "required": False,
          "schema": {"type": "boolean", "default": True}},
         {"name": "Content-Encoding", "in": "header", "required": False,
          "schema": {"type": "string", "enum": ["gzip", "identity"]},
          "description": "gzip: the CSV or JSON-lines body is compressed"}]


def _version(inst: Any, achievement: Any, number: Any) -> Any:
    definition = AchievementDefinition.objects.filter(
        institution=inst, slug=str(achievement or "")).first()
    if definition is None:
        raise Invalid(_("Name an achievement of this institution by its slug ('achievement')."),
                      code="ACHIEVEMENT_UNKNOWN")
    if number is None or number == "":
        return catalog_services.latest_version(definition)
    version = (definition.versions.filter(number=number).first()
               if str(number).isdigit() else None)
    if version is None:
        raise Invalid(_("The achievement has no version %(number)s.")
                      % {"number": repr(number)}, code="VERSION_UNKNOWN")
    return version


def _stream(request: HttpRequest, inst: Any, caller: Caller, fmt: str) -> services.Prepared:
    unknown = set(request.GET) - {"achievement", "version", "send_email"}
    if unknown:
        raise Invalid(_("Unknown query parameter(s): %(value)s.")
                      % {"value": ', '.join(sorted(unknown))},
                      code="FIELD_UNKNOWN")
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip"):
        raise Invalid(_("Send the body uncompressed or with Content-Encoding: gzip."),
                      code="ENCODING_UNSUPPORTED", status=415)
    limit = csvparse.max_bytes()
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:  # a malformed header is read as no length (the body is counted anyway)
        declared = 0
    if declared > limit:
        raise PayloadTooLarge(_("The batch is larger than %(limit)s bytes; split it into "
                                "several batches.")
                              % {"limit": format(limit, ',')})
    version = _version(inst, request.GET.get("achievement"), request.GET.get("version"))
    return services.prepare_stream(
        caller.actor, version, request, fmt=fmt, gzipped=encoding == "gzip", source="api",
        idempotency_key=request.headers.get("Idempotency-Key"),
        send_email=config.truthy(request.GET.get("send_email"), True))


TOO_LARGE = {"FILE_TOO_LARGE", "TOO_MANY_ROWS"}


@router.post(JOBS, auth=AUTH,
             response={201: BulkJobCreated, 200: BulkJobCreated, 422: BulkJobInvalid,
                       400: Error, 403: Error, 409: Error, 413: BulkJobInvalid, 415: Error,
                       **ERRORS},
             summary="Validate a batch of awards into a job (confirm it to issue)",
             description="201 created; 200 the same batch or Idempotency-Key again (the same "
             "job); 422 when rows have errors (the report names them, the job is kept: "
             "confirm it with `valid_only=true` to issue its valid rows). A JSON body holds "
             "`rows`; a large batch is sent as a `text/csv` or JSON-lines body (optionally "
             "`Content-Encoding: gzip`) with `achievement` as a query parameter, read and "
             "validated as it streams; 413 when it is over the size or row limit.",
             operation_id="createBulkJob", openapi_extra={
                 "requestBody": {"required": True, "content": {
                     **request_body(BulkJobRequest)["requestBody"]["content"], **STREAM_BODY}},
                 "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                 "schema": {"type": "string"}}, *QUERY]})
def create_job(request: HttpRequest, slug: str) -> HttpResponse:
    caller = _who(request)
    inst = caller.institution(slug, role="issuer")
    fmt = STREAM_TYPES.get(request.content_type or "")
    try:
        if fmt is not None:
            job, report, created = _stream(request, inst, caller, fmt)
        else:
            job, report, created = _from_json(request, inst, caller)
    except services.BatchRejected as exc:
        return JsonResponse({"code": exc.code, "message": exc.message,
                             "report": exc.report.summary()},
                            status=413 if exc.code in TOO_LARGE else 422)
    body: dict[str, Any] = {"job": services.progress(job), "report": report.summary()}
    if job.invalid_count:
        body = {"code": "BATCH_INVALID", "message": services.blocked_reason(job), **body}
        status = 422
    else:
        status = 201 if created else 200
    response = JsonResponse(body, status=status)
    response["Location"] = _location(job)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


def _from_json(request: HttpRequest, inst: Any, caller: Caller) -> services.Prepared:
    data = _body(request)
    unknown = set(data) - FIELDS
    if unknown:
        raise Invalid(_("Unknown field(s): %(value)s.")
                      % {"value": ', '.join(sorted(unknown))}, code="FIELD_UNKNOWN")
    version = _version(inst, data.get("achievement"), data.get("version"))
    if "rows" not in data:
        raise Invalid(_("Send the awards as 'rows', a list of objects."), code="ROWS_REQUIRED")
    return services.prepare_job(
        caller.actor, version, data["rows"],
        idempotency_key=request.headers.get("Idempotency-Key"),
        send_email=bool(data.get("send_email", True)))


def _job(caller: Caller, slug: str, job: Any, role: str) -> BulkJob:
    return services.job_for(caller.institution(slug, role=role), job)


not_allowed(router, JOBS, ("GET", "POST"))


@router.get(JOB, auth=AUTH, response={200: BulkJobSchema, **ERRORS},
            summary="A job's progress", operation_id="getBulkJob",
            openapi_extra={"parameters": [{"name": "report", "in": "query", "required": False,
                                           "schema": {"type": "string"}}]})
def job_detail(request: HttpRequest, slug: str, job: Any) -> HttpResponse:
    found = _job(_who(request), slug, job, "viewer")
    body = services.progress(found)
    if request.GET.get("report"):
        body["report"] = found.report
    return JsonResponse(body)


ACTIONS = {"confirm": services.confirm_job, "cancel": services.cancel_job,
           "resume": services.resume_job}


not_allowed(router, JOB, ("GET",))


@router.post(JOB_ACTION, auth=AUTH,
             response={200: BulkJobSchema, 202: BulkJobSchema, 400: Error, 403: Error,
                       409: Error, 422: Error, **ERRORS},
             summary="Confirm, cancel or resume a job",
             description="`action` is confirm or resume (202, queued) or cancel (200); another "
             "is a 404. A batch with invalid rows is confirmed only with `valid_only=true`: "
             "its valid rows are issued, the invalid ones never are.",
             operation_id="changeBulkJob",
             openapi_extra={"parameters": [{"name": "valid_only", "in": "query",
                                            "required": False,
                                            "schema": {"type": "boolean", "default": False}}]})
def job_action(request: HttpRequest, slug: str, job: Any, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound(_("No such action."))
    caller = _who(request)
    found = _job(caller, slug, job, "issuer")
    if action == "confirm":
        valid_only = config.truthy(request.GET.get("valid_only"), False)
        updated = services.confirm_job(caller.actor, found, valid_only=valid_only)
    else:
        updated = ACTIONS[action](caller.actor, found)
    response = JsonResponse(services.progress(updated),
                            status=202 if action in ("confirm", "resume") else 200)
    response["Location"] = _location(updated)
    return response


not_allowed(router, JOB_ACTION, ("POST",))
