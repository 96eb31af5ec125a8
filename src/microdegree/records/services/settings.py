"""The learner's settings: the language of the e-mails they receive (issue 16, point 13), and
where those e-mails go."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from microdegree.audit.services import log_action
from microdegree.base.notify import language_or_default
from microdegree.records.models import LearnerEmail, LearnerSettings
from microdegree.records.services.accounts import RecordError


def learner_language(user: Any) -> str:
    """The language the learner chose for e-mails, else the platform's default."""
    chosen = (LearnerSettings.objects.filter(user_id=getattr(user, "pk", None))
              .values_list("language", flat=True).first())
    return language_or_default(chosen)


def learner_address(user: Any) -> str:
    """Where a learner's notifications go: their first confirmed address, else the account's
    own (an account made by a staff member), else nowhere ("")."""
    first = (LearnerEmail.objects.filter(user_id=getattr(user, "pk", None),
                                         verified_at__isnull=False)
             .order_by("verified_at", "id").values_list("email", flat=True).first())
    return first or str(getattr(user, "email", "") or "")


@transaction.atomic
def set_language(user: Any, language: str) -> LearnerSettings:
    if language not in {code for code, _ in settings.LANGUAGES}:
        raise RecordError(gettext("Choose one of the languages offered."),
                          code="LANGUAGE_INVALID")
    row, _ = LearnerSettings.objects.select_for_update().get_or_create(user=user)
    before = row.language
    row.language = language
    row.save(update_fields=["language", "updated_at"])
    log_action(user, "records.language_set", row, before={"language": before},
               after={"language": language})
    return row
