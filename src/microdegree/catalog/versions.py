"""Versions of a definition: the latest, the lock edits and first awards share, version N+1.

The latest version is edited in place until it has been awarded; after that a change goes into a
copy numbered N+1 (`writable`), so the Achievement a credential embeds never changes under it.
"""

from __future__ import annotations

from typing import Any

from microdegree.audit.services import log_action
from microdegree.catalog import hooks
from microdegree.catalog.errors import Conflict, NotFound
from microdegree.catalog.models import EDITABLE_FIELDS, AchievementDefinition, AchievementVersion
from microdegree.institutions.models import Institution


def latest_version(definition: AchievementDefinition) -> AchievementVersion:
    version = definition.versions.order_by("-number").first()
    if version is None:  # pragma: no cover - create_definition always makes version 1
        raise NotFound("This achievement has no version.")
    return version


def catalogue(institution: Institution) -> list[AchievementVersion]:
    """The latest version of each of the institution's definitions, by name (one query)."""
    latest: dict[int, AchievementVersion] = {}
    for version in AchievementVersion.objects.filter(definition__institution=institution) \
            .select_related("definition__institution").order_by("definition_id", "-number"):
        latest.setdefault(version.definition_id, version)
    return sorted(latest.values(), key=lambda v: (v.name.lower(), v.pk))


def snapshot(version: AchievementVersion) -> dict[str, Any]:
    data = {name: getattr(version, name) for name in EDITABLE_FIELDS}
    data.update(
        number=version.number,
        competencies=sorted(version.competencies.values_list("pk", flat=True)),
        image=version.image.name or None,
        rule=version.rule,
    )
    return data


def next_version(version: AchievementVersion) -> AchievementVersion:
    """A copy of an awarded version as version N+1 (not yet awarded)."""
    new = AchievementVersion(
        definition=version.definition,
        number=version.number + 1,
        image=version.image.name,
        rule=version.rule,
        **{name: getattr(version, name) for name in EDITABLE_FIELDS},
    )
    new.save()
    new.competencies.set(version.competencies.all())
    return new


def lock(definition: AchievementDefinition) -> AchievementVersion:
    """Lock the definition (edits and first awards serialise on it); its latest version."""
    AchievementDefinition.objects.select_for_update().filter(pk=definition.pk).first()
    return latest_version(definition)


def writable(definition: AchievementDefinition, version: AchievementVersion | None = None,
             ) -> tuple[AchievementVersion, bool, dict[str, Any]]:
    """Lock the definition; the version a change goes into (the latest, or N+1 if that has been
    awarded), whether it is new, and the latest version's state before the change."""
    latest = lock(definition)
    if version is not None and version.number != latest.number:
        raise Conflict(f"Only the latest version (v{latest.number}) can be changed.",
                       code="NOT_LATEST")
    before = snapshot(latest)
    if latest.awarded_at is not None:
        return next_version(latest), True, before
    return latest, False, before


def log_change(actor: Any, action: str, version: AchievementVersion, before: dict[str, Any],
               created: bool) -> None:
    if created:  # receiving institutions whose agreements name it may need to know
        hooks.version_created(actor, version, before)
    log_action(actor, "catalog.version_created" if created else action, version,
               institution_id=version.definition.institution_id, before=before,
               after=snapshot(version),
               note=f"{action}: v{version.number} made because v{version.number - 1} "
                    "has been awarded" if created else "")
