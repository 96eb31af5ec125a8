"""The tool's pages: OIDC login initiation, launch (resource link and deep linking), the deep
linking answer, "check completion", dynamic registration and the owner's registration page.

Launch-side pages are reached from a course platform (a cross-site POST, CSRF-exempt: the
id_token signed by the platform, the OIDC state cookie and the consumed nonce protect them);
they may be framed by that platform only (CSP frame-ancestors from its registration).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from microdegree.catalog.versions import latest_version
from microdegree.institutions import services as inst_services
from microdegree.institutions.errors import DomainError, Invalid, PermissionDenied
from microdegree.lti import services, tool
from microdegree.lti.models import PlatformRegistration, ResourceLink
from microdegree.web.views import domain_errors

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
RESOURCE_LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context"


def _refused(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    error = Invalid(message, code="LTI_LAUNCH_REFUSED", status=status)
    return render(request, "microdegree/error.html", {"error": error}, status=status)


# The library's reasons, said for the person in front of the course (its text follows).
_REASONS = (
    ("Invalid Nonce", _("this launch was used already (its nonce is spent); open the activity "
                        "again from the course")),
    ("State not found", _("it did not start at this tool's login (the state does not match)")),
    ("Registration not found", _("no course platform is registered with this issuer and client "
                                 "ID (the token's audience)")),
    ("Client id not registered", _("no course platform is registered with this issuer and "
                                   "client ID (the token's audience)")),
    ("Unable to find deployment", _("this deployment of the course platform is not "
                                    "registered")),
    ("Signature verification failed", _("its signature does not match the course platform's "
                                        "keys")),
    ("Unable to find public key", _("the course platform's key set has no key for it")),
    ("Missing %s cookie", _("the browser did not send back this tool's cookie from the login "
                            "(open the activity in a new window, or allow the tool's cookies)")),
    ("Could not find registration", _("no course platform is registered with this issuer and "
                                      "client ID")),
)


def _reason(exc: Exception) -> str:
    text = str(exc).strip().rstrip(".")
    for needle, sentence in _REASONS:
        if needle in text:
            return f"{sentence} ({text})"
    return text


def lti_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A launch the library refuses, or a domain error, is a 4xx page with its sentence."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (LtiException, OIDCException) as exc:
            return _refused(request, gettext("The course platform's launch was refused: "
                                             "%(why)s.") % {"why": _reason(exc)})
        except DomainError as exc:
            return _refused(request, exc.message, exc.status)

    return wrapper


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _framable(response: HttpResponse, reg: PlatformRegistration) -> HttpResponse:
    """Only the registered platform may frame the tool's page."""
    origins = sorted({o for o in (_origin(reg.issuer), _origin(reg.auth_login_url)) if o})
    policy = settings.CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors " + (" ".join(origins) or "'none'"))
    response["Content-Security-Policy"] = policy
    return response


def _registration(launch: Any) -> PlatformRegistration:
    claims = launch.get_launch_data()
    reg = tool.ToolConf().row(str(claims.get("iss") or ""), launch.get_client_id())
    if reg is None:  # pragma: no cover - the library found it a moment ago
        raise LtiException("Registration not found")
    return reg


def _is_instructor(launch: Any) -> bool:
    return bool(launch.check_teacher_access() or launch.check_staff_access()
                or launch.check_designer_access() or launch.check_teaching_assistant_access())


@csrf_exempt
@xframe_options_exempt
@lti_errors
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """OIDC third-party initiated login: redirect to the platform's authorization endpoint."""
    target = request.POST.get("target_link_uri") or request.GET.get("target_link_uri") or ""
    launch_url = services.tool_urls()["launch"]
    if target and target.split("?", 1)[0] != launch_url:
        raise Invalid(gettext("The login names a target this tool does not have."),
                      code="LTI_TARGET_INVALID")
    try:
        return tool.oidc_login(request).redirect(launch_url)
    except (LtiException, OIDCException) as exc:
        raise Invalid(gettext("The course platform's login was refused: %(why)s.")
                      % {"why": _reason(exc)}, code="LTI_LOGIN_REFUSED") from exc


