"""Every write of credit recognition (one transaction, one audit entry each), its access helpers,
and the read-only evaluations (proposals, "What is it worth?").

Tenancy: staff reach programs, agreements and applications only through `institution_for`
(another institution's objects are the same 404 as missing ones); learners reach only their own
applications.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from microdegree.audit.services import log_action
from microdegree.base.links import public_link
from microdegree.base.notify import notify
from microdegree.institutions.errors import Conflict, Invalid, NotFound, PermissionDenied
from microdegree.institutions.models import Institution
from microdegree.institutions.services import institution_for, staff_addresses
from microdegree.issuing.models import IssuedCredential
from microdegree.recognition import checking, engine
from microdegree.recognition import decision as decision_mod
from microdegree.recognition.facts import CredentialFacts
from microdegree.recognition.models import (
    ApplicationCredential,
    CreditApplication,
    Decision,
    Module,
    Program,
    RecognitionAgreement,
)
from microdegree.recognition.terms import agreements_of, program_terms
from microdegree.records.models import ImportedCredential
from microdegree.records.record import owned_credential, owned_import
from microdegree.records.services import learner_address, learner_language
from microdegree.vc.credits import CreditsInvalid, parse_credits
from microdegree.vc.extract import ExtractError, extract
from microdegree.verification import services as verification_services
from microdegree.webhooks import payloads as hook_data
from microdegree.webhooks.outbox import emit

ISSUER = "issuer"
PROGRAM_FIELDS = (
    "name", "description", "url", "field_of_study", "eqf_level", "credit_unit",
    "ects_per_us_credit_hour", "total_credits", "duration_terms", "duration_months",
    "residency_terms", "residency_months", "max_recognised_fraction", "public",
)
AGREEMENT_FIELDS = (
    "name", "source_kind", "named_achievements", "pin_versions", "criteria_registry",
    "criteria_achievement_type", "criteria_min_eqf_level", "criteria_min_nqf_level",
    "criteria_min_credits", "criteria_competencies", "criteria_min_result",
    "criteria_max_age_years", "value_kind", "value_credits", "value_factor", "valid_from",
    "valid_until", "conditions", "public",
)
MAX_WORTH_PROGRAMS = 100


# --- helpers ----------------------------------------------------------------------------------


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                        for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _clean(obj: Any, *, exclude: Iterable[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise Invalid(_errors(exc), code="INVALID") from exc


def _snapshot(obj: Any, names: Sequence[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out


# --- access -----------------------------------------------------------------------------------


def program_for(user: Any, inst_slug: str, program_slug: str, *, role: str = "viewer") -> Program:
    inst = institution_for(user, inst_slug, role=role)
    program = Program.objects.filter(institution=inst, slug=program_slug).first()
    if program is None:
        raise NotFound("No such program.")
    return program


def agreement_for(user: Any, inst_slug: str, program_slug: str, pk: int, *,
                  role: str = "viewer") -> RecognitionAgreement:
    program = program_for(user, inst_slug, program_slug, role=role)
    agreement = program.agreements.filter(pk=pk).first()
    if agreement is None:
        raise NotFound("No such agreement.")
    return agreement


def staff_application(user: Any, inst_slug: str, app_uuid: Any, *,
                      role: str = "viewer") -> CreditApplication:
    inst = institution_for(user, inst_slug, role=role)
    application = (CreditApplication.objects.select_related("program", "learner")
                   .filter(uuid=app_uuid, program__institution=inst)
                   .exclude(status=CreditApplication.Status.DRAFT).first())
    if application is None:
        raise NotFound("No such application.")
    return application


def learner_application(user: Any, app_uuid: Any) -> CreditApplication:
    application = (CreditApplication.objects.select_related("program__institution")
                   .filter(uuid=app_uuid, learner=user).first())
    if application is None:
        raise NotFound("No such application.")
    return application


def public_programs() -> list[Program]:
    return list(Program.objects.select_related("institution")
                .filter(public=True, institution__status=Institution.Status.APPROVED)
                .order_by("institution__name", "name")[:MAX_WORTH_PROGRAMS])


def public_program(inst_slug: str, program_slug: str) -> Program:
    program = (Program.objects.select_related("institution")
               .filter(public=True, institution__status=Institution.Status.APPROVED,
                       institution__slug=inst_slug, slug=program_slug).first())
    if program is None:
        raise NotFound("No such program.")
    return program


# --- programs and modules ---------------------------------------------------------------------


@transaction.atomic
def create_program(actor: Any, institution: Institution, *, slug: str = "",
                   **fields: Any) -> Program:
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.", code="FIELD_UNKNOWN")
    slug = slugify(slug or fields.get("name", ""))[:80]
    if not slug:
        raise Invalid("Give the program a name.", code="NAME_REQUIRED")
    if Program.objects.filter(institution=institution, slug=slug).exists():
        raise Conflict(f"The address {slug!r} is taken by another program.", code="SLUG_TAKEN")
    program = Program(institution=institution, slug=slug, **fields)
    _check_program(program)
    program.save()
    log_action(actor, "recognition.program_created", program, institution_id=institution.pk,
               after=_snapshot(program, PROGRAM_FIELDS))
    return program


def _check_program(program: Program) -> None:
    _clean(program, exclude=["institution", "decision_achievement"])
    if program.residency_terms > program.duration_terms:
        raise Invalid("The residency cannot be longer than the program (terms).",
                      code="RESIDENCY_INVALID")
    if program.residency_months > program.duration_months:
        raise Invalid("The residency cannot be longer than the program (months).",
                      code="RESIDENCY_INVALID")


@transaction.atomic
def update_program(actor: Any, program: Program, **changes: Any) -> Program:
    unknown = set(changes) - set(PROGRAM_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.", code="FIELD_UNKNOWN")
    program = Program.objects.select_for_update().get(pk=program.pk)
    before = _snapshot(program, PROGRAM_FIELDS)
    for name, value in changes.items():
        setattr(program, name, value)
    _check_program(program)
    program.save()
    log_action(actor, "recognition.program_updated", program,
               institution_id=program.institution_id, before=before,
               after=_snapshot(program, PROGRAM_FIELDS))
    return program


@transaction.atomic
def delete_program(actor: Any, program: Program) -> None:
    if program.applications.exists():
        raise Conflict("Learners have applied to this program; hide it (not public) instead.",
                       code="PROGRAM_HAS_APPLICATIONS")
    log_action(actor, "recognition.program_deleted", program,
               institution_id=program.institution_id, before=_snapshot(program, PROGRAM_FIELDS))
    program.delete()


@transaction.atomic
def add_module(actor: Any, program: Program, *, code: str, name: str,
               credits: float) -> Module:
    code = (code or "").strip()
    if program.modules.filter(code=code).exists():
        raise Conflict(f"The program already has a module {code!r}.", code="MODULE_EXISTS")
    module = Module(program=program, code=code, name=(name or "").strip(), credits=credits)
    _clean(module, exclude=["program"])
    module.save()
    log_action(actor, "recognition.module_added", module, institution_id=program.institution_id,
               after={"program": program.pk, "code": code, "name": module.name,
                      "credits": credits})
    return module


@transaction.atomic
def remove_module(actor: Any, module: Module) -> None:
    log_action(actor, "recognition.module_removed", module,
               institution_id=module.program.institution_id,
               before={"program": module.program_id, "code": module.code})
    module.delete()


# --- agreements -------------------------------------------------------------------------------


def _check_named(items: Any) -> list[dict[str, str]]:
    if not isinstance(items, list):
        raise Invalid("Named achievements must be a list.", code="NAMED_INVALID")
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise Invalid("Each named achievement needs an issuer and an achievement id.",
                          code="NAMED_INVALID")
        issuer = str(item.get("issuer") or "").strip()
        achievement = str(item.get("achievement") or "").strip()
        if not issuer.startswith("did:") and not issuer.startswith(("https://", "http://")):
            raise Invalid(f"{issuer or 'An empty issuer'} is not a DID or URL.",
                          code="NAMED_INVALID")
        if not achievement:
            raise Invalid("Each named achievement needs its achievement id.",
                          code="NAMED_INVALID")
        out.append({"issuer": issuer, "achievement": achievement,
                    "name": str(item.get("name") or "").strip()[:200]})
    return out


def _check_agreement(agreement: RecognitionAgreement) -> None:
    agreement.named_achievements = _check_named(agreement.named_achievements or [])
    comps = agreement.criteria_competencies or []
    if not isinstance(comps, list) or not all(isinstance(c, str) and c for c in comps):
        raise Invalid("Required competencies must be a list of URIs.", code="COMPETENCIES_INVALID")
    _clean(agreement, exclude=["program"])
    Kind = RecognitionAgreement.SourceKind
    if agreement.source_kind == Kind.NAMED and not agreement.named_achievements:
        raise Invalid("Name at least one achievement (issuer DID and achievement id).",
                      code="NAMED_REQUIRED")
    Value = RecognitionAgreement.ValueKind
    if agreement.value_kind == Value.FIXED and agreement.value_credits is None:
        raise Invalid("Give the fixed number of credits.", code="VALUE_REQUIRED")
    if agreement.value_kind == Value.FACTOR and agreement.value_factor is None:
        raise Invalid("Give the factor to multiply credits earned by.", code="VALUE_REQUIRED")
    if (agreement.valid_from and agreement.valid_until
            and agreement.valid_until < agreement.valid_from):
        raise Invalid("The agreement ends before it starts.", code="DATES_INVALID")


def _set_modules(agreement: RecognitionAgreement, modules: Iterable[Any]) -> list[str]:
    wanted = {int(getattr(m, "pk", m)) for m in modules}
    found = list(agreement.program.modules.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise Invalid("An exempted module is not a module of this program.",
                      code="MODULE_UNKNOWN")
    agreement.exempted_modules.set(found)
    return [m.code for m in found]


@transaction.atomic
def create_agreement(actor: Any, program: Program, *, exempted_modules: Iterable[Any] = (),
                     **fields: Any) -> RecognitionAgreement:
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.", code="FIELD_UNKNOWN")
    agreement = RecognitionAgreement(program=program, **fields)
    _check_agreement(agreement)
    agreement.save()
    codes = _set_modules(agreement, exempted_modules)
    log_action(actor, "recognition.agreement_created", agreement,
               institution_id=program.institution_id,
               after={**_snapshot(agreement, AGREEMENT_FIELDS), "exempted_modules": codes})
    return agreement


@transaction.atomic
def update_agreement(actor: Any, agreement: RecognitionAgreement, *,
                     exempted_modules: Iterable[Any] | None = None,
                     **changes: Any) -> RecognitionAgreement:
    unknown = set(changes) - set(AGREEMENT_FIELDS)
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.", code="FIELD_UNKNOWN")
    agreement = RecognitionAgreement.objects.select_for_update().get(pk=agreement.pk)
    before = _snapshot(agreement, AGREEMENT_FIELDS)
    for name, value in changes.items():
        setattr(agreement, name, value)
    _check_agreement(agreement)
    agreement.save()
    codes = (_set_modules(agreement, exempted_modules) if exempted_modules is not None
             else [m.code for m in agreement.exempted_modules.all()])
    log_action(actor, "recognition.agreement_updated", agreement,
               institution_id=agreement.program.institution_id, before=before,
               after={**_snapshot(agreement, AGREEMENT_FIELDS), "exempted_modules": codes})
    return agreement


@transaction.atomic
def delete_agreement(actor: Any, agreement: RecognitionAgreement) -> None:
    log_action(actor, "recognition.agreement_deleted", agreement,
               institution_id=agreement.program.institution_id,
               before=_snapshot(agreement, AGREEMENT_FIELDS))
    agreement.delete()


# --- evaluation (no writes) -------------------------------------------------------------------


def evaluate(program: Program, facts: Sequence[CredentialFacts], *,
             on: date | None = None, public_only: bool = False) -> engine.Proposal:
    return engine.evaluate(facts, agreements_of(program, public_only=public_only),
                           program_terms(program), on=on or timezone.localdate())


def worth(texts: Sequence[str | bytes | dict[str, Any]], *, applicant: Any = None,
          on: date | None = None) -> tuple[list[CredentialFacts], list[engine.Proposal],
                                           list[Program]]:
    """"What is it worth?": every public program's proposal for these credentials, the ones
    that recognise most first. Nothing is stored."""
    if not texts:
        raise Invalid("Give at least one credential.", code="NO_CREDENTIALS")
    if len(texts) > checking.MAX_CREDENTIALS:
        raise Invalid(f"At most {checking.MAX_CREDENTIALS} credentials at once.",
                      code="TOO_MANY_CREDENTIALS")
    facts = checking.check_all(texts, applicant=applicant)
    programs = public_programs()
    proposals = [evaluate(p, facts, on=on, public_only=True) for p in programs]
    order = sorted(range(len(programs)), key=lambda i: -proposals[i].recognised)
    return facts, [proposals[i] for i in order], [programs[i] for i in order]


# --- applications -----------------------------------------------------------------------------


def record_items(user: Any, keys: Iterable[str]) -> list[tuple[str, Any, str]]:
    """(source, object, verbatim text) for record keys "p-<uuid>" / "i-<uuid>"."""
    out: list[tuple[str, Any, str]] = []
    for key in keys:
        kind, _, raw = str(key).partition("-")
        obj: IssuedCredential | ImportedCredential | None = None
        try:
            if kind == "p":
                obj = owned_credential(user, raw)
            elif kind == "i":
                obj = owned_import(user, raw)
        except (ValueError, ValidationError):
            obj = None
        if obj is None:
            raise NotFound("That credential is not in your record.", code="NOT_IN_RECORD")
        if isinstance(obj, ImportedCredential) and not obj.addressed:
            raise Invalid(f"{obj.name or 'An imported credential'} does not name you (none of "
                          "your confirmed addresses or your DID), so it cannot be used for "
                          "credit.", code="NOT_ADDRESSED")
        source = ("record" if kind == "p"
                  else "imported")
        out.append((source, obj, obj.document))
    return out


def _evaluate_texts(learner: Any, program: Program, texts: Sequence[str]) -> dict[str, Any]:
    facts = checking.check_all(list(texts), applicant=learner)
    return evaluate(program, facts).to_json()


def upload_text(data: str | bytes) -> str:
    """The credential text of an upload, to store verbatim: the text itself, or the JSON / JWS
    embedded in a baked PNG or SVG badge or a PDF certificate; unreadable input stays as given
    (its proposal says it could not be read)."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        extracted = extract(data, resolver=verification_services.tools().resolver)
    except ExtractError:
        return data.decode("utf-8", errors="replace")
    return extracted.text or json.dumps(extracted.document, ensure_ascii=False)


