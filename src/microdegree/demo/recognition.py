"""The recognition part of `manage demo` (idempotent): "Demo Technical University" with an MSc
Data Science that recognises the demo Data Science Microdegree for a semester, and the demo
learner who completed the microdegree with a decided (accepted) application.

Written through the services only (audit entries included); running it again finds what exists.
The learner's account is made the way a learner makes it: a sign-in link, used once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from microdegree.catalog.models import AchievementDefinition
from microdegree.catalog.versions import latest_version
from microdegree.institutions import services as inst_services
from microdegree.institutions.models import Institution
from microdegree.issuing.models import IssuedCredential
from microdegree.recognition import services
from microdegree.recognition.models import CreditApplication, Program
from microdegree.records import auth as records_auth
from microdegree.records import services as records_services
from microdegree.records.models import LearnerEmail
from microdegree.records.record import platform_credentials

SLUG = "demo-technical-university"
PROGRAM = "msc-data-science"
# Fixed, public demo password: sample data only.
REGISTRAR = ("registrar@tech.demo.example", "demo-password-4")
LEARNER = "carla@learner.example"  # holds all three courses, so the microdegree
MODULES = (
    ("MDS-101", "Statistical Learning", 10), ("MDS-102", "Visual Analytics", 10),
    ("MDS-103", "Data Governance and Ethics", 10), ("MDS-201", "Machine Learning", 10),
    ("MDS-202", "Big Data Systems", 10), ("MDS-900", "Master's Thesis", 30),
)
AGREEMENT = "Data Science Microdegree (Demo University): one semester"
COURSES_AGREEMENT = "Platform microcredentials at EQF 6 or higher"


@dataclass
class RecognitionDemo:
    institution: Institution
    program: Program
    application: CreditApplication | None


def _user(email: str, password: str) -> Any:
    model = get_user_model()
    return (model.objects.filter(username=email).first()
            or model.objects.create_user(username=email, email=email, password=password))


def _institution(admin: Any) -> tuple[Institution, Any]:
    registrar = _user(*REGISTRAR)
    inst = Institution.objects.filter(slug=SLUG).first()
    if inst is None:
        inst = inst_services.register_institution(
            registrar, name="Demo Technical University", country_code="DE", owner=registrar,
            slug=SLUG, url="https://tech.demo.example", email="registrar@tech.demo.example",
            description="A demo receiving university: its program and agreements are samples.",
            locality="Delft", region="South Holland",
            quality_assurance="Accredited by NVAO (demo).",
        )
    if not inst.is_approved:
        inst = inst_services.approve_institution(admin, inst)
    return inst, registrar


def _program(registrar: Any, inst: Institution, degree: AchievementDefinition) -> Program:
    program = Program.objects.filter(institution=inst, slug=PROGRAM).first()
    if program is None:
        program = services.create_program(
            registrar, inst, slug=PROGRAM, name="MSc Data Science",
            description="A two-year master's program. Holders of the Data Science "
                        "Microdegree start in the second semester.",
            url="https://tech.demo.example/msc-data-science", field_of_study="Data science",
            eqf_level=7, credit_unit="ects", total_credits=120, duration_terms=4,
            duration_months=24, residency_terms=4, residency_months=24,
            max_recognised_fraction=0.5,
        )
    for code, name, credits in MODULES:
        if not program.modules.filter(code=code).exists():
            services.add_module(registrar, program, code=code, name=name, credits=credits)
    if not program.agreements.filter(name=AGREEMENT).exists():
        version = latest_version(degree)
        services.create_agreement(
            registrar, program, name=AGREEMENT, source_kind="named",
            named_achievements=[{"issuer": degree.institution.did,
                                 "achievement": version.achievement_id,
                                 "name": version.name}],
            value_kind="fixed", value_credits=30,
            conditions="Counts toward the first semester; the thesis is always done here.",
            exempted_modules=list(program.modules.filter(
                code__in=["MDS-101", "MDS-102", "MDS-103"])),
        )
    if not program.agreements.filter(name=COURSES_AGREEMENT).exists():
        services.create_agreement(
            registrar, program, name=COURSES_AGREEMENT, source_kind="criteria",
            criteria_registry="platform", criteria_min_eqf_level=6, criteria_min_credits=5,
            criteria_max_age_years=5, value_kind="factor", value_factor=1,
            conditions="Each microcredential counts at its ECTS, as an elective.",
        )
    return program


def _learner() -> Any:
    owned = LearnerEmail.objects.filter(email=LEARNER, verified_at__isnull=False).first()
    if owned is not None:
        return owned.user
    return records_services.sign_in_with_link(records_auth.make_token("login", LEARNER))


def build(admin: Any, degree: AchievementDefinition) -> RecognitionDemo:
    inst, registrar = _institution(admin)
    program = _program(registrar, inst, degree)
    learner = _learner()
    application = (CreditApplication.objects.filter(learner=learner, program=program)
                   .order_by("created_at").first())
    if application is None:
        held = [c for c in platform_credentials(learner)
                if c.state == IssuedCredential.State.ACTIVE
                and c.achievement_version.definition.institution_id == degree.institution_id]
        if not held:
            return RecognitionDemo(institution=inst, program=program, application=None)
        # the microdegree first, then its parts: the proposal explains why they do not add up
        held.sort(key=lambda c: (c.achievement_version.definition_id != degree.pk,
                                 c.achievement_version.name))
        application = services.start_application(
            learner, program, record_keys=[f"p-{c.uuid}" for c in held],
            note="I completed the Data Science Microdegree at Demo University.")
    if application.status == CreditApplication.Status.DRAFT:
        application = services.submit_application(learner, application)
    if application.status == CreditApplication.Status.SUBMITTED:
        services.decide(registrar, application, outcome="accepted",
                        reason="Accepted as proposed under our published agreement.")
        application.refresh_from_db()
    return RecognitionDemo(institution=inst, program=program, application=application)


def summary_lines(result: RecognitionDemo, url: str) -> list[str]:
    """What the demo command prints: the sign-in, the pages, and the application's figures."""
    inst, program = result.institution, result.program
    lines = [
        f"  Credit recognition: {inst.name} ({REGISTRAR[0]} / {REGISTRAR[1]}):",
        f"    program {url}{program.path}",
        f"    applications {url}/institutions/{inst.slug}/applications/",
        f"    What is it worth? {url}/worth",
    ]
    application = result.application
    if application is not None:
        p = application.proposal
        lines.append(f"    {LEARNER}'s application ({url}/me/credit/{application.uuid}):")
        for item in p.get("credentials", []):
            lines.append(f"      {item['credential'].get('name')}: {item['code']} "
                         f"{item['credits']} - {item['message']}")
        residency = p.get("residency", {})
        lines.append(
            f"      recognised {p.get('recognised')} of {p['program']['total_credits']} ECTS "
            f"(cap {p.get('cap')}), still needed {p.get('still_needed')}, residency saved "
            f"{residency.get('terms_saved')} term(s) / {residency.get('months_saved')} months")
        decision = getattr(application, "decision", None)
        if decision is not None and decision.credential is not None:
            lines.append(f"      decision: {decision.outcome}, signed credential "
                         f"{url}/credentials/{decision.credential.uuid}")
    return lines
