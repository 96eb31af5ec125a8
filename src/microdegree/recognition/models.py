"""Credit recognition: a receiving institution's degree programs, the agreements (transfer-value
rules) that say what counts toward them, and learners' credit applications with staff decisions.

Credits are always stored in the program's own unit (`Program.credit_unit`); credentials state
their credits in ECTS (the platform's convention), converted with `Program.ects_per_us_credit_hour`.
The open catalogue (app `opendata`) exports `Program` and `RecognitionAgreement` as CTDL
`TransferValueProfile`s, so field names here are part of a public shape: change them with care.
"""

# Django reads Meta lists and choices as class attributes.

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from microdegree.institutions.models import Institution


class CreditUnit(models.TextChoices):
    ECTS = "ects", _("ECTS credits")
    US_CREDIT_HOUR = "us-credit-hour", _("US semester credit hours")


class Program(models.Model):
    """A degree program of a receiving institution, described so that credit toward it can be
    computed: total credits, standard duration and residency, and the cap on outside credit."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE,
                                    related_name="programs")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True, help_text=_("The program's own web page"))
    field_of_study = models.CharField(max_length=200, blank=True)
    eqf_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text=_("EQF level of the degree (7 = master's)"),
    )
    credit_unit = models.CharField(max_length=20, choices=CreditUnit.choices,
                                   default=CreditUnit.ECTS)
    ects_per_us_credit_hour = models.FloatField(
        default=2.0, validators=[MinValueValidator(0.01)],
        help_text=_("The conversion this institution uses: 1 US credit hour = this many ECTS"),
    )
    total_credits = models.FloatField(validators=[MinValueValidator(0.01)],
                                      help_text=_("Credits of the whole program, in its unit"))
    duration_terms = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text=_("Standard duration in terms (semesters)"))
    duration_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text=_("Standard duration in months"))
    residency_terms = models.PositiveSmallIntegerField(
        help_text=_("Terms a learner normally spends enrolled (before any recognition)"))
    residency_months = models.PositiveSmallIntegerField(
        help_text=_("Months a learner normally spends enrolled (before any recognition)"))
    max_recognised_fraction = models.FloatField(
        default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("The most outside credit recognised, as a fraction of total credits "
                    "(0.5 = 50%)"),
    )
    public = models.BooleanField(default=True, help_text=_("Shown in the open catalogue"))
    # The catalogue definition of the decision credential (created on the first decision).
    decision_achievement = models.ForeignKey(
        "catalog.AchievementDefinition", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "slug"], name="unique_program_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> str:
        return f"/programs/{self.institution.slug}/{self.slug}"

    @property
    def credits_per_term(self) -> float:
        """Credits a full-time learner earns in one term (total / standard terms)."""
        return self.total_credits / self.duration_terms


class Module(models.Model):
    """A module (course) of a program that recognised credit can exempt a learner from."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="modules")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    credits = models.FloatField(validators=[MinValueValidator(0)],
                                help_text=_("In the program's credit unit"))

    class Meta:
        ordering = ["program", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="unique_module_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RecognitionAgreement(models.Model):
    """A transfer-value rule: which credentials count toward `program`, for how many credits.

    The source is either a list of named achievements (`named_achievements`: issuer DID and
    achievement id; a whole microdegree is one named achievement) or criteria (`criteria_*`
    fields; an empty criterion does not constrain). The value is either `value_credits` (fixed)
    or the credential's credits earned times `value_factor`, both in the program's unit.
    """

    class SourceKind(models.TextChoices):
        NAMED = "named", _("Named achievements")
        CRITERIA = "criteria", _("Criteria")

    class Registry(models.TextChoices):
        # "trusted" is the default: with "any", a learner's own key signs a credential that
        # counts (tests/security/test_self_awarded_credit.py).
        ANY = "any", _("Any issuer whose signature verifies (anyone, even the learner)")
        PLATFORM = "platform", _("Institutions on this platform")
        TRUSTED = "trusted", _("Issuers in the trusted registry (includes this platform)")

    class ValueKind(models.TextChoices):
        FIXED = "fixed", _("A fixed number of credits")
        FACTOR = "factor", _("Credits earned times a factor")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="agreements")
    name = models.CharField(max_length=200)
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices,
                                   default=SourceKind.NAMED)
    # [{"issuer": "did:...", "achievement": "https://...", "name": "shown to people"}]
    named_achievements = models.JSONField(default=list, blank=True)
    # False (the default): a named achievement counts in every version its issuer makes of it
    # (".../v1" also matches ".../v2"); True: only the exact versions named (ADR: agreements
    # across versions).
    pin_versions = models.BooleanField(
        default=False, help_text="Only the exact versions named count (not later versions)")
    criteria_registry = models.CharField(max_length=10, choices=Registry.choices,
                                         default=Registry.TRUSTED)
    criteria_achievement_type = models.CharField(
        max_length=40, blank=True,
        help_text=_("OB achievementType, e.g. MicroCredential; empty = any"),
    )
    criteria_min_eqf_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(8)])
    criteria_min_nqf_level = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text=_("Compared with the number in the credential's NQF level"))
    criteria_min_credits = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("Minimum credits of the credential, in the program's unit"))
    # ["http://data.europa.eu/esco/skill/...", ...]: every one must be aligned in the credential
    criteria_competencies = models.JSONField(default=list, blank=True)
    criteria_min_result = models.FloatField(
        null=True, blank=True, help_text=_("Minimum numeric result (grade) in the credential"))
    criteria_max_age_years = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("How old (since issuance) a credential may be at the application"))
    value_kind = models.CharField(max_length=10, choices=ValueKind.choices,
                                  default=ValueKind.FIXED)
    value_credits = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)],
                                      help_text=_("Fixed credits, in the program's unit"))
    value_factor = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)],
                                     help_text=_("Multiplies the credential's credits earned"))
    exempted_modules = models.ManyToManyField(Module, blank=True, related_name="agreements")
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    conditions = models.TextField(blank=True, help_text=_("Free text shown to learners"))
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} → {self.program}"


