"""Every write to the catalogue (one transaction, one audit entry each) and its access helpers.

Versions: the latest version of a definition is edited in place until it has been awarded;
after that, any change (fields, competencies, image, rule) makes version N+1, so the Achievement
a credential embeds never changes under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from microdegree.audit.services import log_action
from microdegree.catalog import images
from microdegree.catalog.achievement import achievement_document
from microdegree.catalog.errors import Conflict, Invalid, NotFound
from microdegree.catalog.models import (
    EDITABLE_FIELDS,
    AchievementDefinition,
    AchievementType,
    AchievementVersion,
    Competency,
)
from microdegree.catalog.pathways import pathways_containing, resolve_rule, rule_names, set_rule
from microdegree.catalog.versions import (
    catalogue,
    latest_version,
    lock,
    log_change,
    snapshot,
    writable,
)
from microdegree.institutions.models import Institution
from microdegree.institutions.services import institution_for
from microdegree.vc.errors import VcError

__all__ = [
    "catalogue", "clear_image", "competency_for", "create_competency", "create_definition",
    "definition_for", "get_public_competency", "get_public_definition", "get_public_version",
    "latest_version", "mark_awarded", "pathways_containing", "public_institution",
    "resolve_rule", "rule_names", "set_image", "set_rule", "update_competency",
    "update_definition",
]

Kind = AchievementDefinition.Kind
RESERVED_SLUGS = frozenset({"new", "competencies"})
COMPETENCY_FIELDS = ("name", "description", "framework", "framework_name", "target_url", "code")


# --- access helpers -------------------------------------------------------------------------


def definition_for(user: Any, inst_slug: str, def_slug: str, *,
                   role: str = "viewer") -> AchievementDefinition:
    """The definition if `user` is staff (at least `role`) of its institution; else 404/403."""
    inst = institution_for(user, inst_slug, role=role)
    definition = AchievementDefinition.objects.filter(institution=inst, slug=def_slug).first()
    if definition is None:
        raise NotFound(_("No such achievement."))
    return definition


def competency_for(user: Any, inst_slug: str, pk: int, *, role: str = "viewer") -> Competency:
    inst = institution_for(user, inst_slug, role=role)
    competency = Competency.objects.filter(institution=inst, pk=pk).first()
    if competency is None:
        raise NotFound(_("No such competency."))
    return competency


def public_institution(inst_slug: str) -> Institution:
    """An institution whose catalogue is public: approved, or suspended after approval (so the
    achievements of credentials it issued keep resolving). Pending ones are 404."""
    inst = Institution.objects.filter(slug=inst_slug).exclude(
        status=Institution.Status.PENDING).first()
    if inst is None:
        raise NotFound(_("No such institution."))
    return inst


def get_public_definition(inst_slug: str, def_slug: str) -> AchievementDefinition:
    inst = public_institution(inst_slug)
    definition = AchievementDefinition.objects.filter(institution=inst, slug=def_slug).first()
    if definition is None:
        raise NotFound(_("No such achievement."))
    return definition


def get_public_version(inst_slug: str, def_slug: str, number: int) -> AchievementVersion:
    """A version of a public institution's achievement (what its public URL shows)."""
    definition = get_public_definition(inst_slug, def_slug)
    version = definition.versions.filter(number=number).first()
    if version is None:
        raise NotFound(_("No such version of this achievement."))
    return version


def get_public_competency(inst_slug: str, pk: int) -> Competency:
    competency = Competency.objects.filter(institution=public_institution(inst_slug),
                                           pk=pk).first()
    if competency is None:
        raise NotFound(_("No such competency."))
    return competency


# --- snapshots and checks -------------------------------------------------------------------


def _competency_snapshot(competency: Competency) -> dict[str, Any]:
    return {name: getattr(competency, name) for name in COMPETENCY_FIELDS}


