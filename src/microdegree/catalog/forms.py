"""Staff forms: they only parse input; the services validate and write."""

# Django reads Meta lists as class attributes.
# ruff: noqa: RUF012

from __future__ import annotations

import json
from typing import Any

from django import forms

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
    criteria_url = url_field("Criteria page (URL)", "A page with the full criteria (optional).")
    further_info_url = url_field("Further information (URL)")
    tags = LinesField(required=False, help_text="One per line.")
    learning_outcomes = LinesField(required=False, help_text="One outcome per line.")

    class Meta:
        model = AchievementVersion
        fields = [*EDITABLE_FIELDS, "competencies"]
        labels = {
            "criteria_narrative": "Criteria (how it is earned)",
            "human_code": "Course code",
            "workload_hours": "Workload (hours)",
            "ects": "ECTS credits",
            "credits_available": "Credits",
            "eqf_level": "EQF level (1-8)",
            "nqf_level": "NQF level",
            "assessment_type": "Type of assessment",
            "participation_form": "Form of participation",
            "supervision": "Supervision and identity check during assessment",
            "identity_checked": "The learner's identity is checked",
            "grade_scheme": "Grading scheme",
            "stackability": "Integration / stackability",
            "validity_months": "Validity (months)",
            "cost_amount": "Cost (amount; 0 = free)",
            "cost_currency": "Currency of the cost",
            "duration_weeks": "Typical duration (weeks)",
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
        required=False, max_length=80,
        help_text="The last part of the public address; made from the name if empty.",
    )
    kind = forms.ChoiceField(choices=AchievementDefinition.Kind.choices)

    field_order = ["kind", "name", "slug"]


class RuleForm(forms.Form):
    rule = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text='JSON, e.g. {"all_of": [{"achievement": "data-literacy"}, {"at_least": 1, '
                  '"of": [{"achievement": "statistics"}, {"achievement": "python"}]}]}',
    )

    def clean_rule(self) -> Any:
        try:
            return json.loads(self.cleaned_data["rule"])
        except ValueError as exc:
            raise forms.ValidationError(f"This is not valid JSON ({exc}).") from exc


class ImageForm(forms.Form):
    image = forms.FileField(help_text="A PNG or SVG file of at most 1 MB.")


class CompetencyForm(forms.ModelForm):
    target_url = url_field("URI in the framework",
                           "The competency's URI in the framework, e.g. an ESCO skill.")

    class Meta:
        model = Competency
        fields = ["name", "description", "framework", "framework_name", "target_url", "code"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        """Model validation is the services' job."""
