"""Pages of the Open Badges API: the consent page (the toolkit's authorize view in our layout,
learners sign in through the records sign-in), Connected apps with revoke, the pull from
another host, and the privacy page the discovery document names."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView

from microdegree.obapi import client, scopes, services
from microdegree.obapi.models import ClientMetadata
from microdegree.records.services import RecordError
from microdegree.vc.urls import UrlError, parse_url

LOGIN = "/me/login"
RESUME_KEY = "obapi_authorize"
RESUME_PATH = "/ims/ob/v3p0/authorize/resume"

learner_required = login_required(login_url=LOGIN)


def with_issuer(uri: str, request: HttpRequest) -> str:
    """`uri` with the RFC 9207 `iss` parameter (this server's issuer identifier, the same in
    every authorization response, errors included), replacing any `iss` already there."""
    issuer = oauth2_settings.oauth2_authorization_server_issuer(request)
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "iss"]
    query.append(("iss", issuer))
    return urlunsplit(parts._replace(query=urlencode(query)))


class ConsentView(AuthorizationView):
    """The toolkit's authorization endpoint with PKCE S256 enforced before consent."""

    template_name = "obapi/authorize.html"
    login_url = LOGIN

    def handle_no_permission(self) -> HttpResponse:
        # The full authorize URL is longer than a sign-in link may carry: keep it in the
        # session and come back to it through a short path.
        if "none" in self.request.GET.get("prompt", "").split():
            return super().handle_no_permission()  # type: ignore[no-any-return]
        self.request.session[RESUME_KEY] = self.request.get_full_path()
        return redirect(f"{LOGIN}?{urlencode({'next': RESUME_PATH})}")

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        # every redirect back to the client is an authorization response: success or error
        return super().redirect(  # type: ignore[no-any-return]
            with_issuer(redirect_to, self.request), application)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The toolkit parses redirect_uri with urllib, which raises on `https://[::1` or a
        # port of 99999: every URL from outside goes through parse_url first.
        uri = request.POST.get("redirect_uri") if request.method == "POST" else None
        uri = uri if uri is not None else request.GET.get("redirect_uri")
        if uri:
            try:
                parse_url(uri, allow_fragment=False, what="The redirect URI")
            except UrlError as exc:
                return render(request, "obapi/authorize.html",
                              {"error": {"error": "invalid_request",
                                         "description": exc.message}}, status=400)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("code_challenge_method") != "S256" or not request.GET.get(
                "code_challenge"):
            return self._pkce_refused(request)
        return super().get(request, *args, **kwargs)  # type: ignore[no-any-return]

    def _pkce_refused(self, request: HttpRequest) -> HttpResponse:
        description = "PKCE is required: send code_challenge with code_challenge_method=S256."
        app = get_application_model().objects.filter(
            client_id=request.GET.get("client_id", "")).first()
        uri = request.GET.get("redirect_uri", "")
        if app is not None and uri and app.redirect_uri_allowed(uri):
            params = {"error": "invalid_request", "error_description": description}
            if request.GET.get("state"):
                params["state"] = request.GET["state"]
            return HttpResponseRedirect(with_issuer(
                f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}", request))
        return render(request, "obapi/authorize.html",
                      {"error": {"error": "invalid_request", "description": description}},
                      status=400)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["plain_scopes"] = scopes.describe(" ".join(kwargs.get("scopes") or []))
        app = kwargs.get("application")
        context["metadata"] = (ClientMetadata.objects.filter(application=app).first()
                               if app is not None else None)
        return context


@learner_required
@require_GET
def resume_authorize(request: HttpRequest) -> HttpResponse:
    """Back from signing in: on to the authorize URL kept in the session."""
    path = request.session.pop(RESUME_KEY, "")
    if not isinstance(path, str) or not path.startswith("/ims/ob/v3p0/authorize?"):
        return redirect("/me/")
    return redirect(path)


@learner_required
@require_http_methods(["GET", "POST"])
def connected_apps(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            app_id = int(request.POST.get("application", ""))
        except ValueError:
            app_id = 0
        try:
            services.revoke_client(request.user, app_id)
        except RecordError as exc:
            return render(request, "records/error.html", {"error": exc}, status=exc.status)
        messages.success(request, _("The app's access to your record has ended."))
        return redirect("obapi:connected-apps")
    clients = [{**entry, "plain_scopes": scopes.describe(" ".join(sorted(entry["scopes"])))}
               for entry in services.connected_clients(request.user)]
    return render(request, "obapi/connected_apps.html", {"clients": clients})


@learner_required
@require_http_methods(["GET", "POST"])
def pull(request: HttpRequest) -> HttpResponse:
    """Connect another Open Badges host and bring its credentials into the record."""
    base_url = ""
    error = ""
    if request.method == "POST":
        base_url = request.POST.get("base_url", "").strip()
        if not base_url.startswith(("https://", "http://")):
            error = _("Give the other host's address, starting with https://.")
        else:
            try:
                _host, url = client.start_pull(request.user, base_url)
            except client.PullError as exc:
                error = exc.message
            else:
                return HttpResponseRedirect(url)
    return render(request, "obapi/pull.html", {"base_url": base_url, "error": error},
                  status=400 if error else 200)


@learner_required
@require_GET
def pull_callback(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if request.GET.get("error"):
        message = _("The other host did not give access (%(error)s).") % {
            "error": request.GET.get("error_description") or request.GET["error"]}
        return render(request, "obapi/pull.html", {"error": message}, status=400)
    try:
        result = client.finish_pull(request.user, state, request.GET.get("code", ""))
    except client.PullError as exc:
        return render(request, "obapi/pull.html", {"error": exc.message}, status=400)
    return render(request, "obapi/pulled.html", {"result": result})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "obapi/privacy.html")