def _errors(exc: ValidationError) -> str:
    messages: list[str] = []
    for name, errors in exc.message_dict.items():
        label = name.replace("_", " ")
        messages.extend(f"{label}: {error}" for error in errors)
    return " ".join(messages)


def _check_text_list(value: Any, label: str) -> list[str]:
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise Invalid(_("%(label)s must be a list of non-empty texts.")
                      % {"label": label}, code="FIELD_INVALID")
    return [item.strip() for item in value]


def _check_version(version: AchievementVersion) -> None:
    """Model validation, then the Achievement must build (the document a credential embeds)."""
    version.tags = _check_text_list(version.tags, "Tags")
    version.learning_outcomes = _check_text_list(version.learning_outcomes, "Learning outcomes")
    try:
        version.full_clean(exclude=["definition", "image", "rule"], validate_unique=False)
    except ValidationError as exc:
        raise Invalid(_errors(exc), code="FIELD_INVALID") from exc


def _check_document(version: AchievementVersion) -> None:
    try:
        achievement_document(version)
    except VcError as exc:
        raise Invalid(exc.message, code=exc.code) from exc


def _competencies(institution: Institution, items: Iterable[Any]) -> list[Competency]:
    ids = sorted({item.pk if isinstance(item, Competency) else int(item) for item in items})
    found = list(Competency.objects.filter(institution=institution, pk__in=ids))
    if len(found) != len(ids):
        raise Invalid(_("Choose competencies of this institution only."), code="COMPETENCY_UNKNOWN")
    return found


def _apply(version: AchievementVersion, changes: dict[str, Any]) -> None:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise Invalid(_("These fields cannot be set: %(value)s.")
                      % {"value": ', '.join(sorted(unknown))},
                      code="FIELD_UNKNOWN")
    for name, value in changes.items():
        setattr(version, name, value)
    _check_version(version)


# --- competencies ---------------------------------------------------------------------------


@transaction.atomic
def create_competency(actor: Any, institution: Institution, *, name: str,
                      **fields: Any) -> Competency:
    unknown = set(fields) - set(COMPETENCY_FIELDS)
    if unknown:
        raise Invalid(_("These fields cannot be set: %(value)s.")
                      % {"value": ', '.join(sorted(unknown))},
                      code="FIELD_UNKNOWN")
    competency = Competency(institution=institution, name=name, **fields)
    try:
        competency.full_clean(exclude=["institution"])
    except ValidationError as exc:
        raise Invalid(_errors(exc), code="FIELD_INVALID") from exc
    competency.save()
    log_action(actor, "catalog.competency_created", competency, institution_id=institution.pk,
               after=_competency_snapshot(competency))
    return competency


@transaction.atomic
def update_competency(actor: Any, competency: Competency, **changes: Any) -> Competency:
    unknown = set(changes) - set(COMPETENCY_FIELDS)
    if unknown:
        raise Invalid(_("These fields cannot be changed: %(value)s.")
                      % {"value": ', '.join(sorted(unknown))},
                      code="FIELD_UNKNOWN")
    before = _competency_snapshot(competency)
    for name, value in changes.items():
        setattr(competency, name, value)
    try:
        competency.full_clean(exclude=["institution"])
    except ValidationError as exc:
        raise Invalid(_errors(exc), code="FIELD_INVALID") from exc
    competency.save()
    log_action(actor, "catalog.competency_updated", competency,
               institution_id=competency.institution_id, before=before,
               after=_competency_snapshot(competency))
    return competency


# --- definitions and versions ---------------------------------------------------------------


