"""Learner pages (/me/...), share pages and the platform DID document. Views parse, call a
service or a reader, render; RecordErrors become pages with their status. No JavaScript."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microdegree.base.client_ip import client_ip
from microdegree.base.notify import language_choices
from microdegree.http_errors import page_errors
from microdegree.institutions import services as inst_services
from microdegree.institutions.errors import DomainError
from microdegree.issuing.models import IssuedCredential
from microdegree.records import auth, badges, platform, qr, services, wallet
from microdegree.records import record as record_mod
from microdegree.records.models import (
    HIDDEN,
    LINK,
    PUBLIC,
    ImportedCredential,
    LearnerDid,
    LearnerEmail,
    ReissueRequest,
)
from microdegree.records.services import RecordError
from microdegree.verification.issuer_name import looked_up
from microdegree.verification.summary import summarise

LOGIN = "/me/login"
CONTENT_TYPE = "application/vc+ld+json"
learner_required = login_required(login_url=LOGIN)


def _error(request: HttpRequest, exc: RecordError) -> HttpResponse:
    return render(request, "records/error.html", {"error": exc}, status=exc.status)


# RecordErrors and TokenErrors (a link that cannot be used: 400) are DomainErrors.
record_errors = page_errors("records/error.html")


def _sign_in(request: HttpRequest, user: Any) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")


# --- signing in -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    """`/me/login`: an e-mail address in, a sign-in link out."""
    if request.method == "GET":
        return render(request, "records/login.html", {
            "email": request.GET.get("email", ""),
            "next": auth.safe_next(request.GET.get("next"))})
    email = request.POST.get("email", "")
    try:
        services.request_login_link(email, ip=client_ip(request),
                                    next_path=request.POST.get("next", ""))
    except RecordError as exc:
        return render(request, "records/login.html", {"email": email, "error": exc.message},
                      status=exc.status)
    return render(request, "records/login_sent.html",
                  {"email": auth.normalise_email(email),
                   "minutes": auth.MAX_AGE["login"] // 60})


@record_errors
@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    """`/me/login/<token>`: a confirmation button (GET), then signing in (POST)."""
    if request.method == "GET":
        link = auth.read_token(token, "login")
        return render(request, "records/confirm.html", {
            "title": "Sign in", "button": "Sign in",
            "text": f"Sign in to your learning record as {link.email}."})
    next_path = auth.read_token(token, "login").next_path
    user = services.sign_in_with_link(token)
    _sign_in(request, user)
    return redirect(next_path or "records:record")


@record_errors
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, token: str) -> HttpResponse:
    """`/me/claim/<token>`: the award e-mail's claim link adds the credential to the record.

    GET only shows a button (mail scanners prefetch links); the POST claims. The link never
    signs in an existing account: its owner gets a sign-in link first (services.claim_with_token).
    """
    if request.method == "GET":
        services.claim_target(token)  # expired or forged: refused with a sentence
        if request.user.is_authenticated and not services.claim_ready(request.user, token):
            text = _("This credential was sent to an address that is not in your record yet. "
                     "Claiming it e-mails a confirmation link to that address; once you follow "
                     "it, the credential is in your record.")
        elif request.user.is_authenticated:
            text = _("Add this credential to your learning record.")
        else:
            text = _("Add this credential to your learning record. If you already have one, "
                     "we first e-mail a sign-in link to the address the award was sent to.")
        return render(request, "records/confirm.html", {
            "title": _("Claim your credential"), "text": text, "button": _("Claim it")})
    outcome = services.claim_with_token(token, request.user, ip=client_ip(request))
    if outcome.outcome == "link_sent":
        return render(request, "records/login_sent.html", {
            "email": outcome.credential.recipient_email,
            "minutes": auth.MAX_AGE["login"] // 60})
    if outcome.outcome == "confirm_sent":
        messages.success(request, _("We sent a confirmation link to %(email)s. Follow it and the "
                                    "credential is in your record.")
                         % {"email": outcome.credential.recipient_email})
        return redirect("records:record")
    if outcome.signed_in:
        _sign_in(request, outcome.user)
    messages.success(request, _("%(name)s is in your record.")
                     % {"name": outcome.credential.achievement_version.name})
    return redirect("records:credential", key=f"p-{outcome.credential.uuid}")


# --- the record -----------------------------------------------------------------------------


@learner_required
@require_GET
def record_page(request: HttpRequest) -> HttpResponse:
    """`/me/`: every credential, by institution with each held microdegree's parts nested
    (`?view=competencies`: grouped by competency), with totals and microdegree progress."""
    items = record_mod.items(request.user)
    view = "competencies" if request.GET.get("view") == "competencies" else "institutions"
    return render(request, "records/record.html", {
        "items": items, "view": view,
        "groups": record_mod.grouped(items) if view == "competencies" else [],
        "institutions": record_mod.by_institution(items) if view == "institutions" else [],
        "totals": record_mod.totals(items),
        "progress": record_mod.progress(request.user, items),
        "emails": LearnerEmail.objects.filter(user=request.user),
        "did": LearnerDid.objects.filter(user=request.user).first(),
        "mail_language": services.learner_language(request.user),
        "mail_languages": language_choices(),
    })


@learner_required
@record_errors
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language of the learner's e-mails (credit decisions; issue 16, point 13)."""
    services.set_language(request.user, request.POST.get("language", ""))
    messages.success(request, _("Saved: your e-mails come in the language you chose."))
    return redirect("records:record")


