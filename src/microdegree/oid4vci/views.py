"""Pages: the learner's "send to a wallet with OpenID4VCI" (a QR code of a credential offer and
its transaction code), and the authorization code flow's consent page (django-oauth-toolkit's
authorize view, as the Open Badges API uses it, with PKCE S256 required)."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from microdegree.obapi.views import LOGIN, ConsentView
from microdegree.oid4vci import services
from microdegree.oid4vci.services import Oid4vciError
from microdegree.records import qr
from microdegree.records import services as record_services
from microdegree.records.services import RecordError

RESUME_KEY = "oid4vci_authorize"
OFFER_KEY = "oid4vci_offer"  # the offer an issuer_state named, until the learner decides
RESUME_PATH = "/oid4vci/authorize/resume"
learner_required = login_required(login_url=LOGIN)


@require_GET
def offer_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The QR code of an open offer as an SVG image (whoever has the address holds the offer
    anyway; the transaction code is still needed)."""
    try:
        link = services.offer_link_if_open(token[:100])
    except Oid4vciError:
        return HttpResponse(status=404)
    out = io.BytesIO()
    qr.make(link).save(out, kind="svg", scale=6, border=qr.BORDER,
                       title="Credential offer")
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@learner_required
@require_POST
def offer_page(request: HttpRequest, key: str) -> HttpResponse:
    """A credential offer for one credential of the learner's record."""
    try:
        credential, _imported = record_services.owned(request.user, key)
        if credential is None:
            raise RecordError(_("Only credentials issued on this platform can be sent to a "
                                "wallet from here."), code="NOT_PLATFORM", status=409)
        new = services.create_offer(request.user, [credential])
    except RecordError as exc:
        return render(request, "records/error.html", {"error": exc}, status=exc.status)
    except Oid4vciError as exc:
        error = RecordError(exc.description, code=exc.error, status=exc.status)
        return render(request, "records/error.html", {"error": error}, status=exc.status)
    return render(request, "oid4vci/offer.html", {
        "key": key, "credential": credential, "link": new.link, "offer_uri": new.uri,
        "tx_code": new.tx_code,
        "qr_svg": qr.svg(new.link, _("QR code of a credential offer for your wallet")),
        "minutes": int(services.OFFER_LIFETIME.total_seconds() // 60)})


class WalletConsentView(ConsentView):
    """The authorization endpoint for wallets (scope OpenBadgeCredential)."""

    template_name = "oid4vci/authorize.html"

    def handle_no_permission(self) -> HttpResponse:
        if "none" in self.request.GET.get("prompt", "").split():
            return super().handle_no_permission()
        self.request.session[RESUME_KEY] = self.request.get_full_path()
        return redirect(f"{LOGIN}?{urlencode({'next': RESUME_PATH})}")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """With an offer's `issuer_state`, the offer must be the signed-in learner's and open;
        the code the learner then allows names it (see `redirect`)."""
        request.session.pop(OFFER_KEY, None)
        state = request.GET.get("issuer_state")
        if state:
            try:
                offer = services.offer_for_state(state, request.user)
            except Oid4vciError as exc:
                return render(request, self.template_name, {"error": {
                    "error": exc.error, "description": exc.description}}, status=400)
            request.session[OFFER_KEY] = offer.pk
        return super().get(request, *args, **kwargs)

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        offer_pk = self.request.session.pop(OFFER_KEY, None)
        codes = parse_qs(urlsplit(redirect_to).query).get("code")
        if offer_pk is not None and codes:
            services.note_authorization(int(offer_pk), codes[0])
        return super().redirect(redirect_to, application)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        asked = " ".join(kwargs.get("scopes") or []).split()
        context["plain_scopes"] = [
            (services.SCOPE, _("Receive copies of your credentials, each bound to the "
                               "wallet's key."))] if services.SCOPE in asked else []
        return context


@learner_required
@require_GET
def resume_authorize(request: HttpRequest) -> HttpResponse:
    path = request.session.pop(RESUME_KEY, "")
    if not isinstance(path, str) or not path.startswith("/oid4vci/authorize?"):
        return redirect("/me/")
    return redirect(path)