def start_application(learner: Any, program: Program, *, record_keys: Iterable[str] = (),
                      uploads: Iterable[str | bytes] = (), note: str = "") -> CreditApplication:
    """A draft application with its credentials stored verbatim and its first proposal.

    The credentials are verified before the transaction opens (verification may fetch DID
    documents and status lists from other hosts; no lock is held meanwhile)."""
    if not getattr(learner, "is_authenticated", False):
        raise PermissionDenied("Sign in to apply.", code="SIGN_IN_REQUIRED")
    if not program.public or not program.institution.is_approved:
        raise NotFound("No such program.")
    items = record_items(learner, record_keys)
    for upload in uploads:
        text = upload_text(upload)
        if text.strip():
            items.append(("upload", None, text))
    if not items:
        raise Invalid("Choose at least one credential from your record or upload one.",
                      code="NO_CREDENTIALS")
    if len(items) > checking.MAX_CREDENTIALS:
        raise Invalid(f"At most {checking.MAX_CREDENTIALS} credentials per application.",
                      code="TOO_MANY_CREDENTIALS")
    proposal = _evaluate_texts(learner, program, [text for _, _, text in items])
    with transaction.atomic():
        application = CreditApplication.objects.create(
            learner=learner, program=program, note=(note or "").strip()[:2000],
            proposal=proposal)
        for position, (source, obj, text) in enumerate(items):
            ApplicationCredential.objects.create(
                application=application, source=source, position=position, document=text,
                issued=obj if isinstance(obj, IssuedCredential) else None,
                imported=obj if isinstance(obj, ImportedCredential) else None,
                credential_id=str(getattr(obj, "credential_id", "") or "")[:500],
            )
        log_action(learner, "recognition.application_started", application,
                   institution_id=program.institution_id,
                   after={"program": program.pk, "credentials": len(items),
                          "proposed": proposal.get("recognised")})
    return application


