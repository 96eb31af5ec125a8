"""Achievement (the micro-credential definition) and the small classes it uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from microdegree.vc.builders import _common as c
from microdegree.vc.builders.eu import EUMicroCredential
from microdegree.vc.errors import BuildError

if TYPE_CHECKING:
    from microdegree.vc.builders.profile import Profile

ACHIEVEMENT_TYPES = (
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree",
    "Award", "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion",
    "Certification", "CommunityService", "Competency", "Course", "CoCurricular", "Degree",
    "Diploma", "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment",
    "JourneymanCertificate", "LearningProgram", "License", "Membership", "ProfessionalDoctorate",
    "QualityAssuranceCredential", "MasterCertificate", "MasterDegree", "MicroCredential",
    "ResearchDoctorate", "SecondarySchoolDiploma",
)
ALIGNMENT_TARGET_TYPES = (
    "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
    "CFRubricCriterionLevel", "CTDL",
)
RESULT_TYPES = (
    "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore",
    "RawScore", "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore",
    "ScaledScore", "Status",
)
IDENTIFIER_TYPES = (
    "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
    "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
    "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
    "ltiUserId", "identifier",
)


@dataclass(frozen=True, kw_only=True)
class Image:
    """OB Image (closed class): a URL or data: URI, optional caption."""

    id: str
    caption: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if not self.id.startswith("data:"):
            c.check_iri(self.id, "Image id")
        return c.drop_none({"id": self.id, "type": "Image", "caption": self.caption})


@dataclass(frozen=True, kw_only=True)
class Alignment:
    """A link to a framework node (EQF level, ESCO skill, CASE item, CTDL credential…)."""

    target_name: str
    target_url: str
    target_code: str | None = None
    target_description: str | None = None
    target_framework: str | None = None
    target_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        c.check_text(self.target_name, "Alignment targetName")
        c.check_iri(self.target_url, "Alignment targetUrl")
        if self.target_type is not None:
            c.check_enum(self.target_type, ALIGNMENT_TARGET_TYPES, "Alignment targetType",
                         extensible=True)
        return c.drop_none({
            "type": ["Alignment"],
            "targetName": self.target_name,
            "targetUrl": self.target_url,
            "targetCode": self.target_code,
            "targetDescription": self.target_description,
            "targetFramework": self.target_framework,
            "targetType": self.target_type,
        })


@dataclass(frozen=True, kw_only=True)
class Criteria:
    """How the achievement is earned: a page (`id`) and/or Markdown `narrative`."""

    id: str | None = None
    narrative: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.id is None and not self.narrative:
            raise BuildError("Achievement criteria need a narrative or a URL (id).",
                             code="BUILD_MISSING_FIELD")
        if self.id is not None:
            c.check_iri(self.id, "criteria id")
        return c.drop_none({"id": self.id, "narrative": self.narrative})


@dataclass(frozen=True, kw_only=True)
class IdentifierEntry:
    """Another identifier of a Profile or Achievement (closed class)."""

    identifier: str
    identifier_type: str

    def to_dict(self) -> dict[str, Any]:
        c.check_text(self.identifier, "IdentifierEntry identifier")
        c.check_enum(self.identifier_type, IDENTIFIER_TYPES, "identifierType", extensible=True)
        return {"type": "IdentifierEntry", "identifier": self.identifier,
                "identifierType": self.identifier_type}


@dataclass(frozen=True, kw_only=True)
class Related:
    """The same achievement in another language or version."""

    id: str
    in_language: str | None = None
    version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        c.check_iri(self.id, "related id")
        if self.in_language is not None:
            c.check_language(self.in_language, "related inLanguage")
        return c.drop_none({"id": self.id, "type": ["Related"], "inLanguage": self.in_language,
                            "version": self.version})


@dataclass(frozen=True, kw_only=True)
class RubricCriterionLevel:
    name: str
    id: str = field(default_factory=c.new_id)
    description: str | None = None
    level: str | None = None
    points: str | None = None
    alignment: Sequence[Alignment] = ()

    def to_dict(self) -> dict[str, Any]:
        c.check_iri(self.id, "RubricCriterionLevel id")
        c.check_text(self.name, "RubricCriterionLevel name")
        return c.drop_none({
            "id": self.id, "type": ["RubricCriterionLevel"], "name": self.name,
            "description": self.description, "level": self.level, "points": self.points,
            "alignment": [a.to_dict() for a in self.alignment],
        })


@dataclass(frozen=True, kw_only=True)
class ResultDescription:
    """What a Result means: a grade scale, pass/fail status, rubric…"""

    name: str
    result_type: str
    id: str = field(default_factory=c.new_id)
    allowed_value: Sequence[str] = ()
    required_value: str | None = None
    required_level: str | None = None
    value_min: str | None = None
    value_max: str | None = None
    rubric_criterion_level: Sequence[RubricCriterionLevel] = ()
    alignment: Sequence[Alignment] = ()

    def to_dict(self) -> dict[str, Any]:
        c.check_iri(self.id, "ResultDescription id")
        c.check_text(self.name, "ResultDescription name")
        c.check_enum(self.result_type, RESULT_TYPES, "resultType", extensible=True)
        for value in (*self.allowed_value, self.required_value, self.value_min, self.value_max):
            if value is not None and not isinstance(value, str):
                raise BuildError(f"ResultDescription values are strings (got {value!r}).",
                                 code="BUILD_INVALID_VALUE")
        return c.drop_none({
            "id": self.id, "type": ["ResultDescription"], "name": self.name,
            "resultType": self.result_type, "allowedValue": list(self.allowed_value),
            "requiredValue": self.required_value, "requiredLevel": self.required_level,
            "valueMin": self.value_min, "valueMax": self.value_max,
            "rubricCriterionLevel": [r.to_dict() for r in self.rubric_criterion_level],
            "alignment": [a.to_dict() for a in self.alignment],
        })


@dataclass(frozen=True, kw_only=True)
class Achievement:
    """The micro-credential definition (OB Achievement) with the optional EU extension."""

    name: str
    description: str
    criteria: Criteria | str
    id: str = field(default_factory=c.new_id)
    achievement_type: str | None = None
    alignment: Sequence[Alignment] = ()
    creator: Profile | Mapping[str, Any] | None = None
    credits_available: float | None = None
    field_of_study: str | None = None
    human_code: str | None = None
    specialization: str | None = None
    tag: Sequence[str] = ()
    image: Image | str | None = None
    in_language: str | None = None
    other_identifier: Sequence[IdentifierEntry] = ()
    related: Sequence[Related] = ()
    result_description: Sequence[ResultDescription] = ()
    version: str | None = None
    endorsement: Sequence[Mapping[str, Any]] = ()
    eu: EUMicroCredential | None = None
    extra_types: Sequence[str] = ()

    @property
    def uses_eu_extension(self) -> bool:
        return self.eu is not None

    def to_dict(self) -> dict[str, Any]:
        c.check_iri(self.id, "Achievement id")
        eu = self.eu.to_dict() if self.eu is not None else {}
        c.check_text(self.name, "Achievement name")
        c.check_text(self.description, "Achievement description")
        criteria = Criteria(narrative=self.criteria) if isinstance(self.criteria, str) \
            else self.criteria
        if self.achievement_type is not None:
            c.check_enum(self.achievement_type, ACHIEVEMENT_TYPES, "achievementType",
                         extensible=True)
        credits = self.credits_available
        if credits is None and self.eu is not None and self.eu.ects is not None:
            credits = self.eu.ects  # ECTS is the credit system we award in (STANDARDS §7)
        if credits is not None:
            c.check_number(credits, "creditsAvailable")
        if self.in_language is not None:
            c.check_language(self.in_language, "inLanguage")
        for t in self.tag:
            c.check_text(t, "tag")
        alignment = [a.to_dict() for a in self.alignment]
        if self.eu is not None:
            for extra in self.eu.alignments():
                if not any(a.get("targetUrl") == extra["targetUrl"] for a in alignment):
                    alignment.append(extra)
        out = c.drop_none({
            "id": self.id,
            "type": ["Achievement", *self.extra_types],
            "achievementType": self.achievement_type,
            "name": self.name,
            "description": self.description,
            "criteria": criteria.to_dict(),
            "creditsAvailable": credits,
            "fieldOfStudy": self.field_of_study,
            "humanCode": self.human_code,
            "specialization": self.specialization,
            "tag": list(self.tag),
            "image": c.image(self.image),
            "inLanguage": self.in_language,
            "version": self.version,
            "alignment": alignment,
            "creator": c.as_dict(self.creator, "creator") if self.creator is not None else None,
            "otherIdentifier": [o.to_dict() for o in self.other_identifier],
            "related": [r.to_dict() for r in self.related],
            "resultDescription": [r.to_dict() for r in self.result_description],
            "endorsement": [dict(e) for e in self.endorsement],
        })
        out.update(eu)
        return out
