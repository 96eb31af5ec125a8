"""The decision credential: an accepted (or adjusted) credit decision, issued by the receiving
institution as a signed OB 3.0 AchievementCredential through the issuing layer.

It goes through `issuing.services` (status-list entries, the institution's key and suite,
`store_issued`: stored verbatim, audited, the version marked awarded), so it revokes, verifies
and appears in the learner's record like any other credential. The issuing layer's one-call
`issue_credential` cannot name credentials of *other* issuers as evidence (its components are
this institution's credentials), so this module uses the layers below it: build, add the
evidence, sign, store.
"""

from __future__ import annotations

import secrets
import uuid as uuid_mod
from datetime import UTC
from typing import Any

from django.utils import timezone, translation
from django.utils.text import slugify

from microdegree.catalog import services as catalog_services
from microdegree.catalog.models import AchievementType, AchievementVersion, AssessmentType
from microdegree.catalog.versions import latest_version
from microdegree.institutions.errors import Invalid
from microdegree.issuing import doctext, statuslists
from microdegree.issuing import services as issuing
from microdegree.issuing.models import IssuedCredential
from microdegree.recognition.models import Decision, Program
from microdegree.records.models import LearnerDid
from microdegree.records.record import verified_emails
from microdegree.vc.builders import Evidence
from microdegree.vc.status import status_entry

EVIDENCE_GENRE = "Recognised credential"


def _fmt(value: float) -> str:
    return f"{round(value, 2):g}"


def decision_version(program: Program) -> AchievementVersion:
    """The program's "credit recognised" achievement (created on the first decision)."""
    if program.decision_achievement is not None:
        return latest_version(program.decision_achievement)
    inst = program.institution
    base = slugify(f"credit-recognised-{program.slug}")[:70]
    slug, n = base, 1
    while inst.achievement_definitions.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    version = catalog_services.create_definition(
        None, inst, name=f"Credit recognised toward {program.name}", slug=slug,
        description=(f"Credit recognised by {inst.name} toward its program {program.name}, "
                     "based on credentials earned elsewhere, under its published recognition "
                     "agreements."),
        criteria_narrative=("Awarded when the institution's staff accept a credit application: "
                            "each credential was verified (signature, issuer, dates, status, "
                            "recipient) and evaluated against the program's agreements."),
        achievement_type=AchievementType.AWARD,
        assessment_type=AssessmentType.PRIOR_LEARNING,
        field_of_study=program.field_of_study,
        eqf_level=program.eqf_level,
    )
    program.decision_achievement = version.definition
    program.save(update_fields=["decision_achievement", "updated_at"])
    return version


def _evidence(decision: Decision) -> list[dict[str, Any]]:
    """One Evidence per credential the proposal counted, by its id."""
    out = []
    for item in decision.application.proposal.get("credentials", []):
        cred = item.get("credential") or {}
        cred_id = str(cred.get("key") or "")
        if not item.get("counted") or cred_id.startswith("urn:sha256:") or ":" not in cred_id:
            continue
        agreement = (item.get("agreement") or {}).get("name") or ""
        out.append(Evidence(
            id=cred_id, name=str(cred.get("name") or cred_id)[:200], genre=EVIDENCE_GENRE,
            description=(f"{cred.get('name') or 'Credential'} from "
                         f"{cred.get('issuer_name') or cred.get('issuer_id')}: "
                         f"{_fmt(float(item.get('credits') or 0))} credits under “{agreement}”."),
        ).to_dict())
    return out


def _ects(program: Program, credits: float) -> float:
    """Credits in the program's unit as ECTS: `creditsEarned` is in ECTS on this platform."""
    return credits if program.credit_unit == "ects" else credits * program.ects_per_us_credit_hour


def _narrative(decision: Decision) -> str:
    """The decision in words, signed into the credential: in English whatever the deciding
    staff member's language (the credential's text is the institution's record)."""
    with translation.override("en"):
        return _narrative_text(decision)


def _narrative_text(decision: Decision) -> str:
    program = decision.application.program
    unit = program.get_credit_unit_display()
    equivalent = ("" if program.credit_unit == "ects"
                  else f" (= {_fmt(_ects(program, decision.credits))} ECTS)")
    lines = [f"{_fmt(decision.credits)} {unit}{equivalent} recognised toward {program.name} "
             f"({_fmt(program.total_credits)} {unit} in all)."]
    modules = list(decision.exempted_modules.all())
    if modules:
        lines.append("Exempted modules: " + "; ".join(f"{m.code} {m.name}" for m in modules)
                     + ".")
    if decision.reason:
        lines.append(f"Decision: {decision.get_outcome_display()}. {decision.reason}")
    return "\n\n".join(lines)


def issue(actor: Any, decision: Decision) -> IssuedCredential:
    """Sign and store the decision credential (call inside the decision's transaction)."""
    application = decision.application
    program = application.program
    inst = program.institution
    emails = verified_emails(application.learner)
    if not emails:
        raise Invalid("The learner has no verified e-mail address to issue the decision to.",
                      code="LEARNER_NO_EMAIL")
    bound = LearnerDid.objects.filter(user=application.learner).first()
    version = decision_version(program)
    signer = issuing.prepare_signer(inst)
    row = issuing.validate_row({
        "recipient_email": emails[0],
        "recipient_did": bound.did if bound else "",
        "credits_earned": round(_ects(program, decision.credits), 2),
        "narrative": _narrative(decision),
        "idempotency_key": f"recognition-decision-{application.uuid}",
    })
    moment = timezone.now().astimezone(UTC).replace(microsecond=0)
    [(rev_list, rev_index)] = statuslists.allocate_indices(inst, "revocation", 1)
    [(sus_list, sus_index)] = statuslists.allocate_indices(inst, "suspension", 1)
    entries = [status_entry(rev_list.url, rev_index, "revocation")]
    if issuing.embed_suspension():
        entries.append(status_entry(sus_list.url, sus_index, "suspension"))
    cred_uuid = uuid_mod.uuid4()
    salt = secrets.token_hex(16)
    unsigned = issuing.build_credential(
        version, recipient_email=row.recipient_email, recipient_did=row.recipient_did or None,
        salt=salt, credential_id=f"urn:uuid:{cred_uuid}", issued_at=moment,
        status_entries=entries, credits_earned=row.credits_earned, narrative=row.narrative,
    )
    evidence = _evidence(decision)
    if evidence:
        unsigned["evidence"] = [*unsigned.get("evidence", []), *evidence]
    signed = signer.sign(unsigned)
    prepared = {
        "uuid": str(cred_uuid), "credential_id": f"urn:uuid:{cred_uuid}", "salt": salt,
        "issued_at": moment.isoformat().replace("+00:00", "Z"),
        "valid_until": None, "credits_earned": row.credits_earned,
        "status_list_id": rev_list.pk, "status_index": rev_index,
        "suspension_list_id": sus_list.pk, "suspension_index": sus_index,
        "document": doctext.stored_text(signed),
        "row": row.as_dict(),
    }
    [credential] = issuing.store_issued(actor, version, [prepared], send_email=False,
                                        check_pathways=False)
    return credential
