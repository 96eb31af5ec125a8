"""The catalogue: competencies, achievement definitions and their immutable awarded versions.

An `AchievementDefinition` is the stable thing (its slug makes the public URL); each
`AchievementVersion` is one OB Achievement. Once a version has been awarded (`awarded_at` set)
it never changes again: the services make version N+1 instead (see `services.py`).
"""

# Django reads Meta lists and choices as class attributes.

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from microdegree.institutions.models import Institution

CURRENCY_MESSAGE = "Use a three-letter ISO 4217 currency code in capitals, e.g. EUR."


class Competency(models.Model):
    class Framework(models.TextChoices):
        ESCO = "esco", "ESCO"
        ONET = "onet", "O*NET"
        OWN = "own", _("The institution's own")
        OTHER = "other", _("Other framework")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="competencies"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    framework = models.CharField(max_length=10, choices=Framework.choices, default=Framework.OWN)
    framework_name = models.CharField(max_length=200, blank=True)
    target_url = models.URLField(max_length=500, blank=True, help_text=_("URI in the framework"))
    code = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return self.name


class AchievementDefinition(models.Model):
    class Kind(models.TextChoices):
        MICROCREDENTIAL = "microcredential", _("Microcredential")
        MICRODEGREE = "microdegree", _("Microdegree (pathway)")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="achievement_definitions"
    )
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MICROCREDENTIAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "slug"], name="unique_definition_slug")
        ]

    def __str__(self) -> str:
        return f"{self.institution.slug}/{self.slug}"

    @property
    def is_microdegree(self) -> bool:
        return self.kind == self.Kind.MICRODEGREE


class AchievementType(models.TextChoices):
    MICROCREDENTIAL = "MicroCredential", _("Micro-credential")
    COURSE = "Course", _("Course")
    BADGE = "Badge", _("Badge")
    CERTIFICATE = "Certificate", _("Certificate")
    CERTIFICATE_OF_COMPLETION = "CertificateOfCompletion", _("Certificate of completion")
    CERTIFICATION = "Certification", _("Certification")
    COMPETENCY = "Competency", _("Competency")
    LEARNING_PROGRAM = "LearningProgram", _("Learning program")
    MASTER_CERTIFICATE = "MasterCertificate", _("Master certificate")
    DEGREE = "Degree", _("Degree")
    DIPLOMA = "Diploma", _("Diploma")
    ASSESSMENT = "Assessment", _("Assessment")
    AWARD = "Award", _("Award")
    ACHIEVEMENT = "Achievement", _("Achievement")


# Values are those of the EU extension context (SURF Edubadges compatible, vc/builders/eu.py).
class AssessmentType(models.TextChoices):
    TESTING = "testing", _("Testing")
    SKILL = "application of a skill", _("Application of a skill")
    PORTFOLIO = "portfolio", _("Portfolio")
    PRIOR_LEARNING = "recognition of prior learning", _("Recognition of prior learning")
    OTHER = "ext:other", _("Other")


class ParticipationForm(models.TextChoices):
    ONLINE = "online", _("Online")
    ONSITE = "onsite", _("On site")
    BLENDED = "blended", _("Blended")
    VOLUNTEERING = "volunteering", _("Volunteering")
    WORK = "work experience", _("Work experience")


class Supervision(models.TextChoices):
    UNSUPERVISED = "unsupervised with no identity verification", \
        _("Unsupervised, no identity check")
    SUPERVISED = "supervised with no identity verification", _("Supervised, no identity check")
    ONLINE_ID = "supervised online", _("Supervised online with identity check")
    ONSITE_ID = "onsite with identity verification", _("Supervised on site with identity check")


class Stackability(models.TextChoices):
    STANDALONE = "stand-alone", _("Stand-alone")
    INTEGRATED = "integrated", _("Integrated into a larger credential")
    STACKABLE = "stackable", _("Stackable towards another credential")


