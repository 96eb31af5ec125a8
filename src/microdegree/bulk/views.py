"""Staff pages: CSV upload on a definition, the validation report, the job page with a progress
bar (refreshed without JavaScript while the job runs), confirm / cancel / resume, the job list.
Views parse, call services and render; DomainErrors become 4xx pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

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
    file = forms.FileField(label=_("CSV file (UTF-8, comma or semicolon separated)"))
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
            job, _report, created = services.prepare_job(
                request.user, version, uploaded.read(), filename=uploaded.name,
                send_email=form.cleaned_data["send_email"])
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
    }, status=status)


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


@login_required
@domain_errors
def job_page(request: HttpRequest, slug: str, job: str) -> HttpResponse:
    inst = inst_services.institution_for(request.user, slug)
    found = services.job_for(inst, job)
    report = csvparse.Report.from_summary(found.report)
    failed_rows = (found.rows.filter(state=BulkRow.State.FAILED)[:500]
                   if found.failed_count else [])
    response = _render(request, "bulk/job.html", {
        "institution": inst, "job": found, "report": report,
        "row_problems": report.row_problems[:1000], "more_problems":
            max(0, len(report.row_problems) - 1000),
        "failed_rows": failed_rows, "progress": services.progress(found),
        "can_write": _can_write(request.user, inst), "refresh": found.is_active,
    })
    if found.is_active:
        response["Refresh"] = "2"  # the progress bar updates without JavaScript
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
    ACTIONS[action](request.user, found)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("bulk:job", slug=inst.slug, job=found.uuid)