def _item(request: HttpRequest, key: str) -> record_mod.Item:
    credential, imported = services.owned(request.user, key)
    target = credential or imported
    for item in record_mod.items(request.user):
        if item.obj == target:
            return item
    raise RecordError(_("No such credential in your record."), code="NOT_FOUND", status=404)


@learner_required
@record_errors
@require_GET
def credential_page(request: HttpRequest, key: str) -> HttpResponse:
    item = _item(request, key)
    pref = item.preference
    share = record_mod.share_url(pref) if pref is not None and item.link_shared else ""
    public = record_mod.public_page_url(item) if item.public_page else ""
    return render(request, "records/credential.html", {
        "item": item, "share_url": share, "public_url": public,
        "audience": record_mod.audience(item),
        "visibility_choices": _visibility_choices(item),
        "share_qr": qr.svg(share, _("QR code of the public link %(url)s") % {"url": share})
        if share else "",
        "emails": record_mod.verified_emails(request.user),
        "reissue": ReissueRequest.objects.filter(
            user=request.user, credential_id=item.obj.pk).first()
        if item.kind == "platform" else None,
        "linkedin_url": record_mod.linkedin_url(item, share or public)
        if share or public else "",
    })


def _visibility_choices(item: record_mod.Item) -> list[tuple[str, str, str]]:
    """(value, label, what it means) of each choice this credential offers."""
    out = []
    if item.kind == "platform":
        out.append((PUBLIC, _("Public"), _(
            "Its public page answers anyone with its address, and its share link works.")))
    out.append((LINK, _("Shared by link only"), _(
        "Only its share link works; its public page answers “not found”. Make a new link "
        "to stop an old one.")))
    out.append((HIDDEN, _("Hidden"), _(
        "Every public page of it answers “not found”: only you and its issuer see it. It "
        "stays valid, and whoever has the file can still verify it.")))
    return out


@learner_required
@record_errors
@require_POST
def preferences(request: HttpRequest, key: str) -> HttpResponse:
    visibility = request.POST.get("visibility")
    services.set_preference(request.user, key, visibility=visibility or None,
                            show_name=request.POST.get("show_name") == "on")
    messages.success(request, _("Saved. Hiding or sharing never changes the credential itself."))
    return redirect("records:credential", key=key)


@learner_required
@record_errors
@require_POST
def new_share_link(request: HttpRequest, key: str) -> HttpResponse:
    services.new_share_link(request.user, key)
    messages.success(request, _("A new share link is ready; the old one no longer works."))
    return redirect("records:credential", key=key)


@learner_required
@record_errors
@require_POST
def recheck_import(request: HttpRequest, key: str) -> HttpResponse:
    imported = services.recheck_import(request.user, key)
    messages.success(request, _("Checked again: %(status)s.") % {"status": imported.status})
    return redirect("records:credential", key=key)