@csrf_exempt
@xframe_options_exempt
@lti_errors
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    message = tool.message_launch(request)
    claims = message.get_launch_data()  # validates: signature, iss, aud, deployment, nonce, state
    reg = _registration(message)
    if message.is_deep_link_launch():
        if not _is_instructor(message):
            raise PermissionDenied(gettext("Only the course's instructors choose the "
                                           "microcredential."), code="LTI_NOT_INSTRUCTOR")
        return _framable(render(request, "lti/deep_link.html", {
            "launch_id": message.get_launch_id(), "institution": reg.institution,
            "microcredentials": services.microcredentials(reg.institution)}), reg)
    if not message.is_resource_launch():
        raise Invalid(gettext("This tool handles resource links and deep linking only."),
                      code="LTI_MESSAGE_UNSUPPORTED")
    link = _link(reg, claims)
    return _standing_page(request, message, reg, link, claims)


def _link(reg: PlatformRegistration, claims: dict[str, Any]) -> ResourceLink | None:
    resource = claims.get(RESOURCE_LINK) or {}
    resource_id = str(resource.get("id") or "")
    found = ResourceLink.objects.filter(registration=reg, resource_link_id=resource_id).first()
    custom = claims.get(CUSTOM) or {}
    if found is None and isinstance(custom, dict) and custom.get("microcredential"):
        context = claims.get(CONTEXT) or {}
        found = services.link_resource(
            f"lti:{reg.issuer}", reg, resource_id, slug=str(custom["microcredential"]),
            threshold=custom.get("threshold", "0.6"),
            context_id=str(context.get("id") or ""), context_title=str(context.get("title") or ""))
    return found


def _standing_page(request: HttpRequest, message: Any, reg: PlatformRegistration,
                   link: ResourceLink | None, claims: dict[str, Any]) -> HttpResponse:
    standing = services.check_completion(message, link, claims) if link is not None else None
    return _framable(render(request, "lti/launch.html", {
        "launch_id": message.get_launch_id(), "link": link, "standing": standing,
        "institution": reg.institution,
        "instructor": _is_instructor(message)}), reg)


@csrf_exempt
@xframe_options_exempt
@lti_errors
@require_POST
def deep_link(request: HttpRequest) -> HttpResponse:
    """The instructor's choice: an LtiResourceLink content item signed with the tool key."""
    message = tool.restored_launch(request, request.POST.get("launch_id", ""))
    if not message.is_deep_link_launch() or not _is_instructor(message):
        raise PermissionDenied(gettext("Only the course's instructors choose the "
                                       "microcredential."), code="LTI_NOT_INSTRUCTOR")
    reg = _registration(message)
    definition = services.definition_of(reg.institution, request.POST.get("microcredential", ""))
    threshold = services.parse_threshold(request.POST.get("threshold", "0.6"))
    name = latest_version(definition).name
    item = (DeepLinkResource().set_url(services.tool_urls()["launch"]).set_title(name)
            .set_custom_params({"microcredential": definition.slug,
                                "threshold": str(threshold)})
            .set_lineitem(LineItem().set_score_maximum(100).set_label(name)
                          .set_resource_id(definition.slug)))
    link = message.get_deep_link()
    answer = link.get_response_jwt([item])
    return_url = message.get_launch_data()[
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"][
        "deep_link_return_url"]
    return _framable(render(request, "lti/deep_link_return.html", {
        "return_url": return_url, "jwt": answer, "name": name}), reg)


