"""Owners manage their staff (`/institutions/SLUG/staff/`), invitees accept
(`/invitations/TOKEN`), and owners read the institution's audit log
(`/institutions/SLUG/audit/`). Views parse, call `institutions.staff` and render."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from microdegree.audit.models import AuditEntry
from microdegree.http_errors import page_errors
from microdegree.institutions import services as inst_services
from microdegree.institutions import staff
from microdegree.institutions.errors import DomainError
from microdegree.institutions.models import Institution, Membership

domain_errors = page_errors()

ROLE_CHOICES = [
    ("viewer", _("Viewer (reads)")),
    ("issuer", _("Issuer (also awards and revokes)")),
    ("owner", _("Owner (also manages staff and settings)")),
]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial="issuer")


def _owned(request: HttpRequest, slug: str) -> Institution:
    return inst_services.institution_for(request.user, slug, role="owner")


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def staff_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The members with their roles, the pending invitations, and the invite form."""
    inst = _owned(request, slug)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation, sent = staff.invite(request.user, inst, form.cleaned_data["email"],
                                                form.cleaned_data["role"])
            except DomainError as exc:
                form.add_error("email", exc.message)
            else:
                if sent:
                    messages.success(request, gettext(
                        "Invitation sent to %(email)s. The link works for %(days)d days.")
                        % {"email": invitation.email, "days": staff.INVITATION_DAYS})
                else:
                    messages.error(request, gettext(
                        "The invitation to %(email)s is saved, but the e-mail could not be "
                        "sent: invite the address again later.") % {"email": invitation.email})
                return redirect("institution-staff", slug=inst.slug)
        status = 400
    members = (Membership.objects.filter(institution=inst).select_related("user")
               .order_by("user__email"))
    owners = sum(1 for m in members if m.role == Membership.Role.OWNER)
    return render(request, "microdegree/staff.html", {
        "institution": inst, "members": members, "form": form, "role_choices": ROLE_CHOICES,
        "invitations": staff.pending_invitations(inst), "owner_count": owners,
        "role_labels": staff.ROLE_LABELS, "days": staff.INVITATION_DAYS,
    }, status=status)


def _owner_action(request: HttpRequest, slug: str, act: Callable[[Institution], Any],
                  said: Callable[[Any], str]) -> tuple[Institution, Any]:
    """Run one owner's change; its sentence (or the refusal's) becomes a message. A member or
    invitation of another institution stays the same 404 as a missing one."""
    inst = _owned(request, slug)
    try:
        done = act(inst)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return inst, None
    messages.success(request, said(done))
    return inst, done


@login_required
@require_POST
@domain_errors
def staff_role(request: HttpRequest, slug: str, member: int) -> HttpResponse:
    inst, changed = _owner_action(
        request, slug,
        lambda inst: staff.change_role(request.user, inst, member, request.POST.get("role", "")),
        lambda m: gettext("%(email)s is now %(role)s.") % {
            "email": m.user.email, "role": staff.ROLE_LABELS[Membership.Role(m.role)]})
    if changed is not None and changed.user == request.user \
            and changed.role != Membership.Role.OWNER:
        return redirect("institution-overview", slug=inst.slug)  # no longer an owner
    return redirect("institution-staff", slug=inst.slug)


@login_required
@require_POST
@domain_errors
def staff_remove(request: HttpRequest, slug: str, member: int) -> HttpResponse:
    inst, removed = _owner_action(
        request, slug, lambda inst: staff.remove(request.user, inst, member),
        lambda m: gettext("%(email)s no longer works for %(name)s.") % {
            "email": m.user.email, "name": m.institution.name})
    if removed is not None and removed.user == request.user:
        return redirect("dashboard")
    return redirect("institution-staff", slug=inst.slug)


@login_required
@require_POST
@domain_errors
def invitation_revoke(request: HttpRequest, slug: str, invitation: int) -> HttpResponse:
    inst, _withdrawn = _owner_action(
        request, slug, lambda inst: staff.revoke_invitation(request.user, inst, invitation),
        lambda i: gettext("The invitation to %(email)s is withdrawn: its link no longer "
                          "works.") % {"email": i.email})
    return redirect("institution-staff", slug=inst.slug)


# --- accepting ------------------------------------------------------------------------------


class NewAccountForm(forms.Form):
    name = forms.CharField(label=_("Your name (optional)"), required=False, max_length=150)
    password1 = forms.CharField(label=_("Choose a password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("The password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", gettext("The two passwords differ."))
        return data


@domain_errors
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's page: accept when signed in as the invited address; sign in first when
    that address has an account; else choose a password, which creates the staff account."""
    invitation = staff.invitation_for_token(token)
    user = request.user
    signed_in = bool(getattr(user, "is_authenticated", False))
    account = staff.account_for(invitation)
    form = NewAccountForm(request.POST or None) if not signed_in and account is None else None
    status = 200
    if request.method == "POST":
        try:
            if signed_in:
                staff.accept(user, token)
            elif form is not None and form.is_valid():
                user, _member = staff.accept_with_new_password(
                    token, form.cleaned_data["password1"], name=form.cleaned_data["name"])
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                status = 400
        except DomainError as exc:
            if form is None or exc.code not in ("PASSWORD_INVALID",):
                raise
            form.add_error("password1", exc.message)
            status = 400
        if status == 200:
            messages.success(request, gettext("Welcome: you now work for %(name)s.")
                             % {"name": invitation.institution.name})
            return redirect("institution-overview", slug=invitation.institution.slug)
    return render(request, "microdegree/invitation.html", {
        "invitation": invitation, "institution": invitation.institution, "form": form,
        "role_label": staff.ROLE_LABELS[Membership.Role(invitation.role)],
        "signed_in": signed_in, "account": account,
        "matches": signed_in and (user.email or "").lower() == invitation.email
        and user.has_usable_password(),  # a learner record cannot accept (staff.accept)
        "login_url": f"{reverse('login')}?next={request.path}",
    }, status=status)


# --- the audit log --------------------------------------------------------------------------


@login_required
@domain_errors
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution's audit log, newest first: who did what, with before and after.
    Owners only (it names staff and recipients)."""
    inst = _owned(request, slug)
    entries = AuditEntry.objects.filter(institution_id=inst.pk)
    prefix = request.GET.get("action", "").strip()
    if prefix:
        entries = entries.filter(action__startswith=prefix)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.before_text = _compact(entry.before)  # type: ignore[attr-defined]
        entry.after_text = _compact(entry.after)  # type: ignore[attr-defined]
    return render(request, "microdegree/audit_log.html",
                  {"institution": inst, "page": page, "action": prefix})


def _compact(value: Any) -> str:
    if value in (None, "", {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)[:500]
