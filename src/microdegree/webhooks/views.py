"""The staff page `/institutions/SLUG/webhooks/`: owners add, pause, resume, delete and test
subscriptions; issuers and owners read the delivery log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from microdegree.institutions import services as inst_services
from microdegree.institutions.errors import DomainError, Invalid
from microdegree.institutions.models import Institution
from microdegree.webhooks import services
from microdegree.webhooks.models import EVENTS, Subscription


class SubscriptionForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=2000,
                          help_text=_("An https address of your system; events are POSTed "
                                      "there as JSON."))
    events = forms.MultipleChoiceField(label=_("Events"), choices=[(e, e) for e in EVENTS],
                                       widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


def _manage(request: HttpRequest, inst: Institution) -> HttpResponse | tuple[Any, str | None]:
    """Handle one POST; a redirect, or (the form to show again, the new secret)."""
    action = request.POST.get("action", "add")
    if action == "add":
        form = SubscriptionForm(request.POST)
        if not form.is_valid():
            return form, None
        try:
            sub, secret = services.create_subscription(
                request.user, inst, url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"])
        except Invalid as exc:
            form.add_error("url" if exc.code.startswith("URL") else None, exc.message)
            return form, None
        return SubscriptionForm(), secret
    sub = services.subscription_of(inst, request.POST.get("subscription", ""))
    if action in ("pause", "resume"):
        services.set_active(request.user, sub, action == "resume")
        messages.success(request, gettext("Paused.") if action == "pause"
                         else gettext("Resumed: waiting deliveries go out now."))
    elif action == "delete":
        services.delete_subscription(request.user, sub)
        messages.success(request, gettext("The subscription to %(url)s is deleted.")
                         % {"url": sub.url})
    elif action == "test":
        services.send_test(request.user, sub)
        messages.success(request, gettext("A test event is queued; it appears in the log "
                                          "below once a worker has sent it."))
    else:
        raise Invalid(gettext("Unknown action."), code="ACTION_UNKNOWN")
    return redirect("webhooks-manage", slug=inst.slug)


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        inst = inst_services.institution_for(request.user, slug, role="issuer")
        form: Any = SubscriptionForm()
        secret = None
        if request.method == "POST":
            inst = inst_services.institution_for(request.user, slug, role="owner")
            outcome = _manage(request, inst)
            if isinstance(outcome, HttpResponse):
                return outcome
            form, secret = outcome
    except DomainError as exc:
        return render(request, "microdegree/error.html", {"error": exc}, status=exc.status)
    role = inst_services.role_of(request.user, inst)
    subs = list(Subscription.objects.filter(institution=inst))
    return render(request, "webhooks/manage.html", {
        "institution": inst, "form": form, "secret": secret,
        "rows": [(s, services.deliveries(s, 20)) for s in subs],
        "is_owner": bool(request.user.is_superuser) or role == "owner",
    }, status=400 if form.errors else 200)
