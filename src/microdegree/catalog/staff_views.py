"""Staff pages: the institution's catalogue, definitions, pathway rules, competencies.

Reading needs the viewer role, writing the issuer role (`institution_for` / `definition_for`:
other institutions' data is the same 404 as missing data). Views parse, call a service, render.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from microdegree.catalog import forms, hooks, rules, services
from microdegree.catalog.achievement import image_url
from microdegree.catalog.errors import DomainError, NotFound, PermissionDenied, RuleInvalid
from microdegree.catalog.models import AchievementDefinition, AchievementType
from microdegree.catalog.views import page
from microdegree.institutions.services import institution_for

ISSUER = "issuer"


def staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            return page(request, "catalog/error.html", {"message": exc.message}, status=403)

    return wrapper


def _role(request: HttpRequest) -> str:
    return ISSUER if request.method == "POST" else "viewer"


@staff
def definition_list(request: HttpRequest, inst_slug: str) -> HttpResponse:
    inst = institution_for(request.user, inst_slug)
    return page(request, "catalog/definition_list.html",
                {"institution": inst, "versions": services.catalogue(inst)})


@staff
def definition_new(request: HttpRequest, inst_slug: str) -> HttpResponse:
    inst = institution_for(request.user, inst_slug, role=ISSUER)
    kind = request.GET.get("kind", AchievementDefinition.Kind.MICROCREDENTIAL)
    initial = {"kind": kind}
    if kind == AchievementDefinition.Kind.MICRODEGREE:
        initial["achievement_type"] = AchievementType.LEARNING_PROGRAM
    form = forms.NewDefinitionForm(request.POST or None, institution=inst, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.create_definition(request.user, inst, **form.changes())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("catalog:definition-edit", inst.slug, version.definition.slug)
    return page(request, "catalog/definition_form.html",
                {"institution": inst, "form": form, "creating": True},
                status=400 if form.errors else 200)


@staff
def definition_edit(request: HttpRequest, inst_slug: str, def_slug: str) -> HttpResponse:
    definition = services.definition_for(request.user, inst_slug, def_slug, role=_role(request))
    inst = definition.institution
    latest = services.latest_version(definition)
    form = forms.VersionForm(request.POST or None, instance=latest, institution=inst)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.update_definition(request.user, definition, **form.changes())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(f"{request.path}?saved={version.number}")
    return page(request, "catalog/definition_form.html", {
        "institution": inst,
        "definition": definition,
        "version": latest,
        "form": form,
        "saved": request.GET.get("saved"),
        "versions": definition.versions.order_by("-number"),
        "pathways": services.pathways_containing(definition),
        "naming": hooks.agreements_naming(latest),
        "image_url": image_url(latest),
    }, status=400 if form.errors else 200)


@staff
def definition_rule(request: HttpRequest, inst_slug: str, def_slug: str) -> HttpResponse:
    definition = services.definition_for(request.user, inst_slug, def_slug, role=_role(request))
    if not definition.is_microdegree:
        raise NotFound("Only a microdegree has an award rule.")
    inst = definition.institution
    latest = services.latest_version(definition)
    slugs = dict(inst.achievement_definitions.values_list("pk", "slug"))
    shown = rules.map_leaves(latest.rule, lambda v: slugs.get(v, v)) if latest.rule else None
    form = forms.RuleForm(request.POST or None,
                          initial={"rule": json.dumps(shown, indent=2) if shown else ""})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            version = services.set_rule(request.user, latest, form.cleaned_data["rule"])
        except RuleInvalid as exc:
            problems = exc.problems
        except DomainError as exc:
            problems = [exc.message]
        else:
            return redirect(f"{request.path}?saved={version.number}")
    names = services.rule_names(inst)
    return page(request, "catalog/rule_form.html", {
        "institution": inst,
        "definition": definition,
        "version": latest,
        "form": form,
        "problems": problems,
        "saved": request.GET.get("saved"),
        "tree": rules.describe(latest.rule, names) if latest.rule else None,
        "naming": hooks.agreements_naming(latest),
        "catalogue": [v for v in services.catalogue(inst) if v.definition_id != definition.pk],
    }, status=400 if problems or form.errors else 200)


@staff
def definition_image(request: HttpRequest, inst_slug: str, def_slug: str) -> HttpResponse:
    definition = services.definition_for(request.user, inst_slug, def_slug, role=_role(request))
    latest = services.latest_version(definition)
    form = forms.ImageForm(request.POST or None, request.FILES or None)
    message = None
    if request.method == "POST":
        try:
            if "generated" in request.POST:
                services.clear_image(request.user, latest)
                return redirect(request.path)
            if form.is_valid():
                services.set_image(request.user, latest, form.cleaned_data["image"])
                return redirect(request.path)
        except DomainError as exc:
            message = exc.message
    return page(request, "catalog/image_form.html", {
        "institution": definition.institution,
        "definition": definition,
        "version": latest,
        "form": form,
        "message": message,
        "image_url": image_url(latest),
    }, status=400 if message or form.errors else 200)


@staff
def competency_list(request: HttpRequest, inst_slug: str) -> HttpResponse:
    inst = institution_for(request.user, inst_slug, role=_role(request))
    form = forms.CompetencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_competency(request.user, inst, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(request.path)
    return page(request, "catalog/competency_list.html", {
        "institution": inst, "form": form, "competencies": inst.competencies.all(),
    }, status=400 if form.errors else 200)


@staff
def competency_edit(request: HttpRequest, inst_slug: str, pk: int) -> HttpResponse:
    competency = services.competency_for(request.user, inst_slug, pk, role=_role(request))
    form = forms.CompetencyForm(request.POST or None, instance=competency)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_competency(request.user, competency, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("catalog:competency-list", inst_slug)
    return page(request, "catalog/competency_form.html", {
        "institution": competency.institution, "competency": competency, "form": form,
    }, status=400 if form.errors else 200)
