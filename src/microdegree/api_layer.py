"""The one way to write a platform API: a django-ninja `NinjaAPI` per public surface, built by
`surface_api`, with a `Router` per app, typed `Schema`s in and out, and the error model's one API
mapping (`microdegree.http_errors.api_error_response`) installed as its exception handlers.

* a `DomainError` (any app's: `NotFound`, `Invalid`, `RecordError`, `ObApiError`, ...) and the
  core's `VcError` / `ExtractError` answer in the surface's format with their status;
* ninja's request validation is a 400 `REQUEST_INVALID` listing each problem with its path;
* a failed authentication a 401 `AUTHENTICATION_REQUIRED` with `WWW-Authenticate: Bearer`;
* anything else goes on to the faults middleware (503 when the database is unavailable, else a
  500 with a reference id), in the same format.

The OpenAPI document is generated from the operations (`openapi_url=None` here: the platform
serves one merged document at `/api/openapi.json`, `microdegree.vcapi.openapi`). See
docs/architecture.md, "How to add an API endpoint".
"""

from __future__ import annotations

import inspect
import re
from typing import Any, cast

import orjson
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from microdegree.errors import DomainError, Invalid, PlatformError, Unauthenticated, classify
from microdegree.http_errors import api_error_response
from microdegree.vc.errors import VcError
from microdegree.vc.extract import ExtractError


class Problem(Schema):
    code: str
    message: str
    path: str | None = None


class Error(Schema):
    """Every 4xx answer: a machine code and a sentence; `problems` lists each one found."""

    code: str
    message: str
    problems: list[Problem] | None = None


class OrjsonParser(Parser):
    """orjson for request bodies: faster, and strict (no NaN, no lone surrogates)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(dict[str, Any], orjson.loads(request.body))


def validation_error(exc: NinjaValidationError) -> Invalid:
    """ninja's request validation as the model's 400 REQUEST_INVALID, one problem per item."""
    problems = []
    for item in exc.errors:
        loc = [str(part) for part in item.get("loc", ()) if part not in ("body", "payload")]
        problems.append({"code": "REQUEST_INVALID", "message": str(item.get("msg", "invalid")),
                         "path": "$" + "".join(f".{p}" for p in loc)})
    first = problems[0] if problems else {"path": "$", "message": "invalid request"}
    error = Invalid(f"{first['path']}: {first['message']}", code="REQUEST_INVALID")
    error.problems = problems  # type: ignore[attr-defined]
    return error


def install_error_handlers(api: NinjaAPI, surface: str) -> None:
    """The API mapping on `api`: every error answered in `surface`'s format ("vcapi", "json"
    or "obapi", see `microdegree.http_errors`)."""

    def answer(error: PlatformError) -> HttpResponse:
        return api_error_response(error, surface)

    def domain(request: HttpRequest, exc: Exception) -> HttpResponse:
        error = classify(exc)
        assert error is not None  # registered for DomainError, VcError and ExtractError only
        return answer(error)

    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return answer(validation_error(exc))

    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = answer(Unauthenticated(
            "Send 'Authorization: Bearer <token>' with a valid API token."))
        if surface != "obapi":
            response["WWW-Authenticate"] = "Bearer"
        return response

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return answer(Invalid(str(exc), code="REQUEST_INVALID", status=exc.status_code))

    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        """Not ninja's (a debug page or a bare re-raise by DEBUG): the platform's
        FaultsMiddleware answers it (503 while the database is unavailable, else a 500 with a
        reference id)."""
        raise exc

    for kind in (DomainError, VcError, ExtractError):
        api.add_exception_handler(kind, domain)  # type: ignore[arg-type]
    api.add_exception_handler(NinjaValidationError, invalid)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, unauthenticated)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, http_error)  # type: ignore[arg-type]
    api.add_exception_handler(Exception, unexpected)  # type: ignore[arg-type]


def surface_api(*, surface: str, namespace: str, title: str, description: str,
                version: str = "1") -> NinjaAPI:
    """A NinjaAPI for one public surface, with the platform's parser and error mapping."""
    api = NinjaAPI(parser=OrjsonParser(), title=title, version=version,
                   description=description, urls_namespace=namespace,
                   openapi_url=None, docs_url=None)  # one merged document: /api/openapi.json
    install_error_handlers(api, surface)
    return api


def urlpatterns_of(api: NinjaAPI) -> Any:
    """`api`'s routes without ninja's "api-root" view (a 404 at the prefix when there is no
    docs page), so an API mounted at the site root never shadows a page."""
    routes, app_name, namespace = api.urls
    return ([r for r in routes if r.name != "api-root"], app_name, namespace)


def request_body(schema: type[Schema]) -> dict[str, Any]:
    """`openapi_extra` describing a JSON body read by the view itself (so that each mistake
    keeps its own error code instead of ninja's REQUEST_INVALID). `schema` is flat (no nested
    Schema: its definitions would not be in the document's components)."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": schema.model_json_schema(ref_template="#/components/schemas/{model}")}}}}


OTHER_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def not_allowed(router: Router | NinjaAPI, path: str, allowed: tuple[str, ...],
                surface: str = "json") -> None:
    """Any other method on `path`: 405 in the surface's format (`METHOD_NOT_ALLOWED`, or an
    Imsx_StatusInfo `not_allowed`), with `Allow` (ninja's own 405 is a plain text page)."""
    methods = [m for m in OTHER_METHODS if m not in allowed]

    def method_not_allowed(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if surface == "obapi":
            message = f"{request.method} is not allowed here; use {', '.join(allowed)}."
        else:
            message = f"Use {' or '.join(allowed)}."
        response = api_error_response(
            Invalid(message, code="METHOD_NOT_ALLOWED", status=405), surface)
        response["Allow"] = ", ".join(allowed)
        return response

    names = re.findall(r"\{(?:\w+:)?(\w+)\}", path)  # ninja reads the path params from it
    method_not_allowed.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=str) for n in names])
    router.api_operation(methods, path, include_in_schema=False)(method_not_allowed)
