"""What the open catalogue may show: approved institutions and their public items.

One place decides visibility, so the pages, the JSON API and every export agree: an institution
is public only while it is approved (pending and suspended ones show nothing), a definition is
shown by its latest version, and programs and agreements only when marked public (an agreement
also needs its program to be public).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from microdegree.catalog.models import AchievementVersion
from microdegree.institutions.models import Institution
from microdegree.recognition.models import Program, RecognitionAgreement

LICENSE_ID = "CC0-1.0"
LICENSE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
LICENSE_NAME = "Creative Commons Zero v1.0 Universal (public domain dedication)"


def institutions() -> QuerySet[Institution]:
    return Institution.objects.filter(status=Institution.Status.APPROVED)


def latest_versions() -> QuerySet[AchievementVersion]:
    """The latest version of every definition of an approved institution, except the "credit
    recognised" achievements of programs: those are awarded only by a credit decision and are
    not offered to anyone (their programs and agreements are in the catalogue instead)."""
    latest = AchievementVersion.objects.filter(definition=OuterRef("definition")) \
        .order_by("-number").values("pk")[:1]
    decisions = Program.objects.filter(decision_achievement__isnull=False) \
        .values("decision_achievement")
    return AchievementVersion.objects.filter(
        pk=Subquery(latest), definition__institution__status=Institution.Status.APPROVED,
    ).exclude(definition__in=decisions).select_related("definition__institution")


def programs() -> QuerySet[Program]:
    return Program.objects.filter(
        public=True, institution__status=Institution.Status.APPROVED,
    ).select_related("institution").prefetch_related("modules")


def agreements() -> QuerySet[RecognitionAgreement]:
    return RecognitionAgreement.objects.filter(
        public=True, program__public=True,
        program__institution__status=Institution.Status.APPROVED,
    ).select_related("program__institution").prefetch_related("exempted_modules")


def ctid(kind: str, key: str) -> str:
    """A CTDL identifier (`ce-` + UUID) that stays the same for the same object.

    Derived (UUID version 5) from the platform's public URL, the kind and a stable key (slugs,
    or the agreement's number), so no table of identifiers has to be written on a GET and two
    platforms never share one; see docs/adr/0008-open-catalogue.md.
    """
    name = f"{settings.PUBLIC_URL}/open-data/{kind}/{key}"
    return f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def institution_ctid(institution: Institution) -> str:
    return ctid("institution", institution.slug)


def definition_ctid(version: AchievementVersion) -> str:
    d = version.definition
    return ctid("achievement", f"{d.institution.slug}/{d.slug}")


def program_ctid(program: Program) -> str:
    return ctid("program", f"{program.institution.slug}/{program.slug}")


def agreement_ctid(agreement: RecognitionAgreement) -> str:
    return ctid("agreement", str(agreement.pk))


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_URL}{path}"


def institution_page(institution: Institution) -> str:
    """The institution's items in this catalogue (there is no other public page of it)."""
    return absolute(f"/catalogue?institution={institution.slug}")


def program_page(program: Program) -> str:
    """The program's own page if it has one, else its page in this catalogue."""
    return program.url or absolute(catalogue_program_path(program))


def catalogue_program_path(program: Program) -> str:
    return f"/catalogue/programs/{program.institution.slug}/{program.slug}"


def agreement_page(agreement: RecognitionAgreement) -> str:
    return absolute(f"/catalogue/agreements/{agreement.pk}")
