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
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from microdegree.catalog import forms, hooks, rule_editor, rules, services
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


def _editor_context(definition: AchievementDefinition) -> dict[str, Any]:
    """What the rule editor checks parts against: the catalogue without the microdegree itself,
    and the microdegrees that contain it (choosing one would make a cycle)."""
    return {
        "choices": [v for v in services.catalogue(definition.institution)
                    if v.definition_id != definition.pk],
        "itself": definition.slug,
        "containing": [v.definition.slug for v in services.pathways_containing(definition)],
    }


def _read(definition: AchievementDefinition, tree: rule_editor.Group,
          checks: dict[str, Any]) -> tuple[list[rule_editor.Problem], str, int | None]:
    """Check the tree; if it holds, its sentence and how many current learners it qualifies."""
    problems = rule_editor.check(tree, checks["choices"], itself=checks["itself"],
                                 containing=checks["containing"])
    if problems:
        return problems, "", None
    inst = definition.institution
    rule = services.resolve_rule(inst, rule_editor.to_rule(tree))
    names = {v.definition_id: v.name for v in checks["choices"]}
    return problems, rule_editor.sentence(rule, names), rule_editor.qualifying(inst, rule)


@staff
def definition_rule(request: HttpRequest, inst_slug: str, def_slug: str) -> HttpResponse:
    """The rule editor (groups, parts, sentence, qualifying count), and the rule as JSON."""
    definition = services.definition_for(request.user, inst_slug, def_slug, role=_role(request))
    if not definition.is_microdegree:
        raise NotFound("Only a microdegree has an award rule.")
    inst = definition.institution
    latest = services.latest_version(definition)
    slugs = dict(inst.achievement_definitions.values_list("pk", "slug"))
    shown = rules.map_leaves(latest.rule, lambda v: slugs.get(v, v)) if latest.rule else None
    as_json = request.method == "POST" and "rule" in request.POST
    form = forms.RuleForm(request.POST if as_json else None,
                          initial={"rule": json.dumps(shown, indent=2) if shown else ""})
    checks = _editor_context(definition)
    problems: list[str] = []
    field_problems: list[rule_editor.Problem] = []
    sentence, count = "", None
    to_save: list[Any] = []  # the rule to save, when the form says so and it holds
    if request.method == "POST" and not as_json:
        tree = rule_editor.from_post(request.POST)
        action = request.POST.get("action", "preview")
        if not rule_editor.apply_action(tree, action):
            field_problems, sentence, count = _read(definition, tree, checks)
            if action == "save" and not field_problems:
                to_save.append(rule_editor.to_rule(tree))
    else:
        tree = rule_editor.from_rule(latest.rule, slugs)
        if latest.rule:
            _ignored, sentence, count = _read(definition, tree, checks)
        if as_json and form.is_valid():
            to_save.append(form.cleaned_data["rule"])
    if to_save:
        try:
            version = services.set_rule(request.user, latest, to_save[0])
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
        "tree": tree,
        "kinds": rule_editor.KINDS,
        "choices": checks["choices"],
        "problems": problems,
        "field_problems": field_problems,
        "sentence": sentence,
        "qualifying": _qualifying_text(count),
        "as_json": as_json,
        "saved": request.GET.get("saved"),
        "now": rules.describe(latest.rule, names) if latest.rule else None,
        "naming": hooks.agreements_naming(latest),
    }, status=400 if problems or field_problems or form.errors else 200)


@staff
@require_POST
def definition_rule_preview(request: HttpRequest, inst_slug: str,
                            def_slug: str) -> HttpResponse:
    """The editor's live preview as JSON: the sentence, how many current learners would
    qualify, and each problem with its field (staff of the institution; nothing is saved)."""
    definition = services.definition_for(request.user, inst_slug, def_slug, role="viewer")
    if not definition.is_microdegree:
        raise NotFound("Only a microdegree has an award rule.")
    tree = rule_editor.from_post(request.POST)
    problems, sentence, count = _read(definition, tree, _editor_context(definition))
    return JsonResponse({"sentence": sentence, "qualifying": count,
                         "qualifyingText": _qualifying_text(count),
                         "problems": [p.as_json() for p in problems]})


def _qualifying_text(count: int | None) -> str:
    if count is None:
        return ""
    return ngettext("%(count)d current learner would qualify.",
                    "%(count)d current learners would qualify.", count) % {"count": count}


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
