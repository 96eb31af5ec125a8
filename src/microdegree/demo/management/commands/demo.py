"""`manage demo`: a demo institution with a microdegree, staff and learners (idempotent).

Everything is written through the service functions (audit entries included), so the demo data
is what a real institution would have after the same clicks. Users are created with Django's own
`create_user` (there is no platform service for accounts). Running it again finds what exists
and creates only what is missing: no duplicate institution, definition or credential (each demo
award has an idempotency key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from microdegree.catalog import services as catalog
from microdegree.catalog.models import AchievementDefinition, Competency
from microdegree.demo import lti as lti_demo
from microdegree.demo import oid4vci as oid4vci_demo
from microdegree.demo import recognition as recognition_demo
from microdegree.institutions import services as inst_services
from microdegree.institutions.models import Institution
from microdegree.issuing import services as issuing
from microdegree.issuing.models import ApiToken, IssuedCredential

SLUG = "demo-university"
TOKEN_NAME = "Demo API token"  # noqa: S105 - a label, not a secret

# Fixed, public demo passwords: this data is for trying the platform, never for production.
ADMIN = ("admin@demo.example", "demo-password-admin")
STAFF = (
    ("owner@demo.example", "demo-password-1", "owner"),
    ("issuer@demo.example", "demo-password-2", "issuer"),
    ("viewer@demo.example", "demo-password-3", "viewer"),
)

# Skills: two aligned to ESCO concepts (URIs as in the shared ELM examples), one the
# institution's own (ESCO has no concept we could cite for it with confidence).
COMPETENCIES = (
    ("Descriptive and inferential statistics",
     "Describe data and draw conclusions from samples with statistical methods.",
     "own", "", "DU-STAT-1"),
    ("communicate with target community",
     "Present findings from data to the people they concern, in charts they can read.",
     "esco", "http://data.europa.eu/esco/skill/80f308e6-0e09-404a-80cd-ec5f50f6f304", ""),
    ("manage findable accessible interoperable and reusable data",
     "Handle data so that it is findable, accessible, interoperable and reusable, lawfully.",
     "esco", "http://data.europa.eu/esco/skill/4f5c1208-62fd-4e5a-a51e-306c06947e11", ""),
)

_COMMON: dict[str, Any] = {
    "achievement_type": "MicroCredential", "language": "en", "field_of_study": "Data science",
    "criteria_narrative": "Complete the assignments and pass the final assessment (60% or more).",
    "workload_hours": 125, "ects": 5, "credits_available": 5, "eqf_level": 6,
    "nqf_level": "NLQF 6", "assessment_type": "testing", "participation_form": "online",
    "quality_assurance": "Internal quality assurance of Demo University, accredited by NVAO.",
    "prerequisites": "Secondary-school mathematics.", "supervision": "supervised online",
    "identity_checked": True, "grade_scheme": "1-10, 5.5 to pass", "stackability": "stackable",
    "validity_months": None,
}

COURSES = (
    ("intro-statistics", "Introduction to Statistics", "DS101", 0,
     ["Describe a data set with summary statistics.",
      "Test a hypothesis and interpret a confidence interval."]),
    ("data-visualisation", "Data Visualisation", "DS102", 1,
     ["Choose a chart that fits the data and the question.",
      "Build an accessible dashboard."]),
    ("data-ethics", "Data Ethics and Protection", "DS103", 2,
     ["Apply the GDPR principles to a data project.",
      "Assess a model for bias and explain the findings."]),
)
MICRODEGREE = "data-science-microdegree"
# The open catalogue's facts per definition: cost (0 = free; EUR) and typical duration in weeks.
CATALOGUE_FACTS: dict[str, dict[str, Any]] = {
    "intro-statistics": {"cost_amount": 0, "cost_currency": "", "duration_weeks": 5,
                         "language": "en"},
    "data-visualisation": {"cost_amount": 149, "cost_currency": "EUR", "duration_weeks": 5,
                           "language": "en"},
    "data-ethics": {"cost_amount": 99, "cost_currency": "EUR", "duration_weeks": 5,
                    "language": "en"},
    MICRODEGREE: {"cost_amount": 248, "cost_currency": "EUR", "duration_weeks": 15,
                  "language": "en"},
}

# learner e-mail, name, courses (by index) they hold
LEARNERS = (
    ("ana@learner.example", "Ana Alves", (0,)),
    ("ben@learner.example", "Ben Bakker", (0, 1)),
    ("carla@learner.example", "Carla Costa", (0, 1, 2)),
    ("dev@learner.example", "Dev Desai", (2,)),
    ("eva@learner.example", "Eva Eriksen", (1,)),
)
REVOKE = ("dev@learner.example", 2, "Demo: academic misconduct found after the award.")
SUSPEND = ("eva@learner.example", 1, "Demo: under review after a complaint.")


@dataclass
class DemoResult:
    institution: Institution
    token: str | None
    microdegree: AchievementDefinition
    recognition: recognition_demo.RecognitionDemo | None = None
    lti: Any = None


def _user(email: str, password: str, **extra: Any) -> Any:
    model = get_user_model()
    user = model.objects.filter(username=email).first()
    if user is None:
        user = model.objects.create_user(username=email, email=email, password=password,
                                         **extra)
    return user


def _competency(actor: Any, inst: Institution, row: tuple[str, ...]) -> Competency:
    name, description, framework, uri, code = row
    found = Competency.objects.filter(institution=inst, name=name).first()
    return found or catalog.create_competency(
        actor, inst, name=name, description=description, framework=framework,
        framework_name="ESCO" if framework == "esco" else "", target_url=uri, code=code,
    )


def _definition(actor: Any, inst: Institution, slug: str, **fields: Any) -> AchievementDefinition:
    found = AchievementDefinition.objects.filter(institution=inst, slug=slug).first()
    if found is None:
        found = catalog.create_definition(actor, inst, slug=slug, **fields).definition
    return found


def build_demo() -> DemoResult:
    admin = _user(*ADMIN, is_staff=True, is_superuser=True)
    owner = _user(*STAFF[0][:2])
    inst = Institution.objects.filter(slug=SLUG).first()
    if inst is None:
        inst = inst_services.register_institution(
            owner, name="Demo University", country_code="NL", owner=owner, slug=SLUG,
            url="https://university.demo.example", email="registrar@demo.example",
            description="A demo institution: every credential it issues is sample data.",
            locality="Utrecht", region="Utrecht",
            quality_assurance="Accredited by NVAO (demo).",
        )
    if not inst.is_approved:
        inst = inst_services.approve_institution(admin, inst)
    for email, password, role in STAFF:
        user = _user(email, password)
        if inst_services.role_of(user, inst) != role:
            inst_services.set_member(owner, inst, user, role)
    issuer = _user(*STAFF[1][:2])

    competencies = [_competency(owner, inst, row) for row in COMPETENCIES]
    versions = []
    for slug, name, code, comp, outcomes in COURSES:
        definition = _definition(
            owner, inst, slug, name=name, human_code=code,
            description=f"{name}: a five-week online course of the Data Science microdegree.",
            learning_outcomes=outcomes, competencies=[competencies[comp]],
            tags=["data science", "demo"], **_COMMON,
        )
        versions.append(catalog.latest_version(definition))
    degree = _definition(
        owner, inst, MICRODEGREE, kind="microdegree", name="Data Science Microdegree",
        human_code="DS1", description="Three courses stacked into one microdegree (15 ECTS).",
        learning_outcomes=[o for course in COURSES for o in course[4]],
        competencies=competencies, tags=["data science", "demo"],
        **{**_COMMON, "workload_hours": 375, "ects": 15, "credits_available": 15,
           "achievement_type": "LearningProgram", "stackability": "stand-alone",
           "criteria_narrative": "Earn all three Data Science microcredentials."},
    )
    if not catalog.latest_version(degree).rule:
        catalog.set_rule(owner, catalog.latest_version(degree),
                         {"all_of": [{"achievement": slug} for slug, *_ in COURSES]})

    for slug, facts in CATALOGUE_FACTS.items():  # before the first award: edits v1 in place
        catalog.update_definition(owner, _definition(owner, inst, slug), **facts)

    for email, name, held in LEARNERS:
        for index in held:
            issuing.issue_credential(
                issuer, versions[index], recipient_email=email, recipient_name=name,
                result="8", idempotency_key=f"demo:{email}:{COURSES[index][0]}",
                send_email=False,
            )
    for (email, index, reason), action in ((REVOKE, issuing.revoke),
                                           (SUSPEND, issuing.suspend)):
        cred = IssuedCredential.objects.get(institution=inst,
                                            idempotency_key=f"demo:{email}:{COURSES[index][0]}")
        if cred.state == IssuedCredential.State.ACTIVE:
            action(issuer, cred, reason)

    token = None
    if not ApiToken.objects.filter(institution=inst, name=TOKEN_NAME).exists():
        _record, token = issuing.create_api_token(owner, inst, TOKEN_NAME, role="issuer")
    recognition = recognition_demo.build(admin, degree)
    return DemoResult(institution=inst, token=token, microdegree=degree,
                      recognition=recognition, lti=lti_demo.build(owner, inst))


class Command(BaseCommand):
    help = "Create (or complete) the demo institution, staff, microdegree and learners."

    def handle(self, *args: Any, **options: Any) -> None:
        result = build_demo()
        inst = result.institution
        url = settings.PUBLIC_URL
        out = self.stdout
        count = IssuedCredential.objects.filter(institution=inst).count()
        out.write(f"Demo data ready: {inst.name} ({inst.did}), {count} credentials.")
        out.write("")
        out.write(f"  Open {url}/  (dashboard: {url}/dashboard/)")
        out.write("")
        out.write("  Demo sign-ins (DEMO PASSWORDS, sample data only):")
        out.write(f"    platform admin  {ADMIN[0]:<24} {ADMIN[1]}")
        for email, password, role in STAFF:
            out.write(f"    {role:<15} {email:<24} {password}")
        out.write("")
        out.write(f"  Catalogue: {url}/achievements/{inst.slug}/{result.microdegree.slug}")
        out.write(f"  Open catalogue: {url}/catalogue  (open data: {url}/open-data)")
        out.write(f"  DID document: {url}/issuers/{inst.slug}/did.json")
        if url.startswith("http://"):
            out.write("  CLI check of a downloaded credential (did:web and status over http): "
                      f"uv run microdegree verify credential.json --allow-http {url[7:]}")
        if result.recognition is not None:
            for line in recognition_demo.summary_lines(result.recognition, url):
                out.write(line)
        for line in oid4vci_demo.offer_lines(url):
            out.write(line)
        if result.lti is not None:
            out.write(lti_demo.summary_line(result.lti))
        if result.token:
            out.write(f"  API token (shown once, issuer role): {result.token}")
        else:
            out.write("  API token: created on the first run (printed once then); make another "
                      f"at {url}/institutions/{inst.slug}/api-tokens/")
