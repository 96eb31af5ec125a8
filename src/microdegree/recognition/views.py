"""Recognition pages: staff (programs, agreements, the application queue and decisions), learners
(apply, see the proposal and the decision), and the public "What is it worth?" page.

Views parse, call a service, render. Domain errors become a page with their status (404 for
missing and not-yours alike), form errors a 400 with the form. No JavaScript.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from microdegree.catalog.achievement import badge_of
from microdegree.institutions.errors import DomainError, NotFound
from microdegree.institutions.services import institution_for
from microdegree.recognition import carry, checking, forms, notices, services
from microdegree.recognition.models import CreditApplication
from microdegree.records import record as record_mod

ISSUER = "issuer"
learner_required = login_required(login_url="/me/login")


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "recognition/error.html", {"error": exc}, status=exc.status)


def guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            return _error(request, exc)

    return wrapper


def staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return login_required(guarded(view))


def _role(request: HttpRequest) -> str:
    return ISSUER if request.method == "POST" else "viewer"


def _data(request: HttpRequest) -> Any:
    """The POST data of a form submission (even an empty one), else None (an unbound form)."""
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def _form_page(request: HttpRequest, template: str, context: dict[str, Any],
               form: Any) -> HttpResponse:
    return render(request, template, context, status=400 if form.errors else 200)


# --- staff: programs ---------------------------------------------------------------------------


@staff
@require_http_methods(["GET", "HEAD", "POST"])
def program_list(request: HttpRequest, inst_slug: str) -> HttpResponse:
    inst = institution_for(request.user, inst_slug, role=_role(request))
    form = forms.ProgramForm(_data(request), creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.create_program(request.user, inst,
                                              slug=form.cleaned_data.get("slug") or "",
                                              **form.changes())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("recognition:program", inst.slug, program.slug)
    return _form_page(request, "recognition/program_list.html",
                      {"institution": inst, "programs": inst.programs.all(), "form": form,
                       "notices": notices.open_notices(inst)}, form)


@staff
@require_POST
def notice_read(request: HttpRequest, inst_slug: str, pk: int) -> HttpResponse:
    """Staff mark a changed-achievement notice read (issue 16, point 2)."""
    inst = institution_for(request.user, inst_slug, role=ISSUER)
    notices.mark_read(request.user, inst, pk)
    return redirect("recognition:programs", inst.slug)


@staff
@require_http_methods(["GET", "HEAD", "POST"])
def program_edit(request: HttpRequest, inst_slug: str, program_slug: str) -> HttpResponse:
    program = services.program_for(request.user, inst_slug, program_slug, role=_role(request))
    form = forms.ProgramForm(_data(request), instance=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_program(request.user, program, **form.changes())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("recognition:program", inst_slug, program.slug)
    program.refresh_from_db()
    return _form_page(request, "recognition/program_edit.html", {
        "institution": program.institution, "program": program, "form": form,
        "module_form": forms.ModuleForm(), "modules": program.modules.all(),
        "agreements": program.agreements.prefetch_related("exempted_modules"),
    }, form)


@staff
@require_POST
def program_delete(request: HttpRequest, inst_slug: str, program_slug: str) -> HttpResponse:
    program = services.program_for(request.user, inst_slug, program_slug, role=ISSUER)
    services.delete_program(request.user, program)
    return redirect("recognition:programs", inst_slug)


@staff
@require_POST
def module_add(request: HttpRequest, inst_slug: str, program_slug: str) -> HttpResponse:
    program = services.program_for(request.user, inst_slug, program_slug, role=ISSUER)
    form = forms.ModuleForm(request.POST)
    if form.is_valid():
        try:
            services.add_module(request.user, program, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("recognition:program", inst_slug, program.slug)
    return render(request, "recognition/program_edit.html", {
        "institution": program.institution, "program": program,
        "form": forms.ProgramForm(instance=program), "module_form": form,
        "modules": program.modules.all(), "agreements": program.agreements.all(),
    }, status=400)


@staff
@require_POST
def module_remove(request: HttpRequest, inst_slug: str, program_slug: str,
                  pk: int) -> HttpResponse:
    program = services.program_for(request.user, inst_slug, program_slug, role=ISSUER)
    module = program.modules.filter(pk=pk).first()
    if module is None:
        raise Http404("No such module.")
    services.remove_module(request.user, module)
    return redirect("recognition:program", inst_slug, program.slug)


# --- staff: agreements -------------------------------------------------------------------------


@staff
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_edit(request: HttpRequest, inst_slug: str, program_slug: str,
                   pk: int | None = None) -> HttpResponse:
    role = _role(request)
    program = services.program_for(request.user, inst_slug, program_slug, role=role)
    agreement = (services.agreement_for(request.user, inst_slug, program_slug, pk, role=role)
                 if pk is not None else None)
    form = forms.AgreementForm(_data(request), instance=agreement, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            if agreement is None:
                services.create_agreement(request.user, program, **form.changes())
            else:
                services.update_agreement(request.user, agreement, **form.changes())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("recognition:program", inst_slug, program.slug)
    return _form_page(request, "recognition/agreement_form.html", {
        "institution": program.institution, "program": program, "agreement": agreement,
        "form": form}, form)


@staff
@require_POST
def agreement_delete(request: HttpRequest, inst_slug: str, program_slug: str,
                     pk: int) -> HttpResponse:
    agreement = services.agreement_for(request.user, inst_slug, program_slug, pk, role=ISSUER)
    services.delete_agreement(request.user, agreement)
    return redirect("recognition:program", inst_slug, program_slug)


# --- staff: applications -----------------------------------------------------------------------


@staff
def queue(request: HttpRequest, inst_slug: str) -> HttpResponse:
    inst = institution_for(request.user, inst_slug)
    return render(request, "recognition/queue.html",
                  {"institution": inst, "applications": services.queue(inst)})


@staff
@require_http_methods(["GET", "HEAD", "POST"])
def application_staff(request: HttpRequest, inst_slug: str, app_uuid: str) -> HttpResponse:
    application = services.staff_application(request.user, inst_slug, app_uuid,
                                             role=_role(request))
    program = application.program
    form = forms.DecisionForm(_data(request), program=program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide(request.user, application, outcome=data["outcome"],
                            credits=data.get("credits"), exempted_modules=data.get("modules"),
                            reason=data.get("reason") or "")
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("recognition:application-staff", inst_slug, application.uuid)
    application.refresh_from_db()
    decision = getattr(application, "decision", None)
    changed = ([] if decision is not None else
               services.changes_since_submission(application, services.recheck(application)))
    return _form_page(request, "recognition/application_staff.html", {
        "institution": program.institution, "application": application,
        "proposal": application.proposal, "form": form, "changed": changed,
        "decision": decision}, form)


# --- learners ----------------------------------------------------------------------------------


def _record_choices(user: Any) -> list[tuple[str, str]]:
    out = []
    for item in record_mod.items(user):
        if not item.addressed:
            continue  # an import that names someone else is never used for credit
        s = item.summary
        name = s.name or s.achievement_name or item.key
        issuer = s.issuer_name or s.issuer_id or ""
        out.append((item.key, f"{name} ({issuer}; {record_mod.state_label(item.state)})"))
    return out


@learner_required
@guarded
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = (CreditApplication.objects.select_related("program__institution")
                    .filter(learner=request.user))
    return render(request, "recognition/my_applications.html", {"applications": applications})


@learner_required
@guarded
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """`/me/credit/apply`: a draft application. From "What is it worth?" (`?from=worth`) the
    credentials chosen there come pre-selected (`carry`): the learner's own record entries,
    and uploads kept in the session, which are verified again like any upload."""
    programs = services.public_programs()
    choices = _record_choices(request.user)
    carried = carry.carried(request.session, request.user)
    from_worth = request.GET.get("from") == "worth"
    initial: dict[str, Any] = {"program": request.GET.get("program")}
    if from_worth:
        own = {key for key, _ in choices}
        initial["record"] = [k for k in carried.keys if k in own]
        initial["carried"] = True
    form = forms.CredentialsForm(_data(request), _files(request), record=choices,
                                 programs=programs, initial=initial,
                                 carried=len(carried.uploads))
    if request.method == "POST" and form.is_valid():
        try:
            texts = form.texts(request.FILES)
            if form.cleaned_data.get("carried"):
                texts += carried.uploads
            application = services.start_application(
                request.user, form.cleaned_data["program"],
                record_keys=form.cleaned_data.get("record") or [], uploads=texts)
        except ValidationError as exc:
            form.add_error(None, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            carry.clear(request.session)
            return redirect("recognition:my-application", application.uuid)
    return _form_page(request, "recognition/apply.html", {
        "form": form, "programs": programs,
        "carried_names": carry.names(carried.uploads),
        "carry_dropped": from_worth and carried.dropped}, form)


@learner_required
@guarded
def my_application(request: HttpRequest, app_uuid: str) -> HttpResponse:
    application = services.learner_application(request.user, app_uuid)
    return render(request, "recognition/my_application.html", {
        "application": application, "proposal": application.proposal,
        "decision": getattr(application, "decision", None)})


@learner_required
@guarded
@require_POST
def submit(request: HttpRequest, app_uuid: str) -> HttpResponse:
    application = services.learner_application(request.user, app_uuid)
    services.submit_application(request.user, application)
    return redirect("recognition:my-application", application.uuid)


@learner_required
@guarded
@require_POST
def withdraw(request: HttpRequest, app_uuid: str) -> HttpResponse:
    application = services.learner_application(request.user, app_uuid)
    services.withdraw_application(request.user, application)
    return redirect("recognition:my-applications")


# --- public ------------------------------------------------------------------------------------


@guarded
@require_http_methods(["GET", "HEAD", "POST"])
def worth(request: HttpRequest) -> HttpResponse:
    """"What is it worth?": nothing is stored but the choice, in the session, for "Apply for
    this credit" (`carry`); a signed-in learner may pick from the record."""
    signed_in = request.user.is_authenticated
    form = forms.CredentialsForm(_data(request), _files(request),
                                 record=_record_choices(request.user) if signed_in else [])
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            keys = form.cleaned_data.get("record") or []
            # uploads go in as they are: each is read once, counted, and only then verified
            uploads: list[str | bytes] = form.texts(request.FILES,
                                                    max_files=checking.max_files())
            texts = uploads + [text for _, _, text in services.record_items(request.user, keys)]
            facts, proposals, programs = services.worth(
                texts, applicant=request.user if keys else None)
        except ValidationError as exc:
            form.add_error(None, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            results = [(p, proposal.to_json()) for p, proposal in zip(programs, proposals,
                                                                     strict=True)]
            context.update(
                checked=len(facts),
                badges=[(fact, badge_of(fact.achievement_id, fact.issuer_id)
                         if fact.registry == "platform" else "") for fact in facts],
                recognising=[r for r in results if r[1]["recognised"] > 0],
                others=[r for r in results if r[1]["recognised"] <= 0],
            )
            if context["recognising"]:
                # "Apply for this credit" carries this choice (in the session, never the page)
                carry.stash(request.session, request.user, keys=list(keys),
                            uploads=[services.upload_text(u) for u in uploads])
    return _form_page(request, "recognition/worth.html", context, form)


@guarded
def program_public(request: HttpRequest, inst_slug: str, program_slug: str) -> HttpResponse:
    program = services.public_program(inst_slug, program_slug)
    return render(request, "recognition/program_public.html", {
        "program": program, "modules": program.modules.all(),
        "agreements": program.agreements.filter(public=True).prefetch_related(
            "exempted_modules")})
