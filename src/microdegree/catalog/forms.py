"""Staff forms: they only parse input; the services validate and write."""

# Django reads Meta lists as class attributes.
# ruff: noqa: RUF012

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from microdegree.catalog.models import (
    EDITABLE_FIELDS,
    AchievementDefinition,
    AchievementVersion,
    Competency,
)


class LinesField(forms.CharField):
    """A list of texts, one per line (tags, learning outcomes)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


def url_field(label: str, help_text: str = "") -> forms.URLField:
    return forms.URLField(label=label, required=False, max_length=500, assume_scheme="https",
                          help_text=help_text)


class VersionForm(forms.ModelForm):
    criteria_url = url_field(_("Criteria page (URL)"),
                             _("A page with the full criteria (optional)."))
    further_info_url = url_field(_("Further information (URL)"))
    tags = LinesField(label=_("Tags"), required=False, help_text=_("One per line."))
    learning_outcomes = LinesField(label=_("Learning outcomes"), required=False,
                                   help_text=_("One outcome per line."))

    class Meta:
        model = AchievementVersion
        fields = [*EDITABLE_FIELDS, "competencies"]
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "criteria_narrative": _("Criteria (how it is earned)"),
            "achievement_type": _("Achievement type"),
            "human_code": _("Course code"),
            "field_of_study": _("Field of study"),
            "language": _("Language"),
            "workload_hours": _("Workload (hours)"),
            "ects": _("ECTS credits"),
            "credits_available": _("Credits"),
            "eqf_level": _("EQF level (1-8)"),
            "nqf_level": _("NQF level"),
            "assessment_type": _("Type of assessment"),
            "participation_form": _("Form of participation"),
            "quality_assurance": _("Quality assurance"),
            "prerequisites": _("Prerequisites"),
            "supervision": _("Supervision and identity check during assessment"),
            "identity_checked": _("The learner's identity is checked"),
            "grade_scheme": _("Grading scheme"),
            "stackability": _("Integration / stackability"),
            "validity_months": _("Validity (months)"),
            "cost_amount": _("Cost (amount; 0 = free)"),
            "cost_currency": _("Currency of the cost"),
            "duration_weeks": _("Typical duration (weeks)"),
            "competencies": _("Competencies"),
        }
        help_texts = {
            "criteria_narrative": _("How it is earned (Markdown)"),
            "language": _("BCP 47, e.g. en, nl-NL"),
            "credits_available": _("Credits a holder earns (a microdegree: its total credits)"),
            "grade_scheme": _("e.g. 'Pass/Fail' or '1-10, 5.5 to pass'"),
            "validity_months": _("How long a credential is valid; empty = no expiry"),
            "cost_amount": _("What a learner pays; 0 = free; empty = not stated"),
            "cost_currency": _("ISO 4217 code, e.g. EUR (needed when the cost is not 0)"),
            "duration_weeks": _("Typical duration in weeks (exported as ISO 8601, e.g. P6W)"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "criteria_narrative": forms.Textarea(attrs={"rows": 4}),
            "quality_assurance": forms.Textarea(attrs={"rows": 2}),
            "prerequisites": forms.Textarea(attrs={"rows": 2}),
            "competencies": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, institution: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competencies"].queryset = Competency.objects.filter(institution=institution)

    def _post_clean(self) -> None:
        """Model validation is the services' job (they raise Invalid with a sentence)."""

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["competencies"] = list(data.get("competencies") or [])
        return data


class NewDefinitionForm(VersionForm):
    slug = forms.SlugField(
        label=_("Slug"), required=False, max_length=80,
        help_text=_("The last part of the public address; made from the name if empty."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=AchievementDefinition.Kind.choices)

    field_order = ["kind", "name", "slug"]


class RuleForm(forms.Form):
    rule = forms.CharField(
        label=_("Rule"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_('JSON, e.g. {"all_of": [{"achievement": "data-literacy"}, {"at_least": 1, '
                  '"of": [{"achievement": "statistics"}, {"achievement": "python"}]}]}'),
    )

    def clean_rule(self) -> Any:
        try:
            return json.loads(self.cleaned_data["rule"])
        except ValueError as exc:
            raise forms.ValidationError(
                gettext("This is not valid JSON (%(error)s).") % {"error": exc}) from exc


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Image"), help_text=_("A PNG or SVG file of at most 1 MB."))


class CompetencyForm(forms.ModelForm):
    target_url = url_field(_("URI in the framework"),
                           _("The competency's URI in the framework, e.g. an ESCO skill."))

    class Meta:
        model = Competency
        fields = ["name", "description", "framework", "framework_name", "target_url", "code"]
        labels = {"name": _("Name"), "description": _("Description"),
                  "framework": _("Framework"), "framework_name": _("Framework name"),
                  "code": _("Code")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        """Model validation is the services' job."""