def submit_application(learner: Any, application: CreditApplication) -> CreditApplication:
    """Send a draft to the institution, re-evaluated now so staff see today's verdicts
    (verified before the row is locked)."""
    if application.learner_id != learner.pk:
        raise NotFound("No such application.")
    texts = [c.document for c in application.credentials.all()]
    proposal = _evaluate_texts(learner, application.program, texts)
    with transaction.atomic():
        application = CreditApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != CreditApplication.Status.DRAFT:
            raise Conflict("This application was already submitted.", code="ALREADY_SUBMITTED")
        application.proposal = proposal
        application.status = CreditApplication.Status.SUBMITTED
        application.submitted_at = timezone.now()
        application.save(update_fields=["proposal", "status", "submitted_at"])
        log_action(learner, "recognition.application_submitted", application,
                   institution_id=application.program.institution_id,
                   after={"proposed": proposal.get("recognised")})
        inst = application.program.institution
        # one e-mail per learner and program while staff have not decided: more applications
        # from the same learner wait in the queue without flooding the staff's inboxes
        already_waiting = CreditApplication.objects.filter(
            learner=learner, program=application.program,
            status=CreditApplication.Status.SUBMITTED).exclude(pk=application.pk).exists()
        if not already_waiting:
            notify("recognition/email/application_submitted", {
                "institution": inst, "application": application,
                "program": application.program,
                "url": public_link(f"/institutions/{inst.slug}/applications/{application.uuid}"),
            }, staff_addresses(inst, role="issuer", contact=True), language=inst.language)
    return application