def _image_path(version: AchievementVersion, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()
    definition = version.definition
    return (f"catalog/{definition.institution.slug}/{definition.slug}-v{version.number}"
            f".{suffix}")


class AchievementVersion(models.Model):
    definition = models.ForeignKey(
        AchievementDefinition, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField()
    criteria_narrative = models.TextField(help_text=_("How it is earned (Markdown)"))
    criteria_url = models.URLField(max_length=500, blank=True)
    achievement_type = models.CharField(
        max_length=40, choices=AchievementType.choices, default=AchievementType.MICROCREDENTIAL
    )
    human_code = models.CharField(max_length=60, blank=True)
    field_of_study = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=20, default="en", help_text=_("BCP 47, e.g. en, nl-NL"))
    tags = models.JSONField(default=list, blank=True)
    learning_outcomes = models.JSONField(default=list, blank=True)
    competencies = models.ManyToManyField(Competency, blank=True, related_name="versions")
    workload_hours = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    ects = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    credits_available = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("Credits a holder earns (a microdegree: its total credits)"),
    )
    eqf_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    nqf_level = models.CharField(max_length=60, blank=True)
    assessment_type = models.CharField(max_length=40, choices=AssessmentType.choices,
                                       blank=True)
    participation_form = models.CharField(max_length=40, choices=ParticipationForm.choices,
                                          blank=True)
    quality_assurance = models.TextField(blank=True)
    prerequisites = models.TextField(blank=True)
    supervision = models.CharField(max_length=60, choices=Supervision.choices, blank=True)
    identity_checked = models.BooleanField(default=False)
    grade_scheme = models.CharField(max_length=200, blank=True,
                                    help_text=_("e.g. 'Pass/Fail' or '1-10, 5.5 to pass'"))
    stackability = models.CharField(max_length=20, choices=Stackability.choices, blank=True)
    further_info_url = models.URLField(max_length=500, blank=True)
    validity_months = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("How long a credential is valid; empty = no expiry")
    )
    # Cost and typical duration are catalogue facts (open data exports), not Achievement terms:
    # neither OB 3.0 nor our EU context defines them (see docs/adr/0008-open-catalogue.md).
    cost_amount = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("What a learner pays; 0 = free; empty = not stated"),
    )
    cost_currency = models.CharField(
        max_length=3, blank=True, validators=[RegexValidator(r"^[A-Z]{3}$", CURRENCY_MESSAGE)],
        help_text=_("ISO 4217 code, e.g. EUR (needed when the cost is not 0)"),
    )
    duration_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(520)],
        help_text=_("Typical duration in weeks (exported as ISO 8601, e.g. P6W)"),
    )
    image = models.FileField(upload_to=_image_path, blank=True, max_length=300)
    rule = models.JSONField(null=True, blank=True, help_text=_("A microdegree's award rule"))
    awarded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["definition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="unique_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.definition} v{self.number}"

    @property
    def is_awarded(self) -> bool:
        return self.awarded_at is not None

    @property
    def is_free(self) -> bool:
        return self.cost_amount == 0

    @property
    def duration_iso(self) -> str:
        """The typical duration as an ISO 8601 duration ("P6W"), or "" when not stated."""
        return f"P{self.duration_weeks}W" if self.duration_weeks else ""

    def clean(self) -> None:
        """A cost above zero needs its currency (an amount alone means nothing to a reader)."""
        if self.cost_amount and not self.cost_currency:
            raise ValidationError({"cost_currency": "Give the currency of the cost (e.g. EUR)."})
        if self.cost_amount is None and self.cost_currency:
            raise ValidationError({"cost_amount": "Give the amount (0 if it is free)."})

    @property
    def path(self) -> str:
        d = self.definition
        return f"/achievements/{d.institution.slug}/{d.slug}/v{self.number}"

    @property
    def achievement_id(self) -> str:
        """The Achievement `id`: the absolute URL of this version's public page."""
        from django.conf import settings

        return f"{settings.PUBLIC_URL}{self.path}"

    @property
    def badge_path(self) -> str:
        """The badge image's path on this site (the uploaded image, else the generated SVG)."""
        from microdegree.catalog.achievement import image_path

        return image_path(self)

    def to_achievement(self) -> dict[str, Any]:
        from microdegree.catalog.achievement import achievement_document

        return achievement_document(self)


# Fields of a version that staff edit (everything else is identity or bookkeeping).
EDITABLE_FIELDS = (
    "name", "description", "criteria_narrative", "criteria_url", "achievement_type",
    "human_code", "field_of_study", "language", "tags", "learning_outcomes", "workload_hours",
    "ects", "credits_available", "eqf_level", "nqf_level", "assessment_type",
    "participation_form", "quality_assurance", "prerequisites", "supervision",
    "identity_checked", "grade_scheme", "stackability", "further_info_url", "validity_months",
    "cost_amount", "cost_currency", "duration_weeks",
)
