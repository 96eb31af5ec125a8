"""Forms of the recognition pages: they parse and label; the services validate and write."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from microdegree.recognition.models import Decision, Module, Program, RecognitionAgreement
from microdegree.recognition.services import AGREEMENT_FIELDS, PROGRAM_FIELDS

MAX_UPLOAD = 2_000_000


class ProgramForm(forms.ModelForm):  # type: ignore[type-arg]
    slug = forms.SlugField(label=_("Address (slug)"), required=False,
                           help_text=_("Empty: made from the name."))
    url = forms.URLField(label=_("Web page"), required=False, max_length=500,
                         assume_scheme="https")

    class Meta:
        model = Program
        fields = PROGRAM_FIELDS
        labels: ClassVar[dict[str, Any]] = {
            "name": _("Name"), "description": _("Description"),
            "field_of_study": _("Field of study"), "eqf_level": _("EQF level"),
            "credit_unit": _("Credit unit"),
            "ects_per_us_credit_hour": _("ECTS per US credit hour (conversion)"),
            "total_credits": _("Total credits"), "duration_terms": _("Duration (terms)"),
            "duration_months": _("Duration (months)"), "residency_terms": _("Residency (terms)"),
            "residency_months": _("Residency (months)"),
            "max_recognised_fraction": _("Most credit recognised from outside (0.5 = 50%)"),
            "public": _("Public (in the open catalogue)"),
        }
        widgets: ClassVar[dict[str, Any]] = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["slug"]
        self.fields["ects_per_us_credit_hour"].required = False
        self.fields["max_recognised_fraction"].required = False

    def changes(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in PROGRAM_FIELDS}
        for name in ("ects_per_us_credit_hour", "max_recognised_fraction"):
            if data[name] is None:  # empty: the model's default
                data[name] = Program._meta.get_field(name).get_default()
        return data

    def _post_clean(self) -> None:  # the service validates the whole program
        pass


class ModuleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Module
        fields = ("code", "name", "credits")

    def _post_clean(self) -> None:
        pass


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class AgreementForm(forms.ModelForm):  # type: ignore[type-arg]
    named_text = forms.CharField(
        label=_("Named achievements"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the issuer's DID, a space, the achievement id, optionally a "
                    "space and a name."))
    competencies_text = forms.CharField(
        label=_("Required competencies"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One competency URI per line (e.g. an ESCO skill)."))
    modules = forms.ModelMultipleChoiceField(
        label=_("Exempted modules"), required=False, queryset=Module.objects.none(),
        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = RecognitionAgreement
        fields = tuple(f for f in AGREEMENT_FIELDS
                       if f not in ("named_achievements", "criteria_competencies"))
        widgets: ClassVar[dict[str, Any]] = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
        }
        labels: ClassVar[dict[str, Any]] = {
            "name": _("Name"), "source_kind": _("What it recognises"),
            "pin_versions": _("Only the exact versions named"),
            "criteria_registry": _("Criteria: issuers accepted"),
            "criteria_achievement_type": _("Criteria: achievement type"),
            "criteria_min_eqf_level": _("Criteria: minimum EQF level"),
            "criteria_min_nqf_level": _("Criteria: minimum NQF level"),
            "criteria_min_credits": _("Criteria: minimum credits"),
            "criteria_min_result": _("Minimum result (grade)"),
            "criteria_max_age_years": _("Maximum age of the credential (years)"),
            "value_kind": _("Value"), "value_credits": _("Fixed credits"),
            "value_factor": _("Factor"), "valid_from": _("Valid from"),
            "valid_until": _("Valid until"), "conditions": _("Conditions shown to learners"),
            "public": _("Public"),
        }
        help_texts: ClassVar[dict[str, Any]] = {
            "pin_versions": _(
                "Unticked (recommended): a named achievement counts in every version its "
                "issuer makes of it, and you are told when a new version changes its credits, "
                "level or parts. Ticked: a learner awarded a later version does not count."),
            "criteria_registry": _(
                "Trusted issuers (the default) are this platform's approved institutions and the "
                "operator's trusted list. “Any issuer” also accepts credentials people sign with "
                "keys of their own, claiming whatever credits they like."),
        }

    ORDER = ("name", "source_kind", "named_text", "pin_versions", "criteria_registry",
             "criteria_achievement_type", "criteria_min_eqf_level", "criteria_min_nqf_level",
             "criteria_min_credits", "competencies_text", "criteria_min_result",
             "criteria_max_age_years", "value_kind", "value_credits", "value_factor", "modules",
             "valid_from", "valid_until", "conditions", "public")

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        modules = self.fields["modules"]
        assert isinstance(modules, forms.ModelMultipleChoiceField)
        modules.queryset = program.modules.all()
        self.order_fields(self.ORDER)
        if self.instance.pk:
            self.initial["named_text"] = "\n".join(
                " ".join(p for p in (n.get("issuer", ""), n.get("achievement", ""),
                                     n.get("name", "")) if p)
                for n in self.instance.named_achievements or [])
            self.initial["competencies_text"] = "\n".join(
                self.instance.criteria_competencies or [])
            self.initial["modules"] = list(self.instance.exempted_modules.all())

    def _post_clean(self) -> None:
        pass

    def changes(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        named = []
        for line in _lines(self.cleaned_data.get("named_text", "")):
            parts = line.split(maxsplit=2)
            named.append({"issuer": parts[0], "achievement": parts[1] if len(parts) > 1 else "",
                          "name": parts[2] if len(parts) > 2 else ""})
        data["named_achievements"] = named
        data["criteria_competencies"] = _lines(self.cleaned_data.get("competencies_text", ""))
        data["exempted_modules"] = list(self.cleaned_data.get("modules") or [])
        return data


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices,
                                widget=forms.RadioSelect)
    credits = forms.FloatField(label=_("Credits recognised (for an adjusted decision)"),
                               required=False, min_value=0)
    modules = forms.ModelMultipleChoiceField(
        label=_("Exempted modules (for an adjusted decision)"), required=False,
        queryset=Module.objects.none(), widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Reason (required to adjust or refuse)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        modules = self.fields["modules"]
        assert isinstance(modules, forms.ModelMultipleChoiceField)
        modules.queryset = program.modules.all()


class CredentialsForm(forms.Form):
    """Credentials to evaluate: chosen from the record, pasted, or uploaded files."""

    pasted = forms.CharField(
        label=_("Paste a credential or a verifiable presentation (JSON or VC-JWT)"),
        required=False, max_length=MAX_UPLOAD, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, record: list[tuple[str, str]] = (),  # type: ignore[assignment]
                 programs: list[Program] | None = None, carried: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if carried:
            self.fields["carried"] = forms.BooleanField(
                required=False,
                label=ngettext("Include the credential you gave on “What is it worth?”",
                               "Include the %(count)s credentials you gave on “What is it "
                               "worth?”", carried) % {"count": carried},
                help_text=_("They are verified again, and count only if they name you."))
        if programs is not None:
            self.fields["program"] = forms.ModelChoiceField(
                label=_("Program"), empty_label=None,
                queryset=Program.objects.filter(pk__in=[p.pk for p in programs]))
            self.order_fields(["program"])
        if record:
            self.fields["record"] = forms.MultipleChoiceField(
                label=_("Credentials from your record"), required=False, choices=record,
                widget=forms.CheckboxSelectMultiple)

    def texts(self, files: Any, *, max_files: int | None = None) -> list[str | bytes]:
        """The pasted text and each uploaded file's bytes (a baked badge or PDF is read by the
        service). More than `max_files` files are refused before any is read."""
        out: list[str | bytes] = []
        uploads = files.getlist("files") if files else []
        if max_files is not None and len(uploads) > max_files:
            raise forms.ValidationError(
                _("You sent %(count)s files; at most %(max)s can be checked at once.")
                % {"count": len(uploads), "max": max_files}, code="TOO_MANY_FILES")
        pasted = self.cleaned_data.get("pasted") or ""
        if pasted.strip():
            out.append(pasted)
        for upload in uploads:
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError(_("%(name)s is too large.") % {"name": upload.name})
            out.append(upload.read())
        return out