@transaction.atomic
def withdraw_application(learner: Any, application: CreditApplication) -> None:
    application = CreditApplication.objects.select_for_update().get(pk=application.pk)
    if application.learner_id != learner.pk:
        raise NotFound("No such application.")
    if application.status == CreditApplication.Status.DECIDED:
        raise Conflict("A decided application cannot be withdrawn.", code="ALREADY_DECIDED")
    log_action(learner, "recognition.application_withdrawn", application,
               institution_id=application.program.institution_id)
    application.delete()


def recheck(application: CreditApplication) -> dict[str, Any]:
    """The application evaluated again now (nothing stored): what changed since submission,
    e.g. a credential revoked or expired meanwhile, shows before staff decide."""
    texts = [c.document for c in application.credentials.all()]
    return _evaluate_texts(application.learner, application.program, texts)


def changes_since_submission(application: CreditApplication,
                             current: dict[str, Any]) -> list[str]:
    """One sentence per credential whose reason changed, and the total if it did."""
    out = []
    before = {c.get("position"): c for c in application.proposal.get("credentials", [])}
    for item in current.get("credentials", []):
        old = before.get(item.get("position"))
        if old is not None and (old.get("code"), old.get("credits")) != (item.get("code"),
                                                                          item.get("credits")):
            name = item.get("credential", {}).get("name") or f"#{item.get('position', 0) + 1}"
            out.append(f"{name}: {item.get('message')}")
    if current.get("recognised") != application.proposal.get("recognised"):
        out.append(f"Total recognised now {current.get('recognised')} "
                   f"(was {application.proposal.get('recognised')}).")
    return out


