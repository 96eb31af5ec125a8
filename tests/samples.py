"""Test support: a realistic ~3 KB OpenBadgeCredential for tests, benchmarks and the examples.

(It was `microdegree.vc.samples`; fixtures are not part of the core distribution.)

The same shape the platform issues: OB 3.0.3 context, a did issuer profile with address, a
MicroCredential achievement with EQF alignment, credits, a result, evidence and a status entry.
"""

from __future__ import annotations

from typing import Any

OB_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def sample_credential(
    issuer: str = "did:web:uni.example:issuers:demo",
    *,
    credential_id: str = "urn:uuid:5c1b4f0a-5d1e-4b8e-9a43-0f1d2f6b9a01",
    subject_id: str = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    status_list: str | None = "https://uni.example/status/demo/1",
    status_index: int = 94567,
    valid_from: str = "2026-01-15T00:00:00Z",
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential of about 3 KB."""
    credential: dict[str, Any] = {
        "@context": list(OB_CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data Literacy for Public Policy",
        "description": "Awarded for the Data Literacy for Public Policy microcredential.",
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": "Example University",
            "url": "https://uni.example/",
            "email": "registrar@uni.example",
            "address": {
                "type": ["Address"],
                "addressCountryCode": "NL",
                "addressRegion": "Utrecht",
                "addressLocality": "Utrecht",
            },
        },
        "validFrom": valid_from,
        "awardedDate": valid_from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": subject_id,
            "creditsEarned": 5,
            "activityStartDate": "2025-09-01T00:00:00Z",
            "activityEndDate": "2025-12-19T00:00:00Z",
            "narrative": "Completed all four modules and the capstone data-audit project.",
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": "urn:uuid:rd-grade",
                    "value": "8.5",
                    "status": "Completed",
                }
            ],
            "achievement": {
                "id": "https://uni.example/achievements/data-literacy/v1",
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": "Data Literacy for Public Policy",
                "description": "Read, question and present quantitative evidence in policy work: "
                "descriptive statistics, sampling, visualisation and data ethics.",
                "criteria": {
                    "narrative": "Pass four module assessments (60% or more) and a "
                    "supervised capstone data audit."
                },
                "creditsAvailable": 5,
                "fieldOfStudy": "Public administration",
                "humanCode": "DLPP-101",
                "inLanguage": "en",
                "tag": ["data literacy", "statistics", "public policy"],
                "image": {
                    "id": "https://uni.example/achievements/data-literacy/badge.png",
                    "type": "Image",
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "EQF level 6",
                        "targetFramework": "European Qualifications Framework",
                        "targetCode": "6",
                        "targetUrl": "http://data.europa.eu/snb/eqf/6",
                    },
                    {
                        "type": ["Alignment"],
                        "targetName": "Data literacy",
                        "targetFramework": "ESCO",
                        "targetType": "ceasn:Competency",
                        "targetUrl": "http://data.europa.eu/esco/skill/S5.6.1",
                    },
                ],
                "resultDescription": [
                    {
                        "id": "urn:uuid:rd-grade",
                        "type": ["ResultDescription"],
                        "name": "Final grade",
                        "resultType": "ScaledScore",
                        "valueMin": "1",
                        "valueMax": "10",
                    }
                ],
            },
        },
        "evidence": [
            {
                "id": "https://uni.example/evidence/capstone/4711",
                "type": ["Evidence"],
                "name": "Capstone data audit",
                "genre": "Project",
            }
        ],
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if status_list is not None:
        credential["credentialStatus"] = {
            "id": f"{status_list}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list,
        }
    return credential