@learner_required
@record_errors
@require_POST
def remove_import(request: HttpRequest, key: str) -> HttpResponse:
    services.remove_import(request.user, key)
    messages.success(request, _("The imported credential was removed from your record."))
    return redirect("records:record")


# --- downloads ------------------------------------------------------------------------------


def _attachment(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@learner_required
@record_errors
@require_GET
def download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """The signed credential verbatim (JSON; a JWS import as text), baked into PNG/SVG, or
    embedded in a PDF certificate."""
    credential, imported = services.owned(request.user, key)
    target = credential or imported
    assert target is not None
    stem = f"credential-{target.uuid}"
    if fmt == "json":
        if imported is not None and imported.format == "jwt":
            return _attachment(imported.document, "application/vc+jwt", f"{stem}.jwt")
        return _attachment(target.document.encode("utf-8"), CONTENT_TYPE, f"{stem}.json")
    if fmt == "png":
        return _attachment(badges.baked_png(target), "image/png", f"{stem}.png")
    if fmt == "svg":
        return _attachment(badges.baked_svg(target), "image/svg+xml", f"{stem}.svg")
    if fmt == "pdf":
        from microdegree.records import pdf  # here: reportlab loads only when a PDF is asked for

        cert = pdf.for_item(_item(request, key), request.user)
        body = pdf.certificate_pdf(cert, target.document,
                                   jwt=imported is not None and imported.format == "jwt")
        return _attachment(body, "application/pdf", f"{stem}.pdf")
    raise Http404("No such format.")


# --- e-mail addresses -----------------------------------------------------------------------


@learner_required
@record_errors
@require_POST
def add_email(request: HttpRequest) -> HttpResponse:
    entry = services.add_email(request.user, request.POST.get("email", ""))
    messages.success(request, _("We sent a confirmation link to %(email)s.")
                     % {"email": entry.email})
    return redirect("records:record")


@learner_required
@record_errors
@require_POST
def remove_email(request: HttpRequest, pk: int) -> HttpResponse:
    services.remove_email(request.user, pk)
    messages.success(request, _("The address was removed."))
    return redirect("records:record")


@learner_required
@record_errors
@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        link = auth.read_token(token, "verify")
        return render(request, "records/confirm.html", {
            "title": _("Confirm your address"), "button": _("Confirm"),
            "text": _("Add %(email)s to your learning record.") % {"email": link.email}})
    entry = services.verify_email(request.user, token)
    messages.success(request, _("%(email)s is confirmed; credentials sent to it are now in "
                                "your record.") % {"email": entry.email})
    return redirect("records:record")


# --- import ---------------------------------------------------------------------------------


@learner_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """`/me/import`: upload a file (JSON, VC-JWT, baked PNG/SVG), paste it, or give its URL."""
    if request.method == "GET":
        return render(request, "records/import.html", {})
    try:
        upload = request.FILES.get("file")
        text = request.POST.get("credential", "")
        url = request.POST.get("url", "").strip()
        if upload is not None:
            imported = services.import_credential(request.user, upload.read(3_000_000))
        elif text.strip():
            imported = services.import_credential(request.user, text)
        elif url:
            imported = services.import_from_url(request.user, url)
        else:
            raise RecordError(_("Choose a file, paste a credential, or give its address."),
                              code="NO_INPUT")
    except RecordError as exc:
        return render(request, "records/import.html",
                      {"error": exc.message, "reasons": exc.reasons,
                       "url": request.POST.get("url", "")}, status=exc.status)
    messages.success(request, _("%(name)s verified and was added.")
                     % {"name": imported.name or _("The credential")})
    return redirect("records:record")


# --- CLR, export, deletion ------------------------------------------------------------------


@learner_required
@record_errors
@require_http_methods(["GET", "POST"])
def clr_page(request: HttpRequest) -> HttpResponse:
    """`/me/clr`: choose credentials; download a ClrCredential signed by the platform DID."""
    # A VC-JWT import has no embedded proof, which a CLR's nested credentials need.
    # Nor does the platform vouch for an import that names someone else.
    items = [i for i in record_mod.items(request.user) if i.state != "revoked" and i.addressed
             and not (isinstance(i.obj, ImportedCredential) and i.obj.format == "jwt")]
    if request.method == "GET":
        return render(request, "records/clr.html", {"items": items})
    chosen = set(request.POST.getlist("credential"))
    picked = [i for i in items if i.key in chosen]
    if not picked:
        return render(request, "records/clr.html",
                      {"items": items, "error": _("Choose at least one credential.")}, status=400)
    platform_creds = [i.obj for i in picked if isinstance(i.obj, IssuedCredential)]
    imported = [i.obj for i in picked if not isinstance(i.obj, IssuedCredential)]
    emails = record_mod.verified_emails(request.user)
    document = services.export_clr(request.user, platform_creds, imported, email=emails[0])
    return _attachment(json.dumps(document, ensure_ascii=False), CONTENT_TYPE, "clr.json")


@learner_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    data = services.export_data(request.user)
    return _attachment(json.dumps(data, indent=2, ensure_ascii=False), "application/json",
                       "my-learning-record.json")


@learner_required
@require_http_methods(["GET", "POST"])
def delete_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "records/delete.html", {})
    if request.POST.get("confirm", "").strip().lower() != "delete":
        return render(request, "records/delete.html",
                      {"error": _("Type DELETE to confirm.")}, status=400)
    user = request.user
    logout(request)
    services.delete_account(user)
    return render(request, "records/deleted.html", {})


