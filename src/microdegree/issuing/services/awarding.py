"""Awarding, revoking, suspending: every write here runs in one transaction with an audit entry.

Layers (the bulk-issuance jobs build on the lower ones):

- `build_credential(...)`: pure; the unsigned OB 3.0 AchievementCredential.
- `prepare_signer(inst)`: decrypt the institution's key once per batch.
- `prepare_issue(version, rows, signer=...)`: validate rows, allocate status indices in bulk (one
  short locked transaction per purpose), build and sign; returns JSON-serialisable dicts (a job may
  persist them and store later).
- `store_issued(actor, version, prepared)`: one transaction: idempotency re-check, bulk insert,
  mark the version awarded, audit, e-mail after commit, pathway check.
- `issue_credential(...)` / `issue_many(...)`: the two above in one transaction.
- `revoke`, `suspend`, `unsuspend`; `check_pathways`, `approve_microdegree`, `reject_microdegree`;
  API tokens.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import logging
import secrets
import uuid as uuid_mod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from microdegree import config
from microdegree.audit.models import AuditEntry
from microdegree.audit.services import actor_label, log_action
from microdegree.catalog import rules as catalog_rules
from microdegree.catalog import services as catalog_services
from microdegree.catalog.achievement import achievement_builder, issuer_profile
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions import services as inst_services
from microdegree.institutions.models import Institution
from microdegree.issuing import copyinsert, doctext, mail, statuslists, template
from microdegree.issuing.errors import Conflict, Invalid, NotFound, PermissionDenied
from microdegree.issuing.models import ApiToken, IssuedCredential, PendingMicrodegree
from microdegree.vc import builders as b
from microdegree.vc import proofs
from microdegree.vc.builders.identity import hash_identity, plain_identity
from microdegree.vc.credits import CreditsInvalid, parse_credits
from microdegree.vc.schema import OB_ACHIEVEMENT_CREDENTIAL
from microdegree.vc.status import status_entry

State = IssuedCredential.State
log = logging.getLogger(__name__)


def embed_suspension() -> bool:
    """Whether credentials carry a suspension entry besides the revocation entry.

    OB 3.0 gives a credential ONE `credentialStatus` ([0..1]; both JSON Schema flavours: an
    object), so a credential with two entries is not OB-conformant and fails schema validation
    (and 1EdTech certification). By default a credential names its revocation entry only; a
    suspension index is still allocated and kept in step. The environment variable
    `MICRODEGREE_ISSUING_EMBED_SUSPENSION=1` (or the Django setting of that name) embeds both
    as an array (VCDM 2.0 and Bitstring Status List conformant: outside verifiers then read a
    suspension) and names no `credentialSchema`. Why: docs/adr/0006-suspension-status-entry.md.
    """
    default = bool(getattr(settings, "MICRODEGREE_ISSUING_EMBED_SUSPENSION", False))
    return config.env_bool("ISSUING_EMBED_SUSPENSION", default)


# --- small helpers --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # a batch repeats its dates; the value is the instant's
def _iso(moment: datetime | date) -> str:
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def add_months(moment: datetime, months: int) -> datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    return moment.replace(year=year, month=month,
                          day=min(moment.day, calendar.monthrange(year, month)[1]))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _snapshot(cred: IssuedCredential) -> dict[str, Any]:
    return {"state": cred.state, "reason": cred.state_reason,
            "credential_id": cred.credential_id}


# --- the pure builder -----------------------------------------------------------------------


@dataclass(frozen=True)
class _BuiltAchievement:
    """An Achievement built and checked once per batch (the core builder only calls to_dict)."""

    document: dict[str, Any]
    name: str

    def to_dict(self) -> dict[str, Any]:
        return self.document


def _issuer(inst: Institution) -> b.Profile:
    """The issuer Profile without the address: `achievement.creator` (the same institution)
    already states it in the same credential, and two identical address nodes would give the
    RDFC canonicaliser equal first-degree blank-node hashes, pushing every credential off the
    core's fast path (about 3x slower to sign)."""
    full = issuer_profile(inst)
    return b.Profile(id=full.id, name=full.name, url=full.url, email=full.email)


def build_credential(
    version: AchievementVersion,
    *,
    recipient_email: str,
    recipient_name: str | None = None,
    recipient_did: str | None = None,
    salt: str,
    credential_id: str,
    issued_at: datetime,
    status_entries: Sequence[dict[str, Any]],
    credits_earned: float | None = None,
    result: str | None = None,
    narrative: str | None = None,
    evidence_url: str | None = None,
    activity_start: datetime | date | None = None,
    activity_end: datetime | date | None = None,
    components: Sequence[IssuedCredential] = (),
    achievement: Any = None,
    issuer: b.Profile | None = None,
) -> dict[str, Any]:
    """The unsigned OB 3.0 AchievementCredential (no database writes), built by the core.

    The recipient is a salted `sha256$` IdentityObject of the e-mail address (never the plain
    address), plus an unhashed `name` IdentityObject only when a name is given. A microdegree
    names each component credential as an `evidence` entry whose `id` is that credential's id,
    and carries the summed `creditsEarned` (docs/adr/0004-microdegree-components.md).
    `achievement` (an object with `to_dict()`) and `issuer` let a batch build them once.
    """
    inst = version.definition.institution
    identifiers = [hash_identity(normalise_email(recipient_email), salt, "emailAddress")]
    if recipient_name:
        identifiers.append(plain_identity(recipient_name, "name"))
    if components and credits_earned is None:
        credits_earned = sum(c.credits_earned or 0 for c in components)
    evidence: list[b.Evidence] = []
    if evidence_url:
        evidence.append(b.Evidence(id=evidence_url, name="Evidence"))
    for part in components:
        part_name = part.achievement_version.name
        credits = (f", {_number(part.credits_earned)} credits"
                   if part.credits_earned is not None else "")
        evidence.append(b.Evidence(
            id=part.credential_id, name=part_name, genre="Component credential",
            description=f"Component credential: {part_name}{credits}.",
        ))
    return b.OpenBadgeCredential(
        issuer=issuer or _issuer(inst),
        achievement=achievement or achievement_builder(version),
        subject_id=recipient_did or None,
        identifier=identifiers,
        credential_id=credential_id,
        valid_from=_iso(issued_at),
        valid_until=(_iso(add_months(issued_at, version.validity_months))
                     if version.validity_months else None),
        awarded_date=_iso(issued_at),
        name=version.name,
        credits_earned=_number(credits_earned),
        result=[b.Result(value=str(result), status="Completed")] if result else (),
        narrative=narrative or None,
        activity_start_date=_iso(activity_start) if activity_start is not None else None,
        activity_end_date=_iso(activity_end) if activity_end is not None else None,
        evidence=evidence,
        credential_status=[dict(e) for e in status_entries],
        credential_schema=_schema_for(status_entries),
    ).to_dict()


