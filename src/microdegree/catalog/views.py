"""Public catalogue pages: each achievement version's stable URL (HTML or JSON-LD), its image."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from microdegree.catalog import images, rules, services
from microdegree.catalog.achievement import achievement_jsonld, image_url
from microdegree.catalog.errors import NotFound

JSON_TYPES = ("application/ld+json", "application/json")
SITE_BASE = "microdegree/base.html"
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@cache
def site_base() -> str | None:
    """The site's base template if the web app provides it (else catalog/standalone.html)."""
    try:
        get_template(SITE_BASE)
    except TemplateDoesNotExist:
        return None
    return SITE_BASE


def page(request: HttpRequest, template: str, context: dict[str, Any],
         status: int = 200) -> HttpResponse:
    return render(request, template, {"site_base": site_base(), **context}, status=status)


def _wants_json(request: HttpRequest) -> str | None:
    preferred = request.get_preferred_type(["text/html", *JSON_TYPES])
    return preferred if preferred in JSON_TYPES else None


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD only, CORS open, one 404 for anything missing (JSON if JSON was asked for)."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except NotFound as exc:
            if _wants_json(request) is None:
                raise Http404(exc.message) from exc
            response = HttpResponse(
                json.dumps({"code": exc.code, "message": exc.message}), status=404,
                content_type="application/json",
            )
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


@public
def achievement_latest(request: HttpRequest, inst_slug: str, def_slug: str) -> HttpResponse:
    definition = services.get_public_definition(inst_slug, def_slug)
    return redirect(services.latest_version(definition).path)


@public
def achievement_version(request: HttpRequest, inst_slug: str, def_slug: str,
                        number: int) -> HttpResponse:
    """The Achievement: JSON-LD for `Accept: application/ld+json` (or JSON), else a page."""
    version = services.get_public_version(inst_slug, def_slug, number)
    json_type = _wants_json(request)
    if json_type is not None:
        response = HttpResponse(json.dumps(achievement_jsonld(version), indent=2),
                                content_type=json_type)
    else:
        definition = version.definition
        latest = services.latest_version(definition)
        rule = None
        if version.rule:
            rule = rules.describe(version.rule, services.rule_names(definition.institution))
        response = page(request, "catalog/public_achievement.html", {
            "version": version,
            "definition": definition,
            "institution": definition.institution,
            "latest": latest,
            "image_url": image_url(version),
            "competencies": version.competencies.all(),
            "rule": rule,
            "pathways": services.pathways_containing(definition),
        })
    patch_vary_headers(response, ["Accept"])
    if json_type is not None and version.is_awarded:  # an awarded version never changes
        response["Cache-Control"] = "public, max-age=3600"
    return response


def _image_response(content: bytes | str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Security-Policy"] = SVG_CSP
    response["Cache-Control"] = "public, max-age=300"
    return response


@public
def achievement_image_svg(request: HttpRequest, inst_slug: str, def_slug: str,
                          number: int) -> HttpResponse:
    """The uploaded SVG, or the generated badge if no image was uploaded."""
    version = services.get_public_version(inst_slug, def_slug, number)
    if version.image and version.image.name.endswith(".svg"):
        with version.image.open("rb") as handle:
            return _image_response(handle.read(), "image/svg+xml")
    if version.image:
        raise NotFound("This achievement's image is a PNG.")
    return _image_response(images.generated_svg(version), "image/svg+xml")


@public
def achievement_image_png(request: HttpRequest, inst_slug: str, def_slug: str,
                          number: int) -> HttpResponse:
    """The uploaded PNG, or the generated badge drawn as a PNG if no image was uploaded (for
    sites that show no SVG, such as link previews)."""
    version = services.get_public_version(inst_slug, def_slug, number)
    if not version.image:
        return _image_response(images.generated_png(version), "image/png")
    if not version.image.name.endswith(".png"):
        raise NotFound("This achievement's image is an SVG.")
    with version.image.open("rb") as handle:
        return _image_response(handle.read(), "image/png")


@public
def competency_page(request: HttpRequest, inst_slug: str, pk: int) -> HttpResponse:
    competency = services.get_public_competency(inst_slug, pk)
    return page(request, "catalog/public_competency.html",
                {"competency": competency, "institution": competency.institution})