# --- public ---------------------------------------------------------------------------------


def _og_image(target: Any, summary: Any) -> str:
    """A PNG for link previews (they show no SVG): a platform credential's badge drawn as a
    PNG, else the credential's own image when it is a web address."""
    if isinstance(target, IssuedCredential):
        version = target.achievement_version
        if not version.image or version.image.name.endswith(".png"):
            return f"{version.achievement_id}/image.png"
    return summary.image if (summary.image or "").startswith("http") else ""


@record_errors
@require_GET
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    """`/share/<token>`: the shared credential with Open Graph tags; 404 when switched off."""
    try:
        pref, target = services.shared(token)
    except RecordError as exc:
        raise Http404(exc.message) from exc
    document = (json.loads(target.document) if isinstance(target, IssuedCredential)
                else target.decoded)
    summary = summarise(document, show_recipient=pref.show_name)
    issuer = looked_up(summary.issuer_id, summary.issuer_name)  # the registry's name first
    canonical = record_mod.share_url(pref)
    # the public page's address, if it is public (otherwise it answers 404 to the public, and
    # the page never carries the signed document: it may name the learner)
    verify_target = (f"{settings.PUBLIC_URL}/credentials/{target.uuid}"
                     if isinstance(target, IssuedCredential)
                     and pref.visibility == PUBLIC else "")
    return render(request, "records/share.html", {
        "summary": summary, "issuer": issuer, "canonical": canonical, "state":
            record_mod.platform_state(target) if isinstance(target, IssuedCredential) else "",
        "verify_target": verify_target,
        "badge": (target.achievement_version.badge_path if isinstance(target, IssuedCredential)
                  else summary.image or ""),
        "qr_svg": qr.svg(canonical, _("QR code of this page's address, %(url)s")
                         % {"url": canonical}),
        "og": {"title": summary.name or "Credential",
               "description": (f"{summary.name or 'A credential'}, awarded by "
                               f"{issuer.name or 'its issuer'}.")[:300],
               "url": canonical,
               "image": _og_image(target, summary)},
    })


