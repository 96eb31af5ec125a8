"""EU micro-credential elements (Council Recommendation 2022/C 243/02, Annex I) for an Achievement.

Defined by our EU micro-credential context, which credentials carry embedded in `@context`
(docs/adr/0011; credentials issued before it name the bundled
`https://w3id.org/microdegree/contexts/eu-microcredential/v1`, docs/adr/0002).
`ECTS`, `participationType`, `assessmentType`, `supervisionType` and
`identityChecked` use the JSON names and values of SURF Edubadges' `EducredentialAchievement`.
The EQF level is also emitted as an OB `alignment` (STANDARDS §7), so OB-only consumers see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from microdegree.vc.builders import _common as c
from microdegree.vc.errors import BuildError

if TYPE_CHECKING:
    from microdegree.vc.builders.achievement import Alignment

PARTICIPATION_TYPES = (
    "online", "onsite", "blended", "onsite or blended", "volunteering", "work experience",
    "personalized learning activities",
)
ASSESSMENT_TYPES = ("testing", "application of a skill", "portfolio",
                    "recognition of prior learning")
SUPERVISION_TYPES = (
    "unsupervised with no identity verification", "supervised with no identity verification",
    "supervised online", "onsite with identity verification",
)
INTEGRATION_TYPES = ("stand-alone", "integrated", "stackable")

EQF_FRAMEWORK = "European Qualifications Framework"


def eqf_alignment(level: int) -> dict[str, Any]:
    """The OB alignment for an EQF level (STANDARDS §1 example)."""
    return {
        "type": ["Alignment"],
        "targetName": f"EQF level {level}",
        "targetFramework": EQF_FRAMEWORK,
        "targetCode": str(level),
        "targetUrl": f"http://data.europa.eu/snb/eqf/{level}",
    }


@dataclass(frozen=True, kw_only=True)
class EUMicroCredential:
    """The EU elements OB lacks. Every field is optional; set what the programme defines."""

    ects: float | None = None
    workload_hours: float | None = None
    participation_type: str | None = None
    assessment_type: str | None = None
    supervision_type: str | None = None
    identity_checked: bool | None = None
    quality_assurance: Sequence[str] = ()
    prerequisites: str | None = None
    integration: str | None = None
    stackable_towards: Sequence[str] = ()
    learning_outcomes: Sequence[str | Alignment] = ()
    eqf_level: int | None = None
    nqf_level: str | None = None
    nqf_framework: str | None = None
    nqf_url: str | None = None
    grading_scheme: str | None = None
    instruction_language: Sequence[str] = ()
    further_information: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The extension terms (to merge into the Achievement)."""
        if self.ects is not None:
            c.check_number(self.ects, "ECTS")
        if self.workload_hours is not None:
            c.check_number(self.workload_hours, "workloadHours")
        if self.participation_type is not None:
            c.check_enum(self.participation_type, PARTICIPATION_TYPES, "participationType",
                         extensible=True)
        if self.assessment_type is not None:
            c.check_enum(self.assessment_type, ASSESSMENT_TYPES, "assessmentType",
                         extensible=True)
        if self.supervision_type is not None:
            c.check_enum(self.supervision_type, SUPERVISION_TYPES, "supervisionType",
                         extensible=True)
        if self.identity_checked is not None and not isinstance(self.identity_checked, bool):
            raise BuildError("identityChecked must be true or false.", code="BUILD_INVALID_VALUE")
        if self.integration is not None:
            c.check_enum(self.integration, INTEGRATION_TYPES, "integration", extensible=True)
        for target in self.stackable_towards:
            c.check_iri(target, "stackableTowards")
        if self.eqf_level is not None and (
            isinstance(self.eqf_level, bool) or not isinstance(self.eqf_level, int)
            or not 1 <= self.eqf_level <= 8
        ):
            raise BuildError(f"eqfLevel must be an integer from 1 to 8 (got {self.eqf_level!r}).",
                             code="BUILD_INVALID_VALUE")
        for lang in self.instruction_language:
            c.check_language(lang, "instructionLanguage")
        for text in self.quality_assurance:
            c.check_text(text, "qualityAssurance")
        outcomes: list[Any] = []
        for outcome in self.learning_outcomes:
            if isinstance(outcome, str):
                outcomes.append(c.check_text(outcome, "learningOutcome"))
            else:
                outcomes.append(outcome.to_dict())
        return c.drop_none({
            "ECTS": self.ects,
            "workloadHours": self.workload_hours,
            "participationType": self.participation_type,
            "assessmentType": self.assessment_type,
            "supervisionType": self.supervision_type,
            "identityChecked": self.identity_checked,
            "qualityAssurance": list(self.quality_assurance),
            "prerequisites": self.prerequisites,
            "integration": self.integration,
            "stackableTowards": list(self.stackable_towards),
            "learningOutcome": outcomes,
            "eqfLevel": self.eqf_level,
            "nqfLevel": self.nqf_level,
            "gradingScheme": self.grading_scheme,
            "instructionLanguage": list(self.instruction_language),
            "furtherInformation": self.further_information,
        })

    def alignments(self) -> list[dict[str, Any]]:
        """OB alignments mirroring the EQF (and, with a URL, NQF) level."""
        out = []
        if self.eqf_level is not None:
            out.append(eqf_alignment(self.eqf_level))
        if self.nqf_level is not None and self.nqf_url is not None:
            c.check_iri(self.nqf_url, "nqfUrl")
            out.append(c.drop_none({
                "type": ["Alignment"],
                "targetName": f"NQF level {self.nqf_level}",
                "targetFramework": self.nqf_framework or "National Qualifications Framework",
                "targetCode": self.nqf_level,
                "targetUrl": self.nqf_url,
            }))
        return out
