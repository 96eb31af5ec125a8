"""What every part of awarding shares: dates, e-mail addresses, numbers, the award check."""

from __future__ import annotations

import calendar
import functools
from datetime import UTC, date, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from microdegree import config
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions.models import Institution
from microdegree.issuing.errors import PermissionDenied
from microdegree.issuing.models import IssuedCredential

State = IssuedCredential.State


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
def iso(moment: datetime | date) -> str:
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


def json_number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def check_can_award(version: AchievementVersion) -> Institution:
    inst = version.definition.institution
    if not inst.is_approved:
        raise PermissionDenied(_("The institution is not approved yet, so it cannot award."),
                               code="INSTITUTION_NOT_APPROVED")
    return inst
