"""Search and filters of the open catalogue: one GET form per list, shared by pages and API.

The forms only parse and check the query string (a bad value is a form error on the page and a
400 with a code and a sentence in the API); `apply_*` turn the cleaned values into queries.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from microdegree.catalog.models import AchievementDefinition, AchievementVersion, ParticipationForm
from microdegree.recognition.models import Program, RecognitionAgreement

EQF_CHOICES = [("", _("Any level"))] + [(str(n), f"EQF {n}") for n in range(1, 9)]


class _Form(forms.Form):
    # The filters shown at once; the others go under "More filters". Empty: all at once.
    main_filters: tuple[str, ...] = ()

    def values(self) -> dict[str, Any]:
        """The filters that were given (empty ones left out)."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}

    def first_error(self) -> str:
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else name
            return f"{label}: {errors[0]}"
        return ""

    def shown_filters(self) -> list[BoundField]:
        return [bf for bf in self if not self.main_filters or bf.name in self.main_filters]

    def more_filters(self) -> list[BoundField]:
        return [bf for bf in self if self.main_filters and bf.name not in self.main_filters]

    def more_filters_in_use(self) -> bool:
        """Whether one of the "More filters" was given or is wrong (it must not stay hidden)."""
        return any(bf.errors or bf.value() not in (None, "", False)
                   for bf in self.more_filters())


class _Filters(_Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    institution = forms.SlugField(label=_("Institution"), required=False)


class AchievementFilters(_Filters):
    main_filters = ("q", "kind", "eqf")
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Microcredentials and microdegrees")),
                                      *AchievementDefinition.Kind.choices])
    eqf = forms.TypedChoiceField(label=_("Level"), required=False, choices=EQF_CHOICES,
                                 coerce=int, empty_value=None)
    credits_min = forms.FloatField(label=_("ECTS at least"), required=False, min_value=0)
    credits_max = forms.FloatField(label=_("ECTS at most"), required=False, min_value=0)
    field = forms.CharField(label=_("Field of study or competency"), required=False,
                            max_length=200)
    participation = forms.ChoiceField(label=_("Form of participation"), required=False,
                                      choices=[("", _("Any")), *ParticipationForm.choices])
    language = forms.RegexField(label=_("Language (e.g. en for English)"), required=False,
                                regex=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", max_length=20)
    free = forms.BooleanField(label=_("Free only"), required=False)
    cost_max = forms.FloatField(label=_("Cost at most"), required=False, min_value=0)
    currency = forms.RegexField(label=_("Currency (e.g. EUR)"), required=False,
                                regex=r"^[A-Za-z]{3}$", max_length=3)
    duration_min = forms.IntegerField(label=_("Weeks at least"), required=False, min_value=0)
    duration_max = forms.IntegerField(label=_("Weeks at most"), required=False, min_value=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for low, high in (("credits_min", "credits_max"), ("duration_min", "duration_max")):
            if data.get(low) is not None and data.get(high) is not None \
                    and data[low] > data[high]:
                self.add_error(high, _("This must not be below the minimum."))
        if data.get("currency"):
            data["currency"] = data["currency"].upper()
        return data


class ProgramFilters(_Filters):
    eqf = forms.TypedChoiceField(label=_("Level"), required=False, choices=EQF_CHOICES,
                                 coerce=int, empty_value=None)
    field = forms.CharField(label=_("Field of study"), required=False, max_length=200)


class AgreementFilters(_Filters):
    program = forms.SlugField(label=_("Program (address name)"), required=False)


class InstitutionFilters(_Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.RegexField(label=_("Country (ISO 3166 code)"), required=False,
                               regex=r"^[A-Za-z]{2}$", max_length=2)


def apply_achievements(qs: QuerySet[AchievementVersion],
                       f: dict[str, Any]) -> QuerySet[AchievementVersion]:
    if q := f.get("q"):
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q)
                       | Q(field_of_study__icontains=q) | Q(human_code__icontains=q)
                       | Q(definition__institution__name__icontains=q))
    if inst := f.get("institution"):
        qs = qs.filter(definition__institution__slug=inst)
    if kind := f.get("kind"):
        qs = qs.filter(definition__kind=kind)
    if (eqf := f.get("eqf")) is not None:
        qs = qs.filter(eqf_level=eqf)
    if (low := f.get("credits_min")) is not None:
        qs = qs.filter(ects__gte=low)
    if (high := f.get("credits_max")) is not None:
        qs = qs.filter(ects__lte=high)
    if field := f.get("field"):
        # The field of study where stated; else a competency (name, framework or code).
        qs = qs.filter(Q(field_of_study__icontains=field)
                       | Q(competencies__name__icontains=field)
                       | Q(competencies__framework_name__icontains=field)
                       | Q(competencies__code__iexact=field)).distinct()
    if participation := f.get("participation"):
        qs = qs.filter(participation_form=participation)
    if language := f.get("language"):
        # "en" matches en, en-GB, en-US; "en-GB" only itself.
        qs = qs.filter(Q(language__iexact=language) | Q(language__istartswith=f"{language}-"))
    if f.get("free"):
        qs = qs.filter(cost_amount=0)
    if (cost := f.get("cost_max")) is not None:
        costed = Q(cost_amount__lte=cost)
        if currency := f.get("currency"):
            costed &= Q(cost_currency=currency)
        qs = qs.filter(Q(cost_amount=0) | costed)
    elif currency := f.get("currency"):
        qs = qs.filter(Q(cost_amount=0) | Q(cost_currency=currency))
    if (low := f.get("duration_min")) is not None:
        qs = qs.filter(duration_weeks__gte=low)
    if (high := f.get("duration_max")) is not None:
        qs = qs.filter(duration_weeks__lte=high)
    return qs.order_by("name", "pk")


def apply_programs(qs: QuerySet[Program], f: dict[str, Any]) -> QuerySet[Program]:
    if q := f.get("q"):
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q)
                       | Q(field_of_study__icontains=q) | Q(institution__name__icontains=q))
    if inst := f.get("institution"):
        qs = qs.filter(institution__slug=inst)
    if (eqf := f.get("eqf")) is not None:
        qs = qs.filter(eqf_level=eqf)
    if field := f.get("field"):
        qs = qs.filter(field_of_study__icontains=field)
    return qs.order_by("name", "pk")


def apply_agreements(qs: QuerySet[RecognitionAgreement],
                     f: dict[str, Any]) -> QuerySet[RecognitionAgreement]:
    if q := f.get("q"):
        qs = qs.filter(Q(name__icontains=q) | Q(conditions__icontains=q)
                       | Q(program__name__icontains=q)
                       | Q(program__institution__name__icontains=q))
    if inst := f.get("institution"):
        qs = qs.filter(program__institution__slug=inst)
    if program := f.get("program"):
        qs = qs.filter(program__slug=program)
    return qs.order_by("program__name", "name", "pk")


def apply_institutions(qs: QuerySet[Any], f: dict[str, Any]) -> QuerySet[Any]:
    if q := f.get("q"):
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q)
                       | Q(locality__icontains=q))
    if country := f.get("country"):
        qs = qs.filter(country_code__iexact=country)
    return qs.order_by("name", "pk")