@csrf_exempt
@xframe_options_exempt
@lti_errors
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    """"Check completion": read the learner's result again and award when it passes."""
    message = tool.restored_launch(request, request.POST.get("launch_id", ""))
    if not message.is_resource_launch():
        raise Invalid(gettext("This launch is not an activity."), code="LTI_MESSAGE_UNSUPPORTED")
    reg = _registration(message)
    claims = message.get_launch_data()
    return _standing_page(request, message, reg, _link(reg, claims), claims)


# --- registration ----------------------------------------------------------------------------


@xframe_options_exempt
@lti_errors
@require_GET
def register(request: HttpRequest, token: str) -> HttpResponse:
    """LTI Dynamic Registration: the platform opens the owner's one-time link with
    `openid_configuration` and `registration_token`; the tool registers at once (the protocol's
    design) and tells the platform's window it is done."""
    config = request.GET.get("openid_configuration", "")
    if not config:
        raise Invalid(gettext("The course platform opens this page with its "
                              "openid_configuration address."), code="LTI_REGISTRATION_INVALID")
    reg = services.register_by_invite(token, config,
                                      request.GET.get("registration_token", ""))
    return _framable(render(request, "lti/registered.html", {"institution": reg.institution,
                                                             "registration": reg}), reg)


class ManualForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("For you, for example 'Moodle of the Faculty of Science'."))
    issuer = forms.CharField(label=_("Issuer (platform ID)"), max_length=500)
    client_id = forms.CharField(label=_("Client ID"), max_length=300)
    auth_login_url = forms.CharField(label=_("Authentication request URL"), max_length=2000)
    auth_token_url = forms.CharField(label=_("Access token URL"), max_length=2000)
    key_set_url = forms.CharField(label=_("Public keyset URL"), max_length=2000)
    deployment_ids = forms.CharField(label=_("Deployment IDs"), max_length=2000,
                                     help_text=_("One or more, separated by spaces or commas."))


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def platforms(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution's course platforms; owners register one by hand or remove one."""
    inst = inst_services.institution_for(request.user, slug, role="viewer")
    form = ManualForm()
    if request.method == "POST":
        inst = inst_services.institution_for(request.user, slug, role="owner")
        if "invite" in request.POST:
            _invite, token = services.create_invite(request.user, inst)
            context = _page(request, inst, form)
            context["invite_url"] = services.invite_url(token)
            return render(request, "lti/platforms.html", context)
        if "remove" in request.POST:
            reg = PlatformRegistration.objects.filter(institution=inst,
                                                      pk=request.POST["remove"]).first()
            if reg is None:
                raise Invalid(gettext("No such platform."), code="NOT_FOUND", status=404)
            services.remove_registration(request.user, reg)
            return redirect("lti-platforms", slug=inst.slug)
        form = ManualForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            ids = [d for d in data["deployment_ids"].replace(",", " ").split() if d]
            try:
                services.register_manually(request.user, inst, name=data["name"],
                                           issuer=data["issuer"], client_id=data["client_id"],
                                           auth_login_url=data["auth_login_url"],
                                           auth_token_url=data["auth_token_url"],
                                           key_set_url=data["key_set_url"], deployment_ids=ids)
            except (Invalid, DomainError) as exc:
                form.add_error(None, exc.message)
                return render(request, "lti/platforms.html", _page(request, inst, form),
                              status=exc.status)
            messages.success(request, gettext("The course platform is registered."))
            return redirect("lti-platforms", slug=inst.slug)
        return render(request, "lti/platforms.html", _page(request, inst, form), status=400)
    return render(request, "lti/platforms.html", _page(request, inst, form))


def _page(request: HttpRequest, inst: Any, form: ManualForm) -> dict[str, Any]:
    role = inst_services.role_of(request.user, inst)
    return {"institution": inst, "form": form, "urls": services.tool_urls(),
            "invite_days": services.INVITE_DAYS,
            "platforms": PlatformRegistration.objects.filter(institution=inst).order_by("pk"),
            "is_owner": bool(request.user.is_superuser) or role == "owner"}
