"""Pages: award form, credential list and detail with status actions, approvals, status lists,
claim links. Views parse, call services and render; DomainErrors become 4xx pages."""

from __future__ import annotations

import functools
import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from microdegree.catalog import services as catalog_services
from microdegree.catalog.models import AchievementDefinition, AchievementVersion
from microdegree.http_errors import page_errors
from microdegree.institutions import services as inst_services
from microdegree.issuing import mail, services, statuslists
from microdegree.issuing.errors import DomainError, NotFound
from microdegree.issuing.models import IssuedCredential, PendingMicrodegree, StatusList

CONTENT_TYPE = "application/vc+ld+json"


@functools.cache
def base_template() -> str:
    """The site's base template once the web app provides it, else issuing's minimal one."""
    try:
        get_template("microdegree/base.html")
    except TemplateDoesNotExist:
        return "issuing/base.html"
    return "microdegree/base.html"


def _render(request: HttpRequest, template: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    return render(request, template, {"base_template": base_template(), **context},
                  status=status)


domain_errors = page_errors("issuing/error.html",
                            context=lambda request: {"base_template": base_template()})


# --- award ----------------------------------------------------------------------------------


class AwardForm(forms.Form):
    recipient_email = forms.EmailField(label=_("Recipient e-mail"))
    recipient_name = forms.CharField(label=_("Recipient name"), required=False, max_length=200)
    recipient_identifier = forms.CharField(label=_("Other identifier (student number)"),
                                           required=False, max_length=200)
    narrative = forms.CharField(label=_("Narrative"),
                                widget=forms.Textarea(attrs={"rows": 3}), required=False)
    result = forms.CharField(label=_("Result / grade"), required=False, max_length=100)
    evidence_url = forms.URLField(label=_("Evidence URL"), required=False, max_length=500,
                                   assume_scheme="https")
    credits_earned = forms.FloatField(label=_("Credits earned"), required=False, min_value=0)
    activity_start = forms.DateField(label=_("Activity start"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    activity_end = forms.DateField(label=_("Activity end"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, version: AchievementVersion | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if version is None:
            return
        if version.credits_available is not None:  # the service refuses more: say it up front
            self.fields["credits_earned"].help_text = gettext(
                "At most %(credits)s (what “%(name)s” offers).") % {
                "credits": f"{version.credits_available:g}", "name": version.name}
        if version.grade_scheme:
            self.fields["result"].help_text = gettext("Grading scheme: %(scheme)s") % {
                "scheme": version.grade_scheme}


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def award(request: HttpRequest, slug: str, definition: str) -> HttpResponse:
    inst = inst_services.institution_for(request.user, slug, role="issuer")
    found = AchievementDefinition.objects.filter(institution=inst, slug=definition).first()
    if found is None:
        raise NotFound(gettext("No such achievement."))
    version = catalog_services.latest_version(found)
    form = AwardForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            cred = services.issue_credential(request.user, version, **form.cleaned_data)
        except services.OutsideAchievement as exc:  # shown on its field
            form.add_error(exc.field, exc.message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("Awarded %(name)s to %(email)s.") % {
                "name": version.name, "email": cred.recipient_email})
            return redirect("issuing:detail", slug=inst.slug, cred=cred.uuid)
    return _render(request, "issuing/award.html",
                   {"institution": inst, "version": version, "form": form},
                   status=400 if request.method == "POST" else 200)


# --- list and detail ------------------------------------------------------------------------


@login_required
@domain_errors
def credential_list(request: HttpRequest, slug: str) -> HttpResponse:
    inst = inst_services.institution_for(request.user, slug)
    qs = IssuedCredential.objects.filter(institution=inst).select_related(
        "achievement_version", "achievement_version__definition"
    )
    state = request.GET.get("state", "")
    if state in IssuedCredential.State.values:
        qs = qs.filter(state=state)
    achievement = request.GET.get("achievement", "")
    if achievement:
        qs = qs.filter(achievement_version__definition__slug=achievement)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(recipient_email__icontains=query)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    role = inst_services.role_of(request.user, inst)
    definitions = []  # by the latest version's name (catalogue: one query)
    for version in catalog_services.catalogue(inst):
        version.definition.display_name = version.name
        definitions.append(version.definition)
    return _render(request, "issuing/list.html", {
        "can_award": request.user.is_superuser or role in ("issuer", "owner"),
        "institution": inst, "page": page, "state": state, "achievement": achievement,
        "q": query, "states": IssuedCredential.State.choices,
        "definitions": definitions,
        "award_definitions": [d for d in definitions if d.kind == "microcredential"],
        "pending_count": PendingMicrodegree.objects.filter(
            institution=inst, state=PendingMicrodegree.State.PENDING).count(),
    })


@login_required
@domain_errors
def credential_detail(request: HttpRequest, slug: str, cred: str) -> HttpResponse:
    credential = services.credential_for(request.user, slug, cred)
    role = inst_services.role_of(request.user, credential.institution)
    can_write = request.user.is_superuser or role in ("issuer", "owner")
    # No claim link here: it is for the recipient's mailbox only (it may create their record);
    # those who may award may send the award e-mail again instead.
    return _render(request, "issuing/detail.html", {
        "institution": credential.institution, "credential": credential,
        "can_write": can_write, "pretty_document": pretty_json(credential.document),
        "suspension_embedded": '"statusPurpose":"suspension"' in credential.document,
        "confirm_revoke": CONFIRM_REVOKE,
        "components": credential.components.select_related("achievement_version"),
        "part_of": credential.part_of.select_related("achievement_version"),
    })


def pretty_json(document: str) -> str:
    """The signed JSON indented for reading (the proof covers the data, not its whitespace:
    both suites canonicalise first); the stored text as it is if it does not parse."""
    try:
        return json.dumps(json.loads(document), indent=2, ensure_ascii=False)
    except ValueError:
        return document


@login_required
@domain_errors
def credential_json(request: HttpRequest, slug: str, cred: str) -> HttpResponse:
    credential = services.credential_for(request.user, slug, cred)
    response = HttpResponse(credential.document, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{credential.uuid}.json"'
    return response


@login_required
@require_POST
@domain_errors
def credential_resend(request: HttpRequest, slug: str, cred: str) -> HttpResponse:
    """Send the award e-mail again (a fresh claim link): issuers and owners, not viewers."""
    credential = services.credential_for(request.user, slug, cred, role="issuer")
    try:
        services.resend_award_email(request.user, credential)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext(
            "The award e-mail was sent again to %(email)s, with a new claim link.")
            % {"email": credential.recipient_email})
    return redirect("issuing:detail", slug=slug, cred=credential.uuid)


# Revoking is not among them: it is permanent, so it has its own confirmation step
# (`credential_revoke`).
ACTIONS = {"suspend": services.suspend, "unsuspend": services.unsuspend}
STATE_MESSAGES = {"active": _("The credential is now active."),
                  "suspended": _("The credential is now suspended."),
                  "revoked": _("The credential is now revoked.")}


@login_required
@require_POST
@domain_errors
def credential_action(request: HttpRequest, slug: str, cred: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound(gettext("No such action."))
    credential = services.credential_for(request.user, slug, cred, role="issuer")
    try:
        ACTIONS[action](request.user, credential, request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("issuing:detail", slug=slug, cred=credential.uuid)
    done = STATE_MESSAGES.get(credential.state)
    messages.success(request, str(done) if done else f"The credential is now {credential.state}.")
    return redirect("issuing:detail", slug=slug, cred=credential.uuid)


CONFIRM_REVOKE = "permanent"


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def credential_revoke(request: HttpRequest, slug: str, cred: str) -> HttpResponse:
    """Revoking, confirmed: GET shows what revoking means (permanent; every verifier sees it)
    and asks for the reason; only a POST from that page (`confirm=permanent`) revokes. Any
    other POST, such as one click on an old form, shows the same page and changes nothing."""
    credential = services.credential_for(request.user, slug, cred, role="issuer")
    error = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("confirm") != CONFIRM_REVOKE:
            error = gettext("Nothing was revoked: confirm on this page.")
        elif not reason:
            error = gettext("Give the reason for revoking: it is kept in the audit log.")
        else:
            try:
                services.revoke(request.user, credential, reason)
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, str(STATE_MESSAGES["revoked"]))
                return redirect("issuing:detail", slug=slug, cred=credential.uuid)
    return _render(request, "issuing/revoke.html", {
        "institution": credential.institution, "credential": credential, "error": error,
        "confirm": CONFIRM_REVOKE, "reason": request.POST.get("reason", ""),
        "part_of": credential.part_of.select_related("achievement_version"),
    }, status=400 if error else 200)


@login_required
@require_POST
@domain_errors
def credential_reissue(request: HttpRequest, slug: str, cred: str) -> HttpResponse:
    credential = services.credential_for(request.user, slug, cred, role="issuer")
    if request.POST.get("confirm") != CONFIRM_REVOKE:  # it revokes this one: confirmed too
        messages.error(request, gettext("Nothing was re-issued: tick the box that says the "
                                        "current credential is revoked permanently."))
        return redirect("issuing:detail", slug=slug, cred=credential.uuid)
    try:
        new = services.reissue(
            request.user, credential, reason=request.POST.get("reason", ""),
            recipient_email=request.POST.get("recipient_email", "").strip() or None,
            recipient_name=request.POST.get("recipient_name", "").strip() or None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("issuing:detail", slug=slug, cred=credential.uuid)
    messages.success(request, gettext("Re-issued; the old credential is revoked and points to "
                                      "this one."))
    return redirect("issuing:detail", slug=slug, cred=new.uuid)


# --- microdegree approvals ------------------------------------------------------------------


@login_required
@domain_errors
def pending_list(request: HttpRequest, slug: str) -> HttpResponse:
    inst = inst_services.institution_for(request.user, slug)
    pending = PendingMicrodegree.objects.filter(
        institution=inst, state=PendingMicrodegree.State.PENDING
    ).select_related("achievement_version").prefetch_related("components")
    return _render(request, "issuing/pending.html", {"institution": inst, "pending": pending})


@login_required
@require_POST
@domain_errors
def pending_decide(request: HttpRequest, slug: str, pk: int, decision: str) -> HttpResponse:
    inst = inst_services.institution_for(request.user, slug, role="issuer")
    pending = PendingMicrodegree.objects.filter(institution=inst, pk=pk).first()
    if pending is None or decision not in ("approve", "reject"):
        raise NotFound(gettext("No such approval."))
    try:
        if decision == "approve":
            cred = services.approve_microdegree(request.user, pending)
            messages.success(request, gettext("Awarded %(name)s.") % {
                "name": cred.achievement_version.name})
        else:
            services.reject_microdegree(request.user, pending, request.POST.get("reason", ""))
            messages.success(request, gettext("Rejected."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("issuing:pending", slug=inst.slug)


# --- public: status lists and claim links ---------------------------------------------------


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def status_list(request: HttpRequest, inst_slug: str, purpose: str, sequence: int
                ) -> HttpResponse:
    """`/status/<institution>/<purpose>/<n>`: the signed list, fresh after every change."""
    response: HttpResponse
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Accept, If-None-Match"
        response["Access-Control-Max-Age"] = "86400"
    else:
        found: StatusList | None = None
        if purpose in StatusList.Purpose.values:
            found = statuslists.find_list(inst_slug, purpose, sequence)
        if found is None:
            response = HttpResponse(
                '{"code": "NOT_FOUND", "message": "No such status list."}',
                status=404, content_type="application/json",
            )
        else:
            text, etag = statuslists.published(found)
            if etag in _etags(request.headers.get("If-None-Match", "")):
                response = HttpResponse(status=304)
            else:
                response = HttpResponse(text, content_type=CONTENT_TYPE)
            response["ETag"] = etag
            response["Cache-Control"] = f"public, max-age={statuslists.TTL_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag"
    return response


def _etags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


@require_http_methods(["GET", "HEAD"])
def claim(request: HttpRequest, token: str) -> HttpResponse:
    """The recipient's landing page from the award e-mail (public: the token is the secret)."""
    try:
        cred_uuid = mail.check_claim_token(token)
    except mail.ClaimLinkError as exc:
        return _render(request, "issuing/error.html",
                       {"error": DomainError(exc.message, code=f"CLAIM_LINK_{exc.code}",
                                             status=410 if exc.code == "EXPIRED" else 404)},
                       status=410 if exc.code == "EXPIRED" else 404)
    credential = (IssuedCredential.objects.select_related("institution", "achievement_version")
                  .filter(uuid=cred_uuid).first())
    if credential is None:
        return _render(request, "issuing/error.html",
                       {"error": NotFound(
                           gettext("This claim link is not valid (or has expired)."))},
                       status=404)
    if request.GET.get("format") == "json":
        response = HttpResponse(credential.document, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{credential.uuid}.json"'
        return response
    return _render(request, "issuing/claim.html", {
        "credential": credential, "institution": credential.institution,
        "download_url": reverse("issuing:claim", kwargs={"token": token}) + "?format=json",
        "record_url": f"/me/claim/{token}",
    })
