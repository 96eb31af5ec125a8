"""Staff pages: CSV upload on a definition, the preview (the first rows as they will be awarded
and every row with a problem), the rejected rows as a CSV to fix, the job page with a progress
bar (refreshed without JavaScript while the job runs), confirm (all rows, or only the valid ones)
/ cancel / resume, the job list. Views parse, call services and render; DomainErrors become 4xx
pages.

Uploads: a CSV file, or one compressed as `.csv.gz` or `.zip` (one CSV inside). Django keeps an
upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) in a temporary file; the batch is parsed
from there as a stream, so a file of a million rows is never held in memory. The limits are the
bulk ones (`MICRODEGREE_BULK_MAX_ROWS`, `MICRODEGREE_BULK_MAX_BYTES`, uncompressed)."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from microdegree.base.spreadsheet import cell
from microdegree.bulk import csvparse, services
from microdegree.bulk.models import BulkJob, BulkRow
from microdegree.catalog import services as catalog_services
from microdegree.institutions import services as inst_services
from microdegree.institutions.errors import DomainError, Invalid
from microdegree.issuing.views import base_template, domain_errors

SAMPLE_CSV = (
    "email,name,identifier,result,narrative,evidence_url,credits_earned,activity_start,"
    "activity_end\r\n"
    "ada@example.org,Ada Lovelace,S-1001,A,Built the final project.,"
    "https://portfolio.example.org/ada,5,2025-09-01,2025-12-15\r\n"
)


def _render(request: HttpRequest, template: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    return render(request, template, {"base_template": base_template(), **context},
                  status=status)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file (UTF-8, comma or semicolon separated; may be compressed as .csv.gz "
                "or .zip)"))
    send_email = forms.BooleanField(label=_("E-mail each recipient a claim link"),
                                    required=False,
                                    initial=True)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str, definition: str) -> HttpResponse:
    found = catalog_services.definition_for(request.user, slug, definition, role="issuer")
    version = catalog_services.latest_version(found)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[csvparse.Problem] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            if uploaded.size > csvparse.max_bytes():
                raise Invalid(gettext("The file is larger than %(max)s bytes; split it into "
                                      "several batches.") % {"max": f"{csvparse.max_bytes():,}"},
                              code="FILE_TOO_LARGE")
            binary, gzipped = _opened(uploaded)
            job, _report, created = services.prepare_stream(
                request.user, version, binary, fmt="csv", gzipped=gzipped, source="csv",
                filename=uploaded.name, send_email=form.cleaned_data["send_email"])
        except services.BatchRejected as exc:
            problems = exc.report.file_problems
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if not created:
                messages.info(request, gettext("This batch was uploaded before: here is its "
                                               "job (nothing is issued twice)."))
            return redirect("bulk:job", slug=found.institution.slug, job=job.uuid)
    status = 422 if problems else 400 if request.method == "POST" else 200
    return _render(request, "bulk/upload.html", {
        "institution": found.institution, "version": version, "form": form,
        "problems": problems, "columns": list(csvparse.ALIASES.values()),
        "max_rows": f"{csvparse.max_rows():,}",
        "max_bytes": csvparse.max_bytes(),
    }, status=status)


def _opened(uploaded: Any) -> tuple[Any, bool]:
    """The uploaded file as a binary stream of CSV, and whether it is gzip-compressed. A zip
    archive must hold one CSV file (read as a stream too)."""
    head = uploaded.read(4)
    uploaded.seek(0)
    if head[:2] == b"\x1f\x8b":
        return uploaded, True
    if head == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(uploaded)
            members = [i for i in archive.infolist() if not i.is_dir()
                       and not i.filename.startswith(("__MACOSX/", "."))]
        except zipfile.BadZipFile as exc:
            raise Invalid(gettext("The zip file cannot be read."), code="ZIP_INVALID") from exc
        if len(members) != 1:
            raise Invalid(gettext("The zip file must hold exactly one CSV file; it holds "
                                  "%(count)s files.") % {"count": len(members)},
                          code="ZIP_INVALID")
        member = members[0]
        if member.flag_bits & 0x1 or member.compress_type not in (zipfile.ZIP_STORED,
                                                                  zipfile.ZIP_DEFLATED):
            raise Invalid(gettext("The zip file is encrypted or compressed in a way this "
                                  "platform does not read: save it as a plain zip (or .csv.gz)."),
                          code="ZIP_INVALID")
        return archive.open(member), False
    return uploaded, False


@login_required
@domain_errors
def sample_csv(request: HttpRequest, slug: str) -> HttpResponse:
    inst_services.institution_for(request.user, slug)
    response = HttpResponse(SAMPLE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bulk-award-example.csv"'
    return response


@login_required
@domain_errors
def job_list(request: HttpRequest, slug: str) -> HttpResponse:
    inst = inst_services.institution_for(request.user, slug)
    jobs = (BulkJob.objects.filter(institution=inst)
            .select_related("achievement_version__definition")[:100])
    # the latest version of each microcredential, so a job can be started from this page
    can_write = _can_write(request.user, inst)
    awardable = [version for version in catalog_services.catalogue(inst)
                 if not version.definition.is_microdegree] if can_write else []
    return _render(request, "bulk/list.html", {
        "institution": inst, "jobs": jobs, "awardable": awardable,
        "can_write": can_write,
    })


def _can_write(user: Any, inst: Any) -> bool:
    return bool(user.is_superuser) or inst_services.role_of(user, inst) in ("issuer", "owner")


PREVIEW_ROWS = 20
BAD_ROWS_PER_PAGE = 200


def row_problems(row: BulkRow) -> list[tuple[str, str]]:
    """(column, sentence) of each problem kept on an invalid row (`column: sentence` lines)."""
    found = []
    for part in row.error.splitlines():
        column, sep, message = part.partition(": ")
        if sep and column and " " not in column:
            found.append((column, message))
        else:
            found.append(("", part))
    return found


@login_required
@domain_errors
def job_page(request: HttpRequest, slug: str, job: str) -> HttpResponse:
    inst = inst_services.institution_for(request.user, slug)
    found = services.job_for(inst, job)
    report = csvparse.Report.from_summary(found.report)
    failed_rows = (found.rows.filter(state=BulkRow.State.FAILED)[:500]
                   if found.failed_count else [])
    context: dict[str, Any] = {
        "institution": inst, "job": found, "report": report, "failed_rows": failed_rows,
        "progress": services.progress(found), "next_step": services.next_step(found),
        "can_write": _can_write(request.user, inst), "refresh": found.is_active,
    }
    if found.state == BulkJob.State.VALIDATED:
        context["preview"] = [(row, _shown(row.data))
                              for row in found.rows.order_by("row_number")[:PREVIEW_ROWS]]
    if found.invalid_count:
        bad = Paginator(found.rows.filter(state=BulkRow.State.INVALID).order_by("row_number")
                        .only("row_number", "data", "error"), BAD_ROWS_PER_PAGE)
        page = bad.get_page(request.GET.get("page"))
        context.update(bad_page=page, bad_rows=[(row, row_problems(row)) for row in page])
    response = _render(request, "bulk/job.html", context)
    if found.is_active:
        response["Refresh"] = "2"  # the progress bar updates without JavaScript
    return response


def _shown(data: dict[str, Any]) -> dict[str, str]:
    """Credits and dates of a row as the preview shows them (5, not 5.0; a day, not a time)."""
    days = [str(data.get(f) or "")[:10] for f in ("activity_start", "activity_end")]
    return {"credits": cell(data.get("credits_earned")),
            "dates": " \u2013 ".join(d for d in days if d)}


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rejected_lines(found: BulkJob, columns: list[str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    fields = [next(f for f, label in csvparse.COLUMN_LABEL.items() if label == c)
              for c in columns]
    yield "\ufeff" + writer.writerow([*columns, "error"])  # Excel reads the BOM as UTF-8
    rows = (found.rows.filter(state=BulkRow.State.INVALID).order_by("row_number")
            .values_list("data", "error"))
    for data, error in rows.iterator(chunk_size=2000):
        yield writer.writerow([*(cell(data.get(f)) for f in fields), cell(error)])


@login_required
@domain_errors
def rejected_csv(request: HttpRequest, slug: str, job: str) -> StreamingHttpResponse:
    """The rows with problems, in the batch's columns plus `error`: fix them, upload again (the
    `error` column is ignored then). Streamed: a batch of a million rows is never in memory."""
    inst = inst_services.institution_for(request.user, slug)
    found = services.job_for(inst, job)
    columns = list(found.report.get("columns") or csvparse.COLUMN_LABEL.values())
    response = StreamingHttpResponse(_rejected_lines(found, columns),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{found.uuid}.csv"'
    return response


@login_required
@domain_errors
def job_progress(request: HttpRequest, slug: str, job: str) -> JsonResponse:
    inst = inst_services.institution_for(request.user, slug)
    return JsonResponse(services.progress(services.job_for(inst, job)))


ACTIONS = {"confirm": services.confirm_job, "cancel": services.cancel_job,
           "resume": services.resume_job}
DONE_MESSAGES = {"confirm": _("Confirmed: the credentials are being issued."),
                 "cancel": _("Cancelled: no further credentials are issued from this batch."),
                 "resume": _("Resumed: the job continues with the rows not yet issued.")}


@login_required
@domain_errors
@require_POST
def job_action(request: HttpRequest, slug: str, job: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        return _render(request, "issuing/error.html",
                       {"error": DomainError(gettext("No such action."), code="NOT_FOUND")},
                       status=404)
    inst = inst_services.institution_for(request.user, slug, role="issuer")
    found = services.job_for(inst, job)
    if action == "confirm" and request.POST.get("valid_only"):
        services.confirm_job(request.user, found, valid_only=True)
        messages.success(request, ngettext(
            "Confirmed: the %(valid)s valid row is being issued; the rows with problems are not.",
            "Confirmed: the %(valid)s valid rows are being issued; the rows with problems are "
            "not.", found.valid_count) % {"valid": f"{found.valid_count:,}"})
        return redirect("bulk:job", slug=inst.slug, job=found.uuid)
    ACTIONS[action](request.user, found)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("bulk:job", slug=inst.slug, job=found.uuid)
