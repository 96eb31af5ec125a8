"""The staff password reset: Django's views, with the link from the public URL and a rate limit.

Django builds the reset link from the request's Host header; here it comes from
`settings.PUBLIC_URL` (web/links.py), and ALLOWED_HOSTS refuses other hosts anyway. The form is
rate limited like the learner's sign-in link form (records/auth.py): per client address first,
then per e-mail address, where the address's owner still gets one e-mail every
`SLOW_PACE` however many others asked (an attacker asking from many addresses cannot lock the
owner out, nor flood the mailbox faster than that).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from microdegree.audit.services import log_action
from microdegree.web.client_ip import client_ip
from microdegree.web.links import public_domain, public_link, public_uses_https
from microdegree.web.models import PasswordResetRequest

RATE_WINDOW = timedelta(minutes=15)
RATE_LIMIT = 5  # e-mails per client address, and per e-mail address, in RATE_WINDOW
SLOW_PACE = timedelta(minutes=5)  # beyond the limit, one e-mail per address this often


def rate_limited(email: str, ip: str | None) -> str | None:
    """A sentence saying why no reset e-mail is sent now, or None."""
    now = timezone.now()
    recent = PasswordResetRequest.objects.filter(created_at__gte=now - RATE_WINDOW)
    minutes = int(RATE_WINDOW.total_seconds() // 60)
    if ip and recent.filter(ip=ip).count() >= RATE_LIMIT:
        return gettext("Too many password resets were asked for from your network in the last "
                       "%(minutes)d minutes. Please try again later.") % {"minutes": minutes}
    to_address = recent.filter(email__iexact=email)
    if (to_address.count() >= RATE_LIMIT
            and to_address.filter(created_at__gte=now - SLOW_PACE).exists()):
        return gettext("We have sent several password reset e-mails to this address in the "
                       "last %(minutes)d minutes. Please use the latest one, or try again in "
                       "a few minutes.") % {"minutes": minutes}
    return None


def request_reset(email: str, ip: str | None) -> str | None:
    """Record a reset request (with its audit entry) unless rate limited; the refusal or None."""
    with transaction.atomic():
        why = rate_limited(email, ip)
        if why:
            return why
        request = PasswordResetRequest.objects.create(email=email.strip().lower(), ip=ip)
        log_action("anonymous", "web.password_reset_requested", request)
    return None


class PublicLinkPasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, whose e-mail gets `reset_url` on the public URL."""

    def send_mail(self, subject_template_name: str, email_template_name: str,
                  context: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        path = reverse("password_reset_confirm",
                       kwargs={"uidb64": context["uid"], "token": context["token"]})
        context = {**context, "reset_url": public_link(path)}
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """`/accounts/password_reset/`: rate limited; domain and protocol of the public URL."""

    form_class = PublicLinkPasswordResetForm
    email_template_name = "microdegree/email/password_reset.txt"

    def form_valid(self, form: Any) -> HttpResponse:
        why = request_reset(form.cleaned_data["email"], client_ip(self.request))
        if why:
            form.add_error("email", why)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # Django fills domain and protocol from the request; these win (they are spread last).
        self.extra_email_context = {"domain": public_domain(), "site_name": public_domain(),
                                    "protocol": "https" if public_uses_https() else "http"}
        return super().form_valid(form)
