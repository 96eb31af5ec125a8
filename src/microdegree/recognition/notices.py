"""Receiving institutions hear when an achievement their agreements name changes (issue 16,
point 2): a new version with other credits, level or parts leaves a notice on the program's
page and e-mails the institution's staff in its language. The issuer sees, on the
achievement's pages, which agreements name it (`catalog.hooks` asks here).

Agreements name achievements across versions unless pinned (`engine.achievement_series`), so
both kinds are affected: an unpinned one now counts the changed version, a pinned one no longer
counts learners awarded it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from microdegree.audit.services import log_action
from microdegree.base.links import public_link
from microdegree.base.notify import notify
from microdegree.catalog import hooks
from microdegree.catalog.models import AchievementVersion
from microdegree.catalog.versions import snapshot
from microdegree.institutions.errors import NotFound
from microdegree.institutions.models import Institution
from microdegree.institutions.services import staff_addresses
from microdegree.recognition.engine import achievement_series
from microdegree.recognition.models import (
    WATCHED_CHANGES,
    AgreementNotice,
    RecognitionAgreement,
)

WATCHED = WATCHED_CHANGES


def naming(version: AchievementVersion) -> list[RecognitionAgreement]:
    """Every named agreement (any institution) that names this achievement, in any version."""
    series = achievement_series(version.achievement_id)
    found = []
    # the text filter narrows the rows in the database; the loop decides
    for agreement in (RecognitionAgreement.objects
                      .filter(source_kind=RecognitionAgreement.SourceKind.NAMED,
                              named_achievements__icontains=series)
                      .select_related("program__institution").order_by("pk")):
        items = agreement.named_achievements if isinstance(agreement.named_achievements,
                                                           list) else []
        if any(isinstance(i, dict) and achievement_series(str(i.get("achievement") or ""))
               == series for i in items):
            found.append(agreement)
    return found


def agreements_naming(version: AchievementVersion) -> hooks.Naming:
    """For the issuer's pages: public agreements by name; those not public only counted (they
    are the receiving institution's own business)."""
    public, private = [], 0
    for agreement in naming(version):
        program = agreement.program
        if agreement.public and program.public and program.institution.is_approved:
            public.append({"institution": program.institution.name, "program": program.name,
                           "name": agreement.name,
                           "pinned": "yes" if agreement.pin_versions else ""})
        else:
            private += 1
    return hooks.Naming(public=public, private=private)


def _shown(field: str, value: Any) -> str:
    if field == "rule":
        return ""
    if value is None or value == "":
        return "-"  # not stated (stored, so in no language)
    return f"{value:g}" if isinstance(value, float) else str(value)


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"field": name, "before": _shown(name, before.get(name)),
             "after": _shown(name, after.get(name))}
            for name in WATCHED if before.get(name) != after.get(name)]


def version_created(actor: Any, version: AchievementVersion, before: dict[str, Any]) -> None:
    """A new version was made (in its transaction): notices and e-mails if it changed what
    agreements count."""
    changed = changes(before, snapshot(version))
    if not changed:
        return
    agreements = naming(version)
    if not agreements:
        return
    issuer = version.definition.institution
    by_institution: dict[int, list[RecognitionAgreement]] = defaultdict(list)
    for agreement in agreements:
        AgreementNotice.objects.create(
            agreement=agreement, achievement_id=version.achievement_id,
            achievement_name=version.name[:200], issuer_name=issuer.name[:200],
            version=version.number, changes=changed)
        log_action(actor, "recognition.agreement_notice_created", agreement,
                   institution_id=agreement.program.institution_id,
                   after={"achievement": version.achievement_id, "version": version.number,
                          "changes": [c["field"] for c in changed]})
        by_institution[agreement.program.institution_id].append(agreement)
    for items in by_institution.values():
        inst = items[0].program.institution
        notify("recognition/email/achievement_changed", {
            "institution": inst, "issuer": issuer, "version": version,
            "changes": [{**c, "label": WATCHED[c["field"]]} for c in changed],
            "agreements": items,
            "programs_url": public_link(f"/institutions/{inst.slug}/programs/"),
        }, staff_addresses(inst, role="issuer", contact=True), language=inst.language)


def open_notices(institution: Institution) -> list[AgreementNotice]:
    return list(AgreementNotice.objects.filter(agreement__program__institution=institution,
                                               read_at__isnull=True)
                .select_related("agreement__program"))


@transaction.atomic
def mark_read(actor: Any, institution: Institution, pk: int) -> AgreementNotice:
    """Staff mark a notice read (the institution's own only: others are the same 404)."""
    notice = (AgreementNotice.objects.select_for_update()
              .filter(pk=pk, agreement__program__institution=institution).first())
    if notice is None:
        raise NotFound("No such notice.")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.read_by = actor if getattr(actor, "is_authenticated", False) else None
        notice.save(update_fields=["read_at", "read_by"])
        log_action(actor, "recognition.agreement_notice_read", notice,
                   institution_id=institution.pk,
                   after={"agreement": notice.agreement_id, "version": notice.version})
    return notice
