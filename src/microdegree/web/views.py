"""Site-wide pages: home, the staff dashboard, an institution's overview, registration, tokens.

Views parse, call a service and render; tenant data is reached only through
`institutions.services.institution_for` (the same 404 for "missing" and "not yours").
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from microdegree.base.notify import language_choices
from microdegree.bulk.models import BulkJob
from microdegree.catalog.models import AchievementDefinition
from microdegree.http_errors import page_errors
from microdegree.institutions import services as inst_services
from microdegree.institutions.errors import DomainError, NotFound
from microdegree.institutions.models import Institution, Membership
from microdegree.issuing import services as issuing_services
from microdegree.issuing.models import ApiToken, IssuedCredential, PendingMicrodegree
from microdegree.records.models import ReissueRequest
from microdegree.web.chart import issued_chart

State = IssuedCredential.State


# DomainErrors (NotFound, PermissionDenied, ...) become a 4xx page with their sentence.
domain_errors = page_errors()


def home(request: HttpRequest) -> HttpResponse:
    institutions = Institution.objects.filter(status=Institution.Status.APPROVED)[:20]
    return render(request, "microdegree/home.html", {"institutions": institutions})


# --- the dashboard --------------------------------------------------------------------------


def _is_platform_staff(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The institutions the user works for (platform staff: all, and those awaiting approval)."""
    user = request.user
    staff = _is_platform_staff(user)
    roles = dict(Membership.objects.filter(user=user).values_list("institution_id", "role"))
    if staff:
        institutions = list(Institution.objects.all())
    else:
        institutions = list(Institution.objects.filter(pk__in=roles))
    # Platform staff see every institution to approve it; only members and superusers open one.
    rows = [{"institution": inst, "role": roles.get(inst.pk, "platform staff"), "issued": 0,
             "can_open": inst.pk in roles or user.is_superuser} for inst in institutions]
    totals = _issued_totals(institutions)
    waiting = _reissue_waiting([i for i in institutions
                                if user.is_superuser or roles.get(i.pk) in ("issuer", "owner")])
    for row in rows:
        row["issued"] = totals.get(row["institution"].pk, 0)
        # re-issue requests only for those who decide them (issuers, owners)
        row["reissue_waiting"] = waiting.get(row["institution"].pk)
    pending = [i for i in institutions if i.status == Institution.Status.PENDING] if staff else []
    for inst in pending:  # duplicates and look-alikes of other institutions' names, named
        inst.similar = inst_services.similar_institutions(inst.name, exclude=inst)  # type: ignore[attr-defined]
    return render(request, "microdegree/dashboard.html", {
        "rows": rows, "pending": pending, "is_platform_staff": staff,
    })


def _reissue_waiting(institutions: list[Institution]) -> dict[int, int]:
    """institution id -> re-issue requests waiting (every one listed, 0 included)."""
    counts = dict(ReissueRequest.objects.filter(institution__in=institutions,
                                                state=ReissueRequest.State.PENDING)
                  .values("institution_id").annotate(n=Count("id"))
                  .values_list("institution_id", "n"))
    return {inst.pk: counts.get(inst.pk, 0) for inst in institutions}


def _issued_totals(institutions: list[Institution]) -> dict[int, int]:
    return dict(IssuedCredential.objects.filter(institution__in=institutions)
                .values("institution_id").annotate(n=Count("id"))
                .values_list("institution_id", "n"))


@login_required
@domain_errors
def institution_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """One institution at a glance: the chart, counts, recent awards, jobs, microdegrees."""
    inst = inst_services.institution_for(request.user, slug, role="viewer")
    creds = IssuedCredential.objects.filter(institution=inst)
    counts = {
        "issued": creds.count(),
        "active": creds.filter(state=State.ACTIVE).count(),
        "revoked": creds.filter(state=State.REVOKED).count(),
        "suspended": creds.filter(state=State.SUSPENDED).count(),
    }
    related = ("achievement_version", "achievement_version__definition")
    microdegrees = creds.filter(
        achievement_version__definition__kind=AchievementDefinition.Kind.MICRODEGREE)
    role = inst_services.role_of(request.user, inst)
    can_issue = bool(request.user.is_superuser) or role in ("issuer", "owner")
    return render(request, "microdegree/institution.html", {
        "institution": inst,
        "role": role or ("platform staff" if request.user.is_superuser else ""),
        "can_issue": can_issue,
        "is_owner": bool(request.user.is_superuser) or role == "owner",
        "chart": issued_chart(inst, request.GET.get("by", "week")),
        "counts": counts,
        "recent": creds.select_related(*related)[:10],
        "jobs": BulkJob.objects.filter(institution=inst).filter(
            state__in=[BulkJob.State.VALIDATED, BulkJob.State.QUEUED, BulkJob.State.RUNNING],
        ).select_related(*related)[:20],
        "completions": microdegrees.select_related(*related)[:10],
        "completion_count": microdegrees.count(),
        "pending_microdegrees": PendingMicrodegree.objects.filter(
            institution=inst, state=PendingMicrodegree.State.PENDING,
        ).select_related(*related)[:10],
        "definitions": AchievementDefinition.objects.filter(institution=inst).count(),
        "reissue_waiting": ReissueRequest.objects.filter(
            institution=inst, state=ReissueRequest.State.PENDING).count() if can_issue else 0,
    })


class SettingsForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the institution's e-mails"), choices=language_choices,
        help_text=_("New credit applications, re-issue requests and changed achievements that "
                    "your agreements name are e-mailed to your staff in this language."))


@login_required
@domain_errors
@require_http_methods(["GET", "HEAD", "POST"])
def institution_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution's settings (owners): the language of its e-mails (issue 16, point 13)."""
    inst = inst_services.institution_for(request.user, slug, role="owner")
    form = SettingsForm(request.POST or None, initial={"language": inst.language})
    if request.method == "POST" and form.is_valid():
        inst_services.update_institution(request.user, inst,
                                         language=form.cleaned_data["language"])
        messages.success(request, gettext("Saved."))
        return redirect("institution-settings", slug=inst.slug)
    return render(request, "microdegree/institution_settings.html",
                  {"institution": inst, "form": form}, status=400 if form.errors else 200)


@login_required
@domain_errors
@require_POST
def approve(request: HttpRequest, slug: str) -> HttpResponse:
    """Platform staff approve a pending institution (others get the same 404 as a typo)."""
    if not _is_platform_staff(request.user):
        raise NotFound(gettext("No such institution."))
    inst = Institution.objects.filter(slug=slug).first()
    if inst is None:
        raise NotFound(gettext("No such institution."))
    inst_services.approve_institution(request.user, inst)
    messages.success(request, gettext("%(name)s is approved: it can now award credentials.")
                     % {"name": inst.name})
    return redirect("dashboard")


# --- registration ---------------------------------------------------------------------------


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Name of the institution"), max_length=200)
    country_code = forms.CharField(
        label=_("Country"), min_length=2, max_length=2,
        help_text=_("The two-letter ISO 3166 code, for example NL, DE or US."),
    )
    slug = forms.SlugField(
        label=_("Address (optional)"), required=False, max_length=60,
        help_text=_("Part of your issuer DID and web addresses; made from the name if left "
                    "empty."),
    )
    url = forms.URLField(label=_("Web site"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("Contact e-mail"), required=False)
    description = forms.CharField(label=_("Description"),
                                  widget=forms.Textarea(attrs={"rows": 3}), required=False)
    did_method = forms.ChoiceField(
        label=_("Issuer identifier"), initial="web", required=False,
        choices=[("web", _("did:web on this platform (recommended: it survives a new key)")),
                 ("key", _("did:key (the signing key itself; a new key means a new "
                           "identifier)"))],
        help_text=_("What your credentials name as their issuer. Choose did:key if this "
                    "platform has no stable web address."))
    confirm_distinct = forms.BooleanField(
        label=_("This is a different institution: register it under this name anyway"),
        required=False)


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    similar: list[tuple[Institution, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        similar = inst_services.similar_institutions(data["name"])
        slug_taken = Institution.objects.filter(
            slug=slugify(data["slug"] or data["name"])[:60]).exists()  # that error first
        if similar and not data["confirm_distinct"] and not slug_taken:
            # a duplicate or a look-alike (another script's letters): the registrant sees it
            # and confirms; the platform admin is warned again on the approval list
            return render(request, "microdegree/register.html",
                          {"form": form, "similar": similar, "ask_confirm": True})
        try:
            inst = inst_services.register_institution(
                request.user, name=data["name"], country_code=data["country_code"],
                owner=request.user, slug=data["slug"] or None, url=data["url"],
                email=data["email"], description=data["description"],
                did_method=data["did_method"] or "web",
            )
        except DomainError as exc:
            form.add_error("slug" if "SLUG" in exc.code else None, exc.message)
        else:
            messages.success(request, gettext(
                "%(name)s is registered. A platform administrator approves it before it can "
                "award credentials; meanwhile you can set up its catalogue.") % {
                "name": inst.name})
            return redirect("institution-overview", slug=inst.slug)
    return render(request, "microdegree/register.html",
                  {"form": form, "similar": similar, "ask_confirm": bool(similar)})


# --- API tokens -----------------------------------------------------------------------------


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100,
                           help_text=_("What uses it, for example 'LMS integration'."))
    role = forms.ChoiceField(label=_("Role"), choices=ApiToken.Role.choices,
                             initial=ApiToken.Role.ISSUER)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest, slug: str) -> HttpResponse:
    """List the API tokens; owners create (the value is shown once) and revoke them."""
    inst = inst_services.institution_for(request.user, slug, role="issuer")
    form = TokenForm()
    raw = None
    if request.method == "POST":
        inst = inst_services.institution_for(request.user, slug, role="owner")
        if "revoke" in request.POST:
            token = ApiToken.objects.filter(institution=inst, pk=request.POST["revoke"],
                                            revoked_at__isnull=True).first()
            if token is None:
                raise NotFound(gettext("No such token."))
            issuing_services.revoke_api_token(request.user, token)
            messages.success(request, gettext("The token %(name)s no longer works.")
                             % {"name": token.name})
            return redirect("institution-api-tokens", slug=inst.slug)
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, raw = issuing_services.create_api_token(
                request.user, inst, form.cleaned_data["name"], role=form.cleaned_data["role"])
            form = TokenForm()
    role = inst_services.role_of(request.user, inst)
    return render(request, "microdegree/api_tokens.html", {
        "institution": inst, "tokens": ApiToken.objects.filter(institution=inst),
        "form": form, "raw": raw, "is_owner": bool(request.user.is_superuser) or role == "owner",
    })