def decide(actor: Any, application: CreditApplication, *, outcome: str,
           credits: float | None = None, exempted_modules: Iterable[Any] | None = None,
           reason: str = "") -> Decision:
    """Staff decide a submitted application. Accepted: the proposal as it stands; adjusted:
    other credits / modules, with a reason; refused: with a reason. Accepted and adjusted
    decisions are issued to the learner as a signed credential.

    Every credential is verified again first (outside the transaction): a proposal that no
    longer holds (a credential revoked since submission) cannot be accepted as it stands."""
    program = application.program
    institution_for(actor, program.institution.slug, role=ISSUER)
    changed = (changes_since_submission(application, recheck(application))
               if outcome == "accepted" else [])
    if changed:
        raise Conflict("The proposal no longer holds: " + " ".join(changed)
                       + " Adjust or refuse instead.", code="PROPOSAL_CHANGED")
    with transaction.atomic():
        return _decide(actor, application, outcome=outcome, credits=credits,
                       exempted_modules=exempted_modules, reason=reason)


def _decide(actor: Any, application: CreditApplication, *, outcome: str,
            credits: float | None, exempted_modules: Iterable[Any] | None,
            reason: str) -> Decision:
    application = (CreditApplication.objects.select_for_update()
                   .select_related("program__institution").get(pk=application.pk))
    program = application.program
    institution_for(actor, program.institution.slug, role=ISSUER)
    if application.status != CreditApplication.Status.SUBMITTED:
        raise Conflict("Only a submitted, undecided application can be decided.",
                       code="NOT_SUBMITTED")
    Outcome = Decision.Outcome
    if outcome not in Outcome.values:
        raise Invalid("Choose accept, adjust or refuse.", code="OUTCOME_INVALID")
    reason = (reason or "").strip()
    proposal = application.proposal
    if outcome == "accepted":
        credits = float(proposal.get("recognised") or 0)
        codes = [m["code"] for m in proposal.get("exempted_modules", [])]
        modules = list(program.modules.filter(code__in=codes))
    elif outcome == "adjusted":
        if not reason:
            raise Invalid("Say why the decision differs from the proposal.",
                          code="REASON_REQUIRED")
        try:
            credits = parse_credits(credits, "credits")
        except CreditsInvalid:
            credits = None
        if credits is None or credits > program.total_credits:
            raise Invalid(f"Credits must be between 0 and {program.total_credits:g}.",
                          code="CREDITS_INVALID")
        wanted = {int(getattr(m, "pk", m)) for m in exempted_modules or ()}
        modules = list(program.modules.filter(pk__in=wanted))
        if len(modules) != len(wanted):
            raise Invalid("An exempted module is not a module of this program.",
                          code="MODULE_UNKNOWN")
    else:
        if not reason:
            raise Invalid("Say why the application is refused.", code="REASON_REQUIRED")
        credits, modules = 0.0, []
    decision = Decision.objects.create(application=application, outcome=outcome,
                                       credits=float(credits), reason=reason,
                                       decided_by=actor if getattr(actor, "is_authenticated",
                                                                   False) else None,
                                       decided_at=timezone.now())
    decision.exempted_modules.set(modules)
    if outcome != "refused":
        decision.credential = decision_mod.issue(actor, decision)
        decision.save(update_fields=["credential"])
    application.status = CreditApplication.Status.DECIDED
    application.save(update_fields=["status"])
    log_action(actor, "recognition.application_decided", decision,
               institution_id=program.institution_id,
               after={"application": str(application.uuid), "outcome": outcome,
                      "credits": decision.credits, "modules": [m.code for m in modules],
                      "reason": reason,
                      "credential": decision.credential.credential_id if decision.credential
                      else None})
    emit("credit_application.decided", program.institution_id, lambda: hook_data.decision(decision))
    learner = application.learner
    notify("recognition/email/decided", {
        "institution": program.institution, "program": program, "decision": decision,
        "url": public_link(f"/me/credit/{application.uuid}"),
    }, [learner_address(learner)], language=learner_language(learner))
    return decision


def queue(institution: Institution) -> list[CreditApplication]:
    """Submitted and decided applications to the institution's programs, newest first."""
    return list(CreditApplication.objects.select_related("program", "learner")
                .filter(program__institution=institution)
                .filter(Q(status=CreditApplication.Status.SUBMITTED)
                        | Q(status=CreditApplication.Status.DECIDED))
                .order_by("-status", "-submitted_at"))  # submitted before decided