@transaction.atomic
def create_definition(
    actor: Any,
    institution: Institution,
    *,
    name: str,
    slug: str | None = None,
    kind: str = "microcredential",
    competencies: Iterable[Any] = (),
    **fields: Any,
) -> AchievementVersion:
    """A new definition and its version 1 (returned)."""
    if kind not in Kind.values:
        raise Invalid(_("Unknown kind %(kind)s.") % {"kind": repr(kind)}, code="KIND_INVALID")
    slug = slugify(slug or name)[:80]
    if not slug or slug in RESERVED_SLUGS:
        raise Invalid(_("Choose another address (slug) for this achievement."), code="SLUG_INVALID")
    if AchievementDefinition.objects.filter(institution=institution, slug=slug).exists():
        raise Conflict(_("The address %(slug)s is taken in this catalogue.")
                       % {"slug": repr(slug)}, code="SLUG_TAKEN")
    if kind == "microdegree":
        fields.setdefault("achievement_type", AchievementType.LEARNING_PROGRAM)
    definition = AchievementDefinition.objects.create(institution=institution, slug=slug,
                                                      kind=kind)
    version = AchievementVersion(definition=definition, number=1)
    _apply(version, {"name": name, **fields})
    version.save()
    version.competencies.set(_competencies(institution, competencies))
    _check_document(version)
    log_action(actor, "catalog.definition_created", version, institution_id=institution.pk,
               after={"slug": slug, "kind": kind, **snapshot(version)})
    return version


@transaction.atomic
def update_definition(actor: Any, definition: AchievementDefinition, *,
                      competencies: Iterable[Any] | None = None,
                      **changes: Any) -> AchievementVersion:
    """Edit the latest version in place, or make version N+1 if it has been awarded.

    Returns the version that holds the changes (the latest unchanged one if nothing changed).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise Invalid(_("These fields cannot be changed: %(value)s.")
                      % {"value": ', '.join(sorted(unknown))},
                      code="FIELD_UNKNOWN")
    latest = lock(definition)
    before = snapshot(latest)
    wanted_competencies = None
    if competencies is not None:
        wanted_competencies = _competencies(definition.institution, competencies)
    changed = {k: v for k, v in changes.items() if before[k] != v}
    same_competencies = wanted_competencies is None or \
        sorted(c.pk for c in wanted_competencies) == before["competencies"]
    if not changed and same_competencies:
        return latest
    version, created, before = writable(definition)
    _apply(version, changed)
    version.save(update_fields=EDITABLE_FIELDS)  # never awarded_at (see mark_awarded)
    if wanted_competencies is not None:
        version.competencies.set(wanted_competencies)
    _check_document(version)
    log_change(actor, "catalog.definition_updated", version, before, created)
    return version


@transaction.atomic
def set_image(actor: Any, version: AchievementVersion, uploaded_file: Any) -> AchievementVersion:
    """Store an uploaded PNG (≤ 1 MB) or safe SVG as the image of the latest version."""
    data = uploaded_file.read(images.MAX_BYTES + 1)
    kind = images.check_image(data)
    target, created, before = writable(version.definition, version)
    target.image.save(f"image.{kind}", ContentFile(data), save=False)
    target.save(update_fields=["image"])
    log_change(actor, "catalog.image_set", target, before, created)
    return target


@transaction.atomic
def clear_image(actor: Any, version: AchievementVersion) -> AchievementVersion:
    """Go back to the generated SVG badge."""
    target, created, before = writable(version.definition, version)
    target.image = ""
    target.save(update_fields=["image"])
    log_change(actor, "catalog.image_cleared", target, before, created)
    return target


def mark_awarded(version: AchievementVersion) -> AchievementVersion:
    """Record the first award of `version` (idempotent); from now on it never changes.

    Returns the version as stored. Call it inside the issuing transaction *before* building the
    Achievement: it locks the definition like every edit does, so an edit either lands before
    (and the refreshed version has it) or goes into version N+1.
    """
    if version.awarded_at is None:
        with transaction.atomic():
            lock(version.definition)
            now = timezone.now()
            first = AchievementVersion.objects.filter(pk=version.pk, awarded_at__isnull=True) \
                .update(awarded_at=now)
            if first:
                log_action(None, "catalog.version_awarded", version,
                           institution_id=version.definition.institution_id,
                           after={"number": version.number, "awarded_at": now.isoformat()})
    version.refresh_from_db()
    return version