# --- rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardRow:
    """One award's per-recipient data (a form, an API body or a CSV row)."""

    recipient_email: str
    recipient_name: str = ""
    recipient_identifier: str = ""
    recipient_did: str = ""
    credits_earned: float | None = None
    result: str = ""
    narrative: str = ""
    evidence_url: str = ""
    activity_start: datetime | None = None
    activity_end: datetime | None = None
    idempotency_key: str | None = None
    components: tuple[int, ...] = field(default=())  # IssuedCredential pks

    def as_dict(self) -> dict[str, Any]:
        return {
            "recipient_email": self.recipient_email, "recipient_name": self.recipient_name,
            "recipient_identifier": self.recipient_identifier,
            "recipient_did": self.recipient_did, "credits_earned": self.credits_earned,
            "result": self.result, "narrative": self.narrative,
            "evidence_url": self.evidence_url,
            "activity_start": _iso(self.activity_start) if self.activity_start else None,
            "activity_end": _iso(self.activity_end) if self.activity_end else None,
            "idempotency_key": self.idempotency_key, "components": list(self.components),
        }


_ROW_FIELDS = set(AwardRow.__dataclass_fields__)


def _when(value: Any, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        parsed = parse_datetime(value.strip())
        if parsed is None and (day := parse_date(value.strip())) is not None:
            parsed = datetime(day.year, day.month, day.day)
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise Invalid(f"{name} is not a date (use YYYY-MM-DD).", code="DATE_INVALID")


def validate_row(row: AwardRow | Mapping[str, Any]) -> AwardRow:
    """Check and normalise one row; raises `Invalid` with a code and a sentence."""
    if isinstance(row, AwardRow):
        row = row.as_dict()
    unknown = set(row) - _ROW_FIELDS
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.", code="FIELD_UNKNOWN")
    email = normalise_email(str(row.get("recipient_email") or ""))
    if not email:
        raise Invalid("The recipient's e-mail address is required.", code="EMAIL_REQUIRED")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid(f"{email!r} is not a valid e-mail address.",
                      code="EMAIL_INVALID") from exc
    evidence = str(row.get("evidence_url") or "").strip()
    if evidence:
        try:
            URLValidator(schemes=["http", "https"])(evidence)
        except ValidationError as exc:
            raise Invalid("The evidence URL is not a valid http(s) URL.",
                          code="EVIDENCE_URL_INVALID") from exc
    did = str(row.get("recipient_did") or "").strip()
    if did and not did.startswith("did:"):
        raise Invalid("The recipient DID must start with 'did:'.", code="DID_INVALID")
    try:
        credits = parse_credits(row.get("credits_earned"), "credits_earned")
    except CreditsInvalid as exc:
        raise Invalid(exc.message, code=exc.code) from exc
    start = _when(row.get("activity_start"), "The activity start date")
    end = _when(row.get("activity_end"), "The activity end date")
    if start and end and end < start:
        raise Invalid("The activity ends before it starts.", code="DATES_INVALID")
    key = row.get("idempotency_key")
    key = str(key).strip()[:200] if key not in (None, "") else None
    return AwardRow(
        recipient_email=email,
        recipient_name=str(row.get("recipient_name") or "").strip()[:200],
        recipient_identifier=str(row.get("recipient_identifier") or "").strip()[:200],
        recipient_did=did,
        credits_earned=credits,
        result=str(row.get("result") or "").strip()[:100],
        narrative=str(row.get("narrative") or "").strip(),
        evidence_url=evidence,
        activity_start=start,
        activity_end=end,
        idempotency_key=key,
        components=tuple(int(getattr(c, "pk", c)) for c in row.get("components") or ()),
    )


# --- signing in batches ---------------------------------------------------------------------


@dataclass(frozen=True)
class Signer:
    """An institution's decrypted key, its verification method and suite: open once per batch."""

    institution: Institution
    key: Any
    verification_method: str
    suite: str

    def sign(self, document: dict[str, Any]) -> dict[str, Any]:
        return proofs.sign(document, self.key, verification_method=self.verification_method,
                             suite=self.suite)


def prepare_signer(inst: Institution) -> Signer:
    key, vm = inst_services.signer_for(inst)
    return Signer(institution=inst, key=key, verification_method=vm, suite=inst.suite)


def _check_can_award(version: AchievementVersion) -> Institution:
    inst = version.definition.institution
    if not inst.is_approved:
        raise PermissionDenied("The institution is not approved yet, so it cannot award.",
                               code="INSTITUTION_NOT_APPROVED")
    return inst


def prepare_issue(
    version: AchievementVersion,
    rows: Sequence[AwardRow | Mapping[str, Any]],
    *,
    signer: Signer | None = None,
    issued_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """Validate, allocate status indices (in bulk), build and sign: one dict per row.

    Each dict is JSON-serialisable: `uuid`, `credential_id`, `salt`, `issued_at`, `valid_until`,
    `status_list_id`, `status_index`, `suspension_list_id`, `suspension_index`, `document` (the
    exact signed text to store) and `row` (the validated row). Nothing is stored yet: pass the
    list to `store_issued`. Allocated indices of rows never stored are simply never used.
    """
    inst = _check_can_award(version)
    signer = signer or prepare_signer(inst)
    if signer.institution.pk != inst.pk:
        raise Invalid("The signer belongs to another institution.", code="SIGNER_MISMATCH")
    valid = [validate_row(r) for r in rows]
    if not valid:
        return []
    if version.definition.is_microdegree and any(not r.components for r in valid):
        raise Invalid("A microdegree is awarded with its component credentials (it is awarded "
                      "automatically when its pathway is complete).", code="COMPONENTS_REQUIRED")
    built = achievement_builder(version)
    achievement = _BuiltAchievement(document=built.to_dict(), name=built.name)
    issuer = _issuer(inst)
    moment = (issued_at or timezone.now()).astimezone(UTC).replace(microsecond=0)
    valid_until = (add_months(moment, version.validity_months)
                   if version.validity_months else None)
    with transaction.atomic():  # one commit for both lists (always revocation first: no deadlock)
        revocation = statuslists.allocate_indices(inst, "revocation", len(valid))
        suspension = statuslists.allocate_indices(inst, "suspension", len(valid))
    parts_by_pk = _components(inst, {pk for r in valid for pk in r.components})
    with_suspension = embed_suspension()
    batch = _Batch(version, issued_at=moment, achievement=achievement, issuer=issuer)
    # Each row's uuid4 and salt from one read of the CSPRNG (os.urandom, as uuid4 and
    # token_hex read it): one syscall per batch instead of two per row.
    randomness = secrets.token_bytes(32 * len(valid))
    issued_iso = _iso(moment)  # the batch's shared values, formatted once
    until_iso = _iso(valid_until) if valid_until else None
    urls: dict[int, str] = {}  # StatusList.url per list (a property that formats each time)
    out: list[dict[str, Any]] = []  # PreparedAward dicts
    document_text = doctext.BatchText()
    for n, (row, (rev_list, rev_index), (sus_list, sus_index)) in enumerate(zip(
        valid, revocation, suspension, strict=True
    )):
        drawn = randomness[32 * n:32 * n + 32]
        cred_uuid = uuid_mod.UUID(bytes=drawn[:16], version=4)  # = uuid.uuid4()
        credential_id = f"urn:uuid:{cred_uuid}"
        salt = drawn[16:].hex()  # = secrets.token_hex(16)
        rev_url = urls.get(rev_list.pk) or urls.setdefault(rev_list.pk, rev_list.url)
        entries = [status_entry(rev_url, rev_index, "revocation")]
        if with_suspension:
            sus_url = urls.get(sus_list.pk) or urls.setdefault(sus_list.pk, sus_list.url)
            entries.append(status_entry(sus_url, sus_index, "suspension"))
        parts = [parts_by_pk[pk] for pk in row.components]
        unsigned = batch.build(row, salt=salt, credential_id=credential_id,
                               status_entries=entries, components=parts)
        signed = signer.sign(unsigned)
        credits = row.credits_earned
        if credits is None and parts:
            credits = sum(p.credits_earned or 0 for p in parts)
        prepared = PreparedAward({
            "uuid": str(cred_uuid),
            "credential_id": credential_id,
            "salt": salt,
            "issued_at": issued_iso,
            "valid_until": until_iso,
            "credits_earned": credits,
            "status_list_id": rev_list.pk,
            "status_index": rev_index,
            "suspension_list_id": sus_list.pk,
            "suspension_index": sus_index,
            "document": document_text(signed, credits=_number(credits)),
            "row": row.as_dict(),
        })
        prepared.validated = row
        out.append(prepared)
    return out


class PreparedAward(dict[str, Any]):
    """One `prepare_issue` result: a plain JSON-serialisable dict (json.dumps writes it as one)
    that also remembers the validated `AwardRow` its "row" came from, so `store_issued` need
    not parse and check the row a second time. A dict built elsewhere (or reloaded from JSON)
    has no such memory and is validated again."""

    validated: AwardRow | None = None


def _validated(item: Mapping[str, Any]) -> AwardRow:
    row = getattr(item, "validated", None)
    return row if row is not None else validate_row(item["row"])


def _row_values(row: AwardRow) -> dict[str, Any]:
    """The builder's per-row arguments (besides salt, id, status and components)."""
    return {
        "recipient_email": row.recipient_email,
        "recipient_name": row.recipient_name or None,
        "recipient_did": row.recipient_did or None,
        "credits_earned": row.credits_earned,
        "result": row.result or None,
        "narrative": row.narrative or None,
        "evidence_url": row.evidence_url or None,
        "activity_start": row.activity_start,
        "activity_end": row.activity_end,
    }


def _schema_for(status_entries: Sequence[Mapping[str, Any]]) -> list[str] | None:
    # The OB schemas allow one credentialStatus object (see `embed_suspension`).
    return [OB_ACHIEVEMENT_CREDENTIAL] if len(status_entries) <= 1 else None


class _Batch:
    """Builds a batch's unsigned credentials: `build_credential` for the first row of each row
    shape, then that shape's template (`issuing.template`) once it reproduced the builder's
    output for that row, byte for byte as JSON. Rows with components always use the builder."""

    def __init__(self, version: AchievementVersion, *, issued_at: datetime,
                 achievement: Any, issuer: b.Profile) -> None:
        self.version, self.issued_at = version, issued_at
        self.achievement, self.issuer = achievement, issuer
        self.templates: dict[template.Shape, template.CredentialTemplate | None] = {}

    def _builder(self, row: AwardRow, *, salt: str, credential_id: str,
                 status_entries: Sequence[dict[str, Any]],
                 components: Sequence[IssuedCredential] = ()) -> dict[str, Any]:
        return build_credential(
            self.version, **_row_values(row), salt=salt, credential_id=credential_id,
            issued_at=self.issued_at, status_entries=status_entries, components=components,
            achievement=self.achievement, issuer=self.issuer)

    def build(self, row: AwardRow, *, salt: str, credential_id: str,
              status_entries: Sequence[dict[str, Any]],
              components: Sequence[IssuedCredential] = ()) -> dict[str, Any]:
        if components or not use_templates():
            return self._builder(row, salt=salt, credential_id=credential_id,
                                 status_entries=status_entries, components=components)
        shape = template.shape_of(row)
        if shape not in self.templates:
            built = self._builder(row, salt=salt, credential_id=credential_id,
                                  status_entries=status_entries)
            self.templates[shape] = self._template(shape, len(status_entries))
            if self.templates[shape] is not None and self._fill(
                shape, row, salt, credential_id, status_entries
            ) != built:
                log.warning("credential template differs from the builder; using the builder")
                self.templates[shape] = None
            return built
        if self.templates[shape] is None:
            return self._builder(row, salt=salt, credential_id=credential_id,
                                 status_entries=status_entries)
        return self._fill(shape, row, salt, credential_id, status_entries)

    def _fill(self, shape: template.Shape, row: AwardRow, salt: str, credential_id: str,
              status_entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
        compiled = self.templates[shape]
        assert compiled is not None
        return compiled.fill(template.slot_values(
            shape, email=normalise_email(row.recipient_email), salt=salt,
            credential_id=credential_id, status_entries=[dict(e) for e in status_entries],
            credential_schema=_schema_for(status_entries),
            name=row.recipient_name or None, did=row.recipient_did or None,
            credits=_number(row.credits_earned), result=row.result or None,
            narrative=row.narrative or None, evidence=row.evidence_url or None,
            start=_iso(row.activity_start) if row.activity_start is not None else None,
            end=_iso(row.activity_end) if row.activity_end is not None else None,
        ))

    def _template(self, shape: template.Shape, entries: int
                  ) -> template.CredentialTemplate | None:
        s = template.Sentinels.new()
        status = [status_entry(f"https://status{n}.{s.salt}.invalid/list", n, "revocation")
                  for n in range(entries)]
        unsigned = build_credential(
            self.version, recipient_email=s.email, salt=s.salt, credential_id=s.credential_id,
            issued_at=self.issued_at, status_entries=status,
            recipient_name=s.name if shape.name else None,
            recipient_did=s.did if shape.did else None,
            credits_earned=s.credits if shape.credits else None,
            result=s.result if shape.result else None,
            narrative=s.narrative if shape.narrative else None,
            evidence_url=s.evidence if shape.evidence else None,
            activity_start=s.start if shape.start else None,
            activity_end=s.end if shape.end else None,
            achievement=self.achievement, issuer=self.issuer)
        slots: dict[Any, str] = {
            s.credential_id: "credential_id", s.salt: "salt",
            hash_identity(s.email, s.salt, "emailAddress")["identityHash"]: "identity_hash",
        }
        for on, value, name in (
            (shape.name, s.name, "name"), (shape.did, s.did, "did"),
            (shape.credits, s.credits, "credits"), (shape.result, s.result, "result"),
            (shape.narrative, s.narrative, "narrative"),
            (shape.evidence, s.evidence, "evidence"),
            (shape.start, _iso(s.start), "start"), (shape.end, _iso(s.end), "end"),
        ):
            if on:
                slots[value] = name
        try:
            return template.CredentialTemplate(unsigned, slots)
        except template.TemplateError:
            log.warning("no credential template for this shape; using the builder",
                        exc_info=True)
            return None


def use_templates() -> bool:
    """`MICRODEGREE_ISSUING_TEMPLATES=0` builds every credential with the builder."""
    return config.env_bool("ISSUING_TEMPLATES", True)


def _components(inst: Institution, pks: Iterable[int]) -> dict[int, IssuedCredential]:
    pks = set(pks)
    if not pks:
        return {}
    found = {
        c.pk: c for c in IssuedCredential.objects.select_related("achievement_version")
        .filter(pk__in=pks, institution=inst)
    }
    if set(found) != pks:
        raise Invalid("A component credential does not exist at this institution.",
                      code="COMPONENT_UNKNOWN")
    return found


def _existing_for_key(inst: Institution, key: str, row: AwardRow,
                      version: AchievementVersion,
                      existing: IssuedCredential | None = None) -> IssuedCredential:
    """The credential already stored under `key`: the same award, or a Conflict."""
    if existing is None:
        existing = IssuedCredential.objects.get(institution=inst, idempotency_key=key)
    if (existing.recipient_email != row.recipient_email
            or existing.achievement_version_id != version.pk):
        raise Conflict(
            "This idempotency key was already used for a different award.",
            code="IDEMPOTENCY_KEY_REUSED",
        )
    return existing


def store_issued(
    actor: Any,
    version: AchievementVersion,
    prepared: Sequence[dict[str, Any]],
    *,
    send_email: bool = True,
    check_pathways: bool = True,
    keys_unused: bool = False,
) -> list[IssuedCredential]:
    """Store prepared credentials verbatim in one transaction; one result per prepared row.

    A row whose idempotency key is already stored returns the stored credential instead (nothing is
    issued twice). Then: the version is marked awarded, each award is audited, e-mails go out after
    commit, and microdegrees the recipients now complete are awarded (or queued for approval).

    `keys_unused=True` skips the look-up of stored keys before the insert: for a caller that
    knows its keys are not stored yet (the bulk worker, which holds its rows locked while they
    are pending). Idempotency does not depend on it: the keys are unique in the database, so a
    key that is stored after all makes the bulk insert fail and `_insert` resolves each row on
    its own (the stored credential for the same award, a Conflict for another), as here.
    """
    inst = _check_can_award(version)
    with transaction.atomic():
        rows = [_validated(p) for p in prepared]
        keys = [r.idempotency_key for r in rows if r.idempotency_key]
        existing = {} if keys_unused else {
            c.idempotency_key: c
            for c in IssuedCredential.objects.filter(institution=inst, idempotency_key__in=keys)
        }
        results: list[IssuedCredential | None] = []
        new: list[tuple[IssuedCredential, AwardRow]] = []
        when = functools.lru_cache(maxsize=8)(parse_datetime)  # a batch shares its dates
        user = actor if getattr(actor, "is_authenticated", False) else None
        cache_institution = IssuedCredential.institution.field.set_cached_value
        cache_version = IssuedCredential.achievement_version.field.set_cached_value
        cache_user = IssuedCredential.issued_by.field.set_cached_value
        seen_keys: dict[str, int] = {}
        for item, row in zip(prepared, rows, strict=True):
            key = row.idempotency_key
            if key and key in existing:
                results.append(_existing_for_key(inst, key, row, version, existing[key]))
                continue
            if key and key in seen_keys:  # the same key twice in one batch: first one wins
                results.append(None)
                continue
            if key:
                seen_keys[key] = len(results)
            cred = copyinsert.new_instance(IssuedCredential, {
                "uuid": uuid_mod.UUID(item["uuid"]),
                "institution_id": inst.pk,
                "achievement_version_id": version.pk,
                "recipient_email": row.recipient_email,
                "recipient_name": row.recipient_name,
                "recipient_identifier": row.recipient_identifier,
                "recipient_did": row.recipient_did,
                "identity_salt": item["salt"],
                "document": item["document"],
                "credential_id": item["credential_id"],
                "issued_at": when(item["issued_at"]),
                "valid_from": when(item["issued_at"]),
                "valid_until": when(item["valid_until"]) if item["valid_until"] else None,
                "credits_earned": item.get("credits_earned", row.credits_earned),
                "result_value": row.result,
                "narrative": row.narrative,
                "evidence_url": row.evidence_url,
                "status_list_id": item["status_list_id"],
                "status_index": item["status_index"],
                "suspension_list_id": item["suspension_list_id"],
                "suspension_index": item["suspension_index"],
                "idempotency_key": key,
                "issued_by_id": user.pk if user is not None else None,
            })
            # what IssuedCredential(institution=..., ...) would cache on the instance
            cache_institution(cred, inst)
            cache_version(cred, version)
            if user is not None:
                cache_user(cred, user)
            results.append(cred)
            new.append((cred, row))
        stored = _insert(inst, version, new)
        fresh = [c for c, _ in new if stored[c.uuid] is c]
        for index, maybe in enumerate(results):
            if maybe is None:  # the same key twice in one batch resolves to its first row
                key = rows[index].idempotency_key
                assert key is not None
                maybe = results[seen_keys[key]]
            assert maybe is not None
            results[index] = stored.get(maybe.uuid, maybe)
        if fresh and version.awarded_at is None:  # (once awarded, a version never changes)
            catalog_services.mark_awarded(version)
        _audit_issued(actor, inst, version, fresh)
        if send_email and fresh:
            ids = [c.pk for c in fresh]
            transaction.on_commit(lambda: mail.send_award_emails(ids))
        if check_pathways and fresh:
            pathways = catalog_services.pathways_containing(version.definition)
            if pathways:  # looked up once per batch: most achievements are in no pathway
                for email in dict.fromkeys(c.recipient_email for c in fresh):
                    pathway_check(actor, inst, version, email, send_email=send_email,
                                  pathways=pathways)
    return [c for c in results if c is not None]


def _issued_after(cred: IssuedCredential, version: AchievementVersion) -> dict[str, Any]:
    return {"credential_id": cred.credential_id, "achievement_version": version.pk,
            "recipient": cred.recipient_email, "state": cred.state}


def _audit_issued(actor: Any, inst: Institution, version: AchievementVersion,
                  creds: Sequence[IssuedCredential]) -> None:
    """One "issuing.credential_issued" entry per credential; a batch is one statement.

    The entries are exactly what `log_action` writes (same fields, same actor resolution, the
    `_issued_after` values); only the insert is batched, since one statement per row would
    dominate bulk issuance on a server. On PostgreSQL the database builds the entries from the
    credential rows just inserted (`INSERT ... SELECT`): no Python work per credential.
    """
    if len(creds) == 1:
        log_action(actor, "issuing.credential_issued", creds[0], institution_id=inst.pk,
                   after=_issued_after(creds[0], version))
        return
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = actor_label(actor)
    if connection.vendor == "postgresql":
        _audit_issued_in_database(user, label, inst, version, creds)
        return
    copyinsert.insert_rows(AuditEntry, [
        copyinsert.new_instance(AuditEntry, {
            "actor_id": user.pk if user is not None else None, "actor_label": label,
            "action": "issuing.credential_issued", "object_type": IssuedCredential._meta.label,
            "object_id": str(cred.pk), "institution_id": inst.pk,
            "after": _issued_after(cred, version)})
        for cred in creds
    ])


def _audit_issued_in_database(user: Any, label: str, inst: Institution,
                              version: AchievementVersion,
                              creds: Sequence[IssuedCredential]) -> None:
    """`_audit_issued`'s entries built by PostgreSQL from the stored rows, in pk order."""
    audit, cred = AuditEntry._meta, IssuedCredential._meta
    q = connection.ops.quote_name
    columns = ", ".join(q(audit.get_field(name).column) for name in (
        "created_at", "actor", "actor_label", "action", "object_type", "object_id",
        "institution_id", "before", "after", "note"))
    c = {name: "c." + q(cred.get_field(name).column) for name in (
        "id", "credential_id", "recipient_email", "state", "institution")}
    # Only quoted names from the models' metadata are formatted in; every value is a parameter.
    sql = (f"INSERT INTO {q(audit.db_table)} ({columns}) "  # noqa: S608
           f"SELECT %s, %s, %s, %s, %s, {c['id']}::text, %s, NULL, jsonb_build_object("
           f"'credential_id', {c['credential_id']}, 'achievement_version', %s::bigint, "
           f"'recipient', {c['recipient_email']}, 'state', {c['state']}), '' "
           f"FROM {q(cred.db_table)} c WHERE {c['id']} = ANY(%s) "
           f"AND {c['institution']} = %s ORDER BY {c['id']}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), user.pk if user is not None else None, label,
                             "issuing.credential_issued", cred.label, inst.pk, version.pk,
                             [x.pk for x in creds], inst.pk])
        assert cursor.rowcount == len(creds), "every stored credential gets its entry"


def _insert(inst: Institution, version: AchievementVersion,
            new: list[tuple[IssuedCredential, AwardRow]]) -> dict[uuid_mod.UUID, IssuedCredential]:
    """Bulk insert; on a concurrent idempotency-key clash fall back to one savepoint per row."""
    if not new:
        return {}
    out: dict[uuid_mod.UUID, IssuedCredential] = {}
    try:
        with transaction.atomic():
            copyinsert.insert_rows(IssuedCredential, [c for c, _ in new])
    except IntegrityError:
        for cred, row in new:
            try:
                with transaction.atomic():
                    cred.save(force_insert=True)
            except IntegrityError:
                cred.pk = None
                if not row.idempotency_key:
                    raise
                out[cred.uuid] = _existing_for_key(inst, row.idempotency_key, row, version)
                continue
            out[cred.uuid] = cred
    else:
        if any(c.pk is None for c, _ in new):  # a backend that returns no ids
            by_uuid = {c.uuid: c for c in IssuedCredential.objects.filter(
                uuid__in=[c.uuid for c, _ in new])}
            for cred, _ in new:
                cred.pk = by_uuid[cred.uuid].pk
        out = {c.uuid: c for c, _ in new}
    through = IssuedCredential.components.through
    links = [
        through(from_issuedcredential_id=out[c.uuid].pk, to_issuedcredential_id=pk)
        for c, row in new for pk in row.components
        if out[c.uuid] is c  # freshly inserted, not an idempotent replay
    ]
    if links:
        through.objects.bulk_create(links, ignore_conflicts=True)
    return out


def issue_many(
    actor: Any,
    version: AchievementVersion,
    rows: Sequence[AwardRow | Mapping[str, Any]],
    *,
    send_email: bool = True,
    check_pathways: bool = True,
) -> list[IssuedCredential]:
    """Issue several credentials of one version in one transaction (key opened once)."""
    with transaction.atomic():
        prepared = prepare_issue(version, rows)
        return store_issued(actor, version, prepared, send_email=send_email,
                            check_pathways=check_pathways)


def issue_credential(
    actor: Any,
    version: AchievementVersion,
    *,
    recipient_email: str,
    recipient_name: str = "",
    recipient_identifier: str = "",
    recipient_did: str = "",
    credits_earned: float | None = None,
    result: str = "",
    narrative: str = "",
    evidence_url: str = "",
    activity_start: datetime | date | str | None = None,
    activity_end: datetime | date | str | None = None,
    components: Sequence[IssuedCredential | int] = (),
    idempotency_key: str | None = None,
    send_email: bool = True,
    check_pathways: bool = True,
) -> IssuedCredential:
    """Award `version` to one recipient: signed, stored verbatim, e-mailed, pathways checked.

    With an `idempotency_key` already used at this institution for the same award, returns the
    stored credential and issues nothing (a different award under the same key is a Conflict).
    """
    row = validate_row({
        "recipient_email": recipient_email, "recipient_name": recipient_name,
        "recipient_identifier": recipient_identifier, "recipient_did": recipient_did,
        "credits_earned": credits_earned, "result": result, "narrative": narrative,
        "evidence_url": evidence_url, "activity_start": activity_start,
        "activity_end": activity_end, "idempotency_key": idempotency_key,
        "components": list(components),
    })
    inst = _check_can_award(version)
    with transaction.atomic():
        if row.idempotency_key and IssuedCredential.objects.filter(
            institution=inst, idempotency_key=row.idempotency_key
        ).exists():
            return _existing_for_key(inst, row.idempotency_key, row, version)
        prepared = prepare_issue(version, [row])
        return store_issued(actor, version, prepared, send_email=send_email,
                            check_pathways=check_pathways)[0]


# --- status changes -------------------------------------------------------------------------


def _change_state(actor: Any, cred: IssuedCredential, reason: str, action: str) -> IssuedCredential:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give a reason.", code="REASON_REQUIRED")
    with transaction.atomic():
        locked = IssuedCredential.objects.select_for_update().get(pk=cred.pk)
        before = _snapshot(locked)
        statuslists.move_to(locked, "active" if action == "unsuspended" else action)
        locked.state_reason = reason
        locked.state_changed_at = timezone.now()
        locked.save(update_fields=["state", "state_reason", "state_changed_at"])
        log_action(actor, f"issuing.credential_{action}", locked,
                   institution_id=locked.institution_id, before=before, after=_snapshot(locked))
        if action == "unsuspended":  # valid again: it may complete a pathway now
            pathway_check(actor, locked.institution, locked.achievement_version,
                          locked.recipient_email)
    cred.state, cred.state_reason = locked.state, locked.state_reason
    cred.state_changed_at = locked.state_changed_at
    return locked


def revoke(actor: Any, credential: IssuedCredential, reason: str) -> IssuedCredential:
    """Revoke for good: sets the credential's bit in its revocation list."""
    return _change_state(actor, credential, reason, "revoked")


def suspend(actor: Any, credential: IssuedCredential, reason: str) -> IssuedCredential:
    return _change_state(actor, credential, reason, "suspended")


def unsuspend(actor: Any, credential: IssuedCredential, reason: str) -> IssuedCredential:
    return _change_state(actor, credential, reason, "unsuspended")


def reissue(
    actor: Any, credential: IssuedCredential, *, reason: str,
    recipient_email: str | None = None, recipient_name: str | None = None,
    send_email: bool = True,
) -> IssuedCredential:
    """A corrected copy (e.g. a changed name or e-mail address) of an active credential.

    The new credential has the same achievement version, result, evidence and components; the
    old one is revoked with `reason` and points to its successor (`superseded_by`).
    """
    if not (reason or "").strip():
        raise Invalid("Give a reason.", code="REASON_REQUIRED")
    with transaction.atomic():
        old = IssuedCredential.objects.select_for_update().select_related(
            "achievement_version").get(pk=credential.pk)
        if old.state == State.REVOKED:
            raise Conflict("A revoked credential cannot be re-issued.", code="ALREADY_REVOKED")
        new = issue_credential(
            actor, old.achievement_version,
            recipient_email=recipient_email or old.recipient_email,
            recipient_name=old.recipient_name if recipient_name is None else recipient_name,
            recipient_identifier=old.recipient_identifier, recipient_did=old.recipient_did,
            credits_earned=old.credits_earned, result=old.result_value,
            narrative=old.narrative, evidence_url=old.evidence_url,
            components=list(old.components.all()), send_email=send_email,
            check_pathways=False,
        )
        revoke(actor, old, f"Superseded by {new.credential_id}: {reason.strip()}")
        IssuedCredential.objects.filter(pk=old.pk).update(superseded_by=new)
        log_action(actor, "issuing.credential_reissued", old, institution_id=old.institution_id,
                   before={"credential_id": old.credential_id,
                           "recipient": old.recipient_email, "name": old.recipient_name},
                   after={"credential_id": new.credential_id,
                          "recipient": new.recipient_email, "name": new.recipient_name},
                   note=reason.strip())
    credential.refresh_from_db()
    return new


# --- pathways (microdegrees) ----------------------------------------------------------------


def valid_credentials(inst: Institution, email: str) -> list[IssuedCredential]:
    """The recipient's active, unexpired credentials at `inst` (newest first)."""
    now = timezone.now()
    return list(
        IssuedCredential.objects.select_related("achievement_version")
        .filter(institution=inst, recipient_email=normalise_email(email), state=State.ACTIVE,
                valid_from__lte=now)
        .exclude(valid_until__lt=now)
        .order_by("-issued_at", "-id")
    )


def _holdings(creds: Sequence[IssuedCredential]) -> tuple[dict[int, float],
                                                           dict[int, IssuedCredential]]:
    holdings: dict[int, float] = {}
    best: dict[int, IssuedCredential] = {}
    for cred in creds:
        definition_id = cred.achievement_version.definition_id
        credits = cred.credits_earned
        if credits is None:
            credits = cred.achievement_version.credits_available or 0.0
        if definition_id not in holdings or credits > holdings[definition_id]:
            holdings[definition_id] = float(credits)
            best[definition_id] = cred
    return holdings, best


def pathway_check(
    actor: Any, inst: Institution, version: AchievementVersion, email: str, *,
    send_email: bool = True, pathways: Sequence[AchievementVersion] | None = None,
) -> list[IssuedCredential | PendingMicrodegree]:
    """Award (or queue for approval) every microdegree containing `version` that `email` completes.

    Only the recipient's valid credentials at the microdegree's institution count. A microdegree
    already held (not revoked) or already waiting for approval is not awarded again. `pathways`
    (catalog.services.pathways_containing of the version's definition) saves the look-up.
    """
    out: list[IssuedCredential | PendingMicrodegree] = []
    if pathways is None:
        pathways = catalog_services.pathways_containing(version.definition)
    for md_version in pathways:
        md_inst = md_version.definition.institution
        if md_inst.pk != inst.pk or not md_version.rule:
            continue
        held = IssuedCredential.objects.filter(
            institution=md_inst, recipient_email=normalise_email(email),
            achievement_version__definition=md_version.definition,
        ).exclude(state=State.REVOKED)
        if held.exists() or PendingMicrodegree.objects.filter(
            achievement_version__definition=md_version.definition,
            recipient_email=normalise_email(email), state=PendingMicrodegree.State.PENDING,
        ).exists():
            continue
        creds = valid_credentials(md_inst, email)
        holdings, best = _holdings(creds)
        result = catalog_rules.evaluate(md_version.rule, holdings)
        if not result.satisfied:
            continue
        parts = [best[d] for d in result.components if d in best]
        name = next((c.recipient_name for c in creds if c.recipient_name), "")
        if md_inst.approve_microdegrees:
            out.append(_queue_microdegree(actor, md_version, email, name, parts, result.credits))
        else:
            out.append(issue_credential(
                actor, md_version, recipient_email=email, recipient_name=name,
                credits_earned=result.credits, components=parts, send_email=send_email,
            ))
    return out


def _queue_microdegree(actor: Any, version: AchievementVersion, email: str, name: str,
                       parts: Sequence[IssuedCredential], credits: float) -> PendingMicrodegree:
    pending = PendingMicrodegree.objects.create(
        institution=version.definition.institution, achievement_version=version,
        recipient_email=normalise_email(email), recipient_name=name, credits=credits,
    )
    pending.components.set(parts)
    log_action(actor, "issuing.microdegree_pending", pending,
               institution_id=pending.institution_id,
               after={"recipient": pending.recipient_email, "version": version.pk,
                      "components": [p.credential_id for p in parts], "credits": credits})
    return pending


def approve_microdegree(actor: Any, pending: PendingMicrodegree) -> IssuedCredential:
    """Issue a queued microdegree (its components must still be valid)."""
    with transaction.atomic():
        locked = PendingMicrodegree.objects.select_for_update().get(pk=pending.pk)
        if locked.state != PendingMicrodegree.State.PENDING:
            raise Conflict("This microdegree was already decided.", code="ALREADY_DECIDED")
        parts = list(locked.components.select_related("achievement_version"))
        valid_ids = {c.pk for c in valid_credentials(locked.institution, locked.recipient_email)}
        if any(p.pk not in valid_ids for p in parts):
            raise Conflict("A component credential is no longer valid (revoked, suspended or "
                           "expired).", code="COMPONENT_INVALID")
        cred = issue_credential(
            actor, locked.achievement_version, recipient_email=locked.recipient_email,
            recipient_name=locked.recipient_name, credits_earned=locked.credits,
            components=parts, check_pathways=True,
        )
        locked.state = PendingMicrodegree.State.APPROVED
        locked.decided_at = timezone.now()
        locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.credential = cred
        locked.save()
        log_action(actor, "issuing.microdegree_approved", locked,
                   institution_id=locked.institution_id,
                   before={"state": PendingMicrodegree.State.PENDING},
                   after={"state": locked.state, "credential_id": cred.credential_id})
    pending.state = locked.state
    return cred


def reject_microdegree(actor: Any, pending: PendingMicrodegree, reason: str) -> PendingMicrodegree:
    if not (reason or "").strip():
        raise Invalid("Give a reason.", code="REASON_REQUIRED")
    with transaction.atomic():
        locked = PendingMicrodegree.objects.select_for_update().get(pk=pending.pk)
        if locked.state != PendingMicrodegree.State.PENDING:
            raise Conflict("This microdegree was already decided.", code="ALREADY_DECIDED")
        locked.state = PendingMicrodegree.State.REJECTED
        locked.decided_at = timezone.now()
        locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save()
        log_action(actor, "issuing.microdegree_rejected", locked,
                   institution_id=locked.institution_id,
                   before={"state": PendingMicrodegree.State.PENDING},
                   after={"state": locked.state}, note=reason.strip())
    return locked


# --- access helpers -------------------------------------------------------------------------


def resend_award_email(actor: Any, credential: IssuedCredential) -> IssuedCredential:
    """E-mail the award again to the credential's recipient, with a fresh claim link (a new
    expiry). The caller checked that `actor` may award at the institution. Staff never see
    the link: it is for the recipient's mailbox only."""
    if credential.state == IssuedCredential.State.REVOKED:
        raise Conflict("A revoked credential is not sent again.", code="ALREADY_REVOKED")
    with transaction.atomic():
        log_action(actor, "issuing.award_email_resent", credential,
                   institution_id=credential.institution_id,
                   after={"credential_id": credential.credential_id,
                          "claim_link_days": mail.claim_link_days()})
        pk = credential.pk
        transaction.on_commit(lambda: mail.send_award_emails([pk]))
    return credential


def credential_for(user: Any, slug: str, cred_uuid: Any, *, role: str = "viewer"
                   ) -> IssuedCredential:
    """The credential if `user` has `role` at its institution; the same 404 otherwise."""
    inst = inst_services.institution_for(user, slug, role=role)
    cred = _by_uuid(cred_uuid, inst)
    if cred is None:
        raise NotFound("No such credential.")
    return cred


def credential_by_uuid_for(user: Any, cred_uuid: Any, *, role: str = "viewer"
                           ) -> IssuedCredential:
    cred = _by_uuid(cred_uuid, None)
    if cred is None:
        raise NotFound("No such credential.")
    inst_services.institution_for(user, cred.institution.slug, role=role)
    return cred


def _by_uuid(cred_uuid: Any, inst: Institution | None) -> IssuedCredential | None:
    try:
        value = uuid_mod.UUID(str(cred_uuid))
    except ValueError:
        return None
    qs = IssuedCredential.objects.select_related("institution", "achievement_version",
                                                 "achievement_version__definition")
    if inst is not None:
        qs = qs.filter(institution=inst)
    return qs.filter(uuid=value).first()


# --- API tokens -----------------------------------------------------------------------------

TOKEN_PREFIX = "mdt_"  # noqa: S105 - a public prefix that marks our tokens, not a secret


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(actor: Any, inst: Institution, name: str, *, role: str = "issuer"
                     ) -> tuple[ApiToken, str]:
    """A new bearer token; the raw value is returned once and never stored."""
    if role not in ApiToken.Role.values:
        raise Invalid(f"Unknown role {role!r}.", code="ROLE_INVALID")
    if not (name or "").strip():
        raise Invalid("Name the token.", code="NAME_REQUIRED")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            institution=inst, name=name.strip()[:100], prefix=raw[:12],
            token_hash=_hash_token(raw), role=role,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        log_action(actor, "issuing.api_token_created", token, institution_id=inst.pk,
                   after={"name": token.name, "prefix": token.prefix, "role": role})
    return token, raw


def revoke_api_token(actor: Any, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(actor, "issuing.api_token_revoked", token,
                   institution_id=token.institution_id, after={"prefix": token.prefix})
    return token


def token_from(raw: str) -> ApiToken | None:
    """The live token with this value, or None (touches `last_used_at` at most once a minute)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("institution")
             .filter(token_hash=_hash_token(raw), revoked_at__isnull=True).first())
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
