"""The open catalogue: pages and JSON API with search and filters, and the open-data exports.

All read-only and public (GET/HEAD, CORS open on machine-readable answers). Pages are GET forms
that work without JavaScript; the API takes the same query parameters. A bad filter is a 400:
a form error on the page, `{"code", "message"}` in the API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from microdegree.opendata import ctdl, entries, exports, filters, public

MAX_PAGE_SIZE = 100
LICENSE_LINK = f'<{public.LICENSE_URL}>; rel="license"'


def page_size() -> int:
    return int(getattr(settings, "OPENDATA_PAGE_SIZE", 20))


@dataclass(frozen=True)
class Listing:
    """One kind of item in the catalogue: its filters, its public query and its JSON entry."""

    name: str
    form: type[Any]
    items: Callable[[], QuerySet[Any]]
    apply: Callable[[QuerySet[Any], dict[str, Any]], QuerySet[Any]]
    entries: Callable[[list[Any]], list[dict[str, Any]]]
    template: str


def each(entry: Callable[[Any], dict[str, Any]]) -> Callable[[list[Any]], list[dict[str, Any]]]:
    return lambda items: [entry(item) for item in items]


LISTINGS = {
    "achievements": Listing("achievements", filters.AchievementFilters, public.latest_versions,
                            filters.apply_achievements, entries.achievements,
                            "opendata/achievements.html"),
    "institutions": Listing("institutions", filters.InstitutionFilters, public.institutions,
                            filters.apply_institutions, each(entries.institution),
                            "opendata/institutions.html"),
    "programs": Listing("programs", filters.ProgramFilters, public.programs,
                        filters.apply_programs, each(entries.program), "opendata/programs.html"),
    "agreements": Listing("agreements", filters.AgreementFilters, public.agreements,
                          filters.apply_agreements, each(entries.agreement),
                          "opendata/agreements.html"),
}


class BadRequest(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _json(data: Any, status: int = 200, content_type: str = "application/json",
          ) -> HttpResponse:
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), status=status,
                            content_type=f"{content_type}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _open(response: HttpResponse) -> HttpResponse:
    """Mark an export as open data: the licence as a Link header, CORS open."""
    response["Link"] = LICENSE_LINK
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _per_page(request: HttpRequest) -> int:
    raw = request.GET.get("per_page", "")
    if not raw:
        return page_size()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise BadRequest("PAGE_SIZE_INVALID",
                         _("per_page must be a whole number from 1 to %(max)d.")
                         % {"max": MAX_PAGE_SIZE})
    return int(raw)


def _search(listing: Listing, request: HttpRequest) -> tuple[Any, QuerySet[Any]]:
    form = listing.form(request.GET)
    if not form.is_valid():
        return form, listing.items().none()
    return form, listing.apply(listing.items(), form.values())


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- JSON API -----------------------------------------------------------------------------------


@require_safe
def api_index(request: HttpRequest) -> HttpResponse:
    return _open(_json({
        "lists": {name: public.absolute(f"/api/catalogue/{name}") for name in LISTINGS},
        "exports": export_links(),
        "license": {"id": public.LICENSE_ID, "url": public.LICENSE_URL},
    }))


@require_safe
def api_list(request: HttpRequest, kind: str) -> HttpResponse:
    listing = LISTINGS.get(kind)
    if listing is None:
        return _json({"code": "NOT_FOUND", "message": _("No such list in the catalogue.")}, 404)
    try:
        per_page = _per_page(request)
        form, qs = _search(listing, request)
        if form.errors:
            raise BadRequest("FILTER_INVALID", form.first_error())
        raw_page = request.GET.get("page", "1")
        if not raw_page.isdigit() or int(raw_page) < 1:
            raise BadRequest("PAGE_INVALID", _("page must be a whole number from 1."))
        paginator = Paginator(qs, per_page)  # an empty list still has page 1
        if int(raw_page) > paginator.num_pages:
            return _json({"code": "PAGE_NOT_FOUND",
                          "message": _("There are only %(pages)d pages.")
                          % {"pages": paginator.num_pages}}, 404)
        page = paginator.page(int(raw_page))
    except BadRequest as exc:
        return _json({"code": exc.code, "message": exc.message}, 400)
    return _open(_json(_page_body(request, kind, page, listing)))


def _page_body(request: HttpRequest, kind: str, page: Page[Any],
               listing: Listing) -> dict[str, Any]:
    base = public.absolute(f"/api/catalogue/{kind}")
    query = _query_without_page(request)

    def link(number: int) -> str:
        return f"{base}?{query + '&' if query else ''}page={number}"

    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "license": public.LICENSE_URL,
        "results": listing.entries(list(page.object_list)),
    }


# --- pages --------------------------------------------------------------------------------------


def _list_page(request: HttpRequest, kind: str) -> HttpResponse:
    listing = LISTINGS[kind]
    form, qs = _search(listing, request)
    page = Paginator(qs, page_size()).get_page(request.GET.get("page"))
    return render(request, listing.template, {
        "form": form,
        "page": page,
        "query": _query_without_page(request),
        "api_url": f"/api/catalogue/{kind}?{request.GET.urlencode()}",
        "kind": kind,
    }, status=400 if form.errors else 200)


@require_safe
def achievements_page(request: HttpRequest) -> HttpResponse:
    return _list_page(request, "achievements")


@require_safe
def institutions_page(request: HttpRequest) -> HttpResponse:
    return _list_page(request, "institutions")


@require_safe
def programs_page(request: HttpRequest) -> HttpResponse:
    return _list_page(request, "programs")


@require_safe
def agreements_page(request: HttpRequest) -> HttpResponse:
    return _list_page(request, "agreements")


@require_safe
def program_page(request: HttpRequest, inst_slug: str, slug: str) -> HttpResponse:
    program = public.programs().filter(institution__slug=inst_slug, slug=slug).first()
    if program is None:
        raise Http404(_("No such program in the open catalogue."))
    return render(request, "opendata/program.html", {
        "program": program,
        "modules": program.modules.all(),
        "agreements": public.agreements().filter(program=program),
        "ctid": public.program_ctid(program),
    })


@require_safe
def agreement_page(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = public.agreements().filter(pk=pk).first()
    if agreement is None:
        raise Http404(_("No such agreement in the open catalogue."))
    return render(request, "opendata/agreement.html", {
        "agreement": agreement,
        "program": agreement.program,
        "sentence": ctdl.describe(agreement),
        "modules": agreement.exempted_modules.all(),
        "ctid": public.agreement_ctid(agreement),
        "program_url": public.program_page(agreement.program),
    })


# --- exports ------------------------------------------------------------------------------------


def export_links() -> dict[str, str]:
    return {
        "ctdl": public.absolute("/open-data/ctdl.jsonld"),
        "elm": public.absolute("/open-data/elm.jsonld"),
        "csv": public.absolute("/open-data/microcredentials.csv"),
        "dump": public.absolute("/open-data/dump.json"),
    }


@require_safe
def open_data_page(request: HttpRequest) -> HttpResponse:
    return _open(render(request, "opendata/open_data.html", {
        "links": export_links(),
        "license_url": public.LICENSE_URL,
        "license_name": public.LICENSE_NAME,
    }))


@require_safe
def ctdl_export(request: HttpRequest) -> HttpResponse:
    return _open(_json(exports.ctdl_graph(exports.collect()), content_type="application/ld+json"))


@require_safe
def ctdl_resource(request: HttpRequest, ctid: str) -> HttpResponse:
    """One CTDL resource by its ctid (what the resources' `@id`s resolve to)."""
    graph = exports.ctdl_graph(exports.collect())
    node = next((n for n in graph["@graph"] if n["ceterms:ctid"] == ctid), None)
    if node is None:
        return _json({"code": "NOT_FOUND", "message": _("No public resource has this ctid.")},
                     404)
    return _open(_json({"@context": graph["@context"], **node},
                       content_type="application/ld+json"))


@require_safe
def elm_export(request: HttpRequest) -> HttpResponse:
    return _open(_json(exports.elm_document(exports.collect()),
                       content_type="application/ld+json"))


@require_safe
def csv_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(exports.csv_text(exports.collect()),
                            content_type="text/csv; charset=utf-8; header=present")
    response["Content-Disposition"] = 'inline; filename="microcredentials.csv"'
    return _open(response)


@require_safe
def dump_export(request: HttpRequest) -> HttpResponse:
    response = _json(exports.dump(exports.collect(), export_links()))
    response["Content-Disposition"] = 'inline; filename="microdegree-catalogue.json"'
    return _open(response)