# What in a new version of an achievement can change an agreement's value: snapshot field ->
# label (recognition.notices)
WATCHED_CHANGES = {
    "ects": _("ECTS credits"),
    "credits_available": _("Credits available"),
    "eqf_level": _("EQF level"),
    "nqf_level": _("NQF level"),
    "rule": _("Parts (the microdegree's rule)"),
}


class AgreementNotice(models.Model):
    """An achievement an agreement names changed in a way that may change its value (credits,
    level or parts, in a new version): shown on the receiving institution's program page until
    staff mark it read, and e-mailed to its staff (recognition.notices)."""

    agreement = models.ForeignKey(RecognitionAgreement, on_delete=models.CASCADE,
                                  related_name="notices")
    achievement_id = models.CharField(max_length=500, help_text="the new version's id")
    achievement_name = models.CharField(max_length=200)
    issuer_name = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    # [{"field": "credits", "before": ..., "after": ...}, ...]
    changes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.achievement_name} v{self.version} changed ({self.agreement})"

    @property
    def labelled_changes(self) -> list[dict[str, Any]]:
        return [{**c, "label": WATCHED_CHANGES.get(str(c.get("field")), c.get("field"))}
                for c in self.changes if isinstance(c, dict)]


class CreditApplication(models.Model):
    """A learner's request for credit toward a program; `proposal` is the engine's output at
    submission (reasons per credential, cap, totals, residency), kept as it was shown."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        DECIDED = "decided", _("Decided")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="credit_applications")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    proposal = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True, help_text=_("The learner's note to staff"))
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"application {self.uuid} to {self.program} ({self.status})"


class ApplicationCredential(models.Model):
    """One credential of an application, stored verbatim as given (JSON text or a VC-JWT);
    from the learner's record (`issued` / `imported`) or uploaded."""

    class Source(models.TextChoices):
        RECORD = "record", _("From the learner's record")
        IMPORTED = "imported", _("Imported into the learner's record")
        UPLOAD = "upload", _("Uploaded")

    application = models.ForeignKey(CreditApplication, on_delete=models.CASCADE,
                                    related_name="credentials")
    source = models.CharField(max_length=10, choices=Source.choices)
    issued = models.ForeignKey("issuing.IssuedCredential", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    imported = models.ForeignKey("records.ImportedCredential", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    document = models.TextField(help_text=_("the credential exactly as given"))
    credential_id = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["application", "position", "id"]

    def __str__(self) -> str:
        return self.credential_id or f"credential {self.pk}"


class Decision(models.Model):
    """Staff's decision on an application; accepted and adjusted decisions are issued to the
    learner as a signed OB 3.0 credential (`credential`)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted as proposed")
        ADJUSTED = "adjusted", _("Accepted with adjustments")
        REFUSED = "refused", _("Refused")

    application = models.OneToOneField(CreditApplication, on_delete=models.CASCADE,
                                       related_name="decision")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    credits = models.FloatField(default=0, validators=[MinValueValidator(0)],
                                help_text=_("Credits recognised, in the program's unit"))
    exempted_modules = models.ManyToManyField(Module, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField()
    credential = models.ForeignKey("issuing.IssuedCredential", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.outcome}: {self.application}"