@require_GET
def platform_did(request: HttpRequest) -> HttpResponse:
    """`/platform/did.json`: the platform's did:web document (CLR exports are signed by it)."""
    response = JsonResponse(platform.did_document(), json_dumps_params={"indent": 2},
                            content_type="application/did+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- re-issue requests ----------------------------------------------------------------------


@learner_required
@record_errors
@require_POST
def request_reissue(request: HttpRequest, key: str) -> HttpResponse:
    services.request_reissue(request.user, key, reason=request.POST.get("reason", ""),
                             new_name=request.POST.get("new_name", ""),
                             new_email=request.POST.get("new_email", ""))
    messages.success(request, _("Your request was sent to the institution. The credential you "
                                "hold stays valid until they re-issue it."))
    return redirect("records:credential", key=key)


def _staff_institution(request: HttpRequest, slug: str) -> Any:
    try:
        return inst_services.institution_for(request.user, slug, role="issuer")
    except DomainError as exc:
        raise RecordError(exc.message, code=exc.code, status=exc.status) from exc


@login_required
@record_errors
@require_GET
def reissue_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff: the institution's re-issue requests (name or address changes)."""
    inst = _staff_institution(request, slug)
    pending = ReissueRequest.objects.select_related("credential__achievement_version").filter(
        institution=inst, state=ReissueRequest.State.PENDING)
    decided = ReissueRequest.objects.select_related("credential__achievement_version").filter(
        institution=inst).exclude(state=ReissueRequest.State.PENDING)[:50]
    return render(request, "records/reissue_requests.html",
                  {"institution": inst, "pending": pending, "decided": decided})


@login_required
@record_errors
@require_POST
def decide_reissue(request: HttpRequest, slug: str, pk: int, decision: str) -> HttpResponse:
    inst = _staff_institution(request, slug)
    req = ReissueRequest.objects.filter(institution=inst, pk=pk).first()
    if req is None or decision not in ("approve", "reject"):
        raise RecordError(_("No such request."), code="NOT_FOUND", status=404)
    services.decide_reissue(request.user, req, approve=decision == "approve",
                            note=request.POST.get("note", ""))
    messages.success(request, _("Re-issued.") if decision == "approve" else _("Declined."))
    return redirect("records:reissue-requests", slug=inst.slug)


# --- the learner's DID ----------------------------------------------------------------------


@learner_required
@record_errors
@require_POST
def bind_did(request: HttpRequest) -> HttpResponse:
    """Bind an own did:key, or generate one: the key file (with the secret) downloads once."""
    bound, keyfile = services.bind_did(request.user, request.POST.get("did", ""))
    if keyfile is not None:
        return _attachment(json.dumps(keyfile, indent=2), "application/json",
                           "my-did-key.json")
    messages.success(request, _("%(did)s is bound to your record.") % {"did": bound.did})
    return redirect("records:record")


@learner_required
@record_errors
@require_POST
def unbind_did(request: HttpRequest) -> HttpResponse:
    services.unbind_did(request.user)
    messages.success(request, _("The DID is no longer bound to your record."))
    return redirect("records:record")


# --- send to wallet (VC API exchange) -------------------------------------------------------


@learner_required
@record_errors
@require_POST
def send_to_wallet(request: HttpRequest, key: str) -> HttpResponse:
    credential, _imported = services.owned(request.user, key)
    if credential is None:
        raise RecordError(_("Only credentials issued on this platform can be sent to a wallet "
                            "from here."), code="NOT_PLATFORM", status=409)
    exchange = wallet.start(request.user, credential)
    link = wallet.wallet_link(exchange)
    return render(request, "records/wallet.html", {
        "key": key, "credential": credential, "exchange_url": wallet.exchange_url(exchange),
        "wallet_link": link,
        # The wallet's request link carries the interaction URL (`protocols.vcapi`): a phone's
        # camera opens it in the wallet, which then follows the exchange.
        "qr_svg": qr.svg(link, _("QR code that opens this exchange in your wallet")),
        "minutes": int(wallet.LIFETIME.total_seconds() // 60)})


@csrf_exempt
@require_POST
def exchange(request: HttpRequest, exchange_id: str) -> HttpResponse:
    """`/wallet/exchanges/<id>`: the VC API exchange a wallet follows (JSON in, JSON out)."""
    try:
        body = json.loads(request.body or b"{}")
        return JsonResponse(wallet.step(exchange_id, body))
    except ValueError:
        return JsonResponse({"code": "INVALID_JSON", "message": "The body is not JSON."},
                            status=400)
    except RecordError as exc:
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
