"""Catalogue services: versions, immutability once awarded, audit, tenancy, pathways."""

from __future__ import annotations

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.catalog import services
from microdegree.catalog.errors import Conflict, Invalid, NotFound, RuleInvalid
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions import services as institutions

pytestmark = pytest.mark.django_db


def actions(institution):
    return list(AuditEntry.objects.filter(institution_id=institution.pk,
                                          action__startswith="catalog.")
                .order_by("id").values_list("action", flat=True))


def test_create_makes_version_one_with_an_audit_entry(institution, issuer):
    version = services.create_definition(
        issuer, institution, name="Data Literacy", description="Read and question data.",
        criteria_narrative="Pass the exam.", learning_outcomes=["Read a chart"],
        eqf_level=5, ects=2.5,
    )
    assert version.number == 1
    assert version.definition.slug == "data-literacy"
    assert version.definition.kind == "microcredential"
    assert version.achievement_type == "MicroCredential"
    assert services.latest_version(version.definition) == version
    entry = AuditEntry.objects.get(action="catalog.definition_created")
    assert entry.actor == issuer
    assert entry.institution_id == institution.pk
    assert entry.after["name"] == "Data Literacy"
    assert entry.after["ects"] == 2.5


def test_invalid_fields_are_refused_with_a_sentence(institution, issuer, make_definition):
    with pytest.raises(Invalid, match="eqf level"):
        make_definition(eqf_level=9)
    with pytest.raises(Invalid, match="cannot be set: colour"):
        make_definition(colour="red")
    with pytest.raises(Invalid, match="language"):
        make_definition(language="not a language")
    make_definition()
    with pytest.raises(Conflict):
        make_definition()
    assert AchievementVersion.objects.count() == 1  # the failed ones left nothing behind


def test_editing_before_award_changes_the_version_in_place(make_definition, issuer):
    version = make_definition()
    edited = services.update_definition(issuer, version.definition, name="Data Literacy I")
    assert edited.pk == version.pk
    assert edited.number == 1
    assert edited.name == "Data Literacy I"
    entry = AuditEntry.objects.get(action="catalog.definition_updated")
    assert entry.before["name"] == "Data Literacy"
    assert entry.after["name"] == "Data Literacy I"


def test_an_awarded_version_is_immutable_and_editing_makes_the_next(make_definition, issuer,
                                                                   institution):
    competency = services.create_competency(issuer, institution, name="Reading charts")
    v1 = make_definition(competencies=[competency])
    services.mark_awarded(v1)
    first_award = v1.awarded_at
    services.mark_awarded(v1)  # idempotent
    assert v1.awarded_at == first_award
    assert AuditEntry.objects.filter(action="catalog.version_awarded").count() == 1

    v2 = services.update_definition(issuer, v1.definition, ects=6)
    assert v2.number == 2
    assert v2.ects == 6
    assert v2.awarded_at is None
    assert list(v2.competencies.all()) == [competency]  # carried over
    v1.refresh_from_db()
    assert v1.ects == 5  # the awarded version did not change
    assert v1.to_achievement()["ECTS"] == 5
    assert v2.to_achievement()["ECTS"] == 6
    assert services.latest_version(v1.definition) == v2

    # until v2 is awarded, further edits stay in v2
    v2b = services.update_definition(issuer, v1.definition, name="Data Literacy (2027)")
    assert v2b.pk == v2.pk
    assert "catalog.version_created" in actions(institution)

    # nothing changed: no new version, no audit entry
    services.mark_awarded(v2)
    count = AuditEntry.objects.count()
    assert services.update_definition(issuer, v1.definition, ects=6).pk == v2.pk
    assert AuditEntry.objects.count() == count


def test_only_the_latest_version_takes_an_image_or_rule(make_definition, issuer):
    v1 = make_definition()
    services.mark_awarded(v1)
    services.update_definition(issuer, v1.definition, name="New name")
    with pytest.raises(Conflict, match="latest version"):
        services.clear_image(issuer, v1)


def test_competencies_of_another_institution_are_refused(make_definition, issuer,
                                                         other_institution):
    foreign = services.create_competency(None, other_institution, name="Elsewhere")
    with pytest.raises(Invalid, match="this institution only"):
        make_definition(competencies=[foreign])


def test_competency_create_and_update(institution, issuer):
    c = services.create_competency(issuer, institution, name="Statistics", framework="esco",
                                   target_url="http://data.europa.eu/esco/skill/abc",
                                   code="S1.2")
    services.update_competency(issuer, c, code="S1.3")
    c.refresh_from_db()
    assert c.code == "S1.3"
    with pytest.raises(Invalid):
        services.update_competency(issuer, c, target_url="not a url")
    assert actions(institution)[-2:] == ["catalog.competency_created",
                                         "catalog.competency_updated"]


def test_staff_access_is_per_institution(make_definition, issuer, make_user,
                                         other_institution):
    version = make_definition()
    slug = version.definition.slug
    assert services.definition_for(issuer, "example-uni", slug) == version.definition
    outsider = other_institution.members.get().user
    with pytest.raises(NotFound) as not_yours:
        services.definition_for(outsider, "example-uni", slug)
    with pytest.raises(NotFound) as missing:
        services.definition_for(outsider, "no-such-institution", slug)
    assert str(not_yours.value) == str(missing.value)
    with pytest.raises(NotFound):
        services.definition_for(issuer, "example-uni", "no-such-achievement")


def test_public_versions(make_definition, issuer, institution, make_user):
    v1 = make_definition()
    assert services.get_public_version("example-uni", "data-literacy", 1) == v1
    with pytest.raises(NotFound):
        services.get_public_version("example-uni", "data-literacy", 2)
    # a suspended institution's achievements keep resolving (credentials point at them) ...
    institution.status = institution.Status.SUSPENDED
    institution.save()
    assert services.get_public_version("example-uni", "data-literacy", 1) == v1
    # ... a pending one's catalogue is not public yet
    owner = make_user()
    pending = institutions.register_institution(owner, name="New College", country_code="FR",
                                                owner=owner)
    services.create_definition(owner, pending, name="Draft", description="d",
                               criteria_narrative="c")
    with pytest.raises(NotFound):
        services.get_public_version(pending.slug, "draft", 1)


# --- pathways -------------------------------------------------------------------------------


@pytest.fixture
def courses(make_definition):
    return {name: make_definition(name.title(), slug=name).definition
            for name in ("statistics", "python", "ethics", "sql")}


def test_set_rule_by_slug_and_pathways_containing(make_definition, issuer, courses,
                                                  institution):
    md = make_definition("Data Science", kind="microdegree", credits_available=15)
    assert md.achievement_type == "LearningProgram"
    md = services.set_rule(issuer, md, {"all_of": [
        {"achievement": "statistics"},
        {"at_least": 1, "of": [{"achievement": "python"}, {"achievement": courses["sql"].pk}]},
    ]})
    assert md.rule == {"all_of": [
        {"achievement": courses["statistics"].pk},
        {"at_least": 1, "of": [{"achievement": courses["python"].pk},
                               {"achievement": courses["sql"].pk}]},
    ]}
    assert services.pathways_containing(courses["python"]) == [md]
    assert services.pathways_containing(courses["ethics"]) == []
    entry = AuditEntry.objects.get(action="catalog.rule_set")
    assert entry.after["rule"] == md.rule

    # nested: a bigger microdegree containing this one also contains python
    big = make_definition("Data Leadership", kind="microdegree")
    big = services.set_rule(issuer, big, {"all_of": [{"achievement": "data-science"},
                                                     {"achievement": "ethics"}]})
    assert {v.pk for v in services.pathways_containing(courses["python"])} == {md.pk, big.pk}


def test_a_microdegree_cannot_include_itself(make_definition, issuer, courses):
    md = make_definition("Data Science", kind="microdegree")
    with pytest.raises(RuleInvalid, match="cannot include itself"):
        services.set_rule(issuer, md, {"all_of": [{"achievement": "data-science"}]})
    outer = make_definition("Outer", kind="microdegree")
    services.set_rule(issuer, outer, {"all_of": [{"achievement": "data-science"}]})
    middle_rule = {"at_least": 1, "of": [{"achievement": "outer"}, {"achievement": "sql"}]}
    with pytest.raises(RuleInvalid, match="through another microdegree") as exc:
        services.set_rule(issuer, md, middle_rule)
    assert exc.value.code == "RULE_INVALID"


def test_rule_problems_are_listed(make_definition, issuer, courses):
    md = make_definition("Data Science", kind="microdegree")
    with pytest.raises(RuleInvalid) as exc:
        services.set_rule(issuer, md, {"all_of": [{"achievement": "nope"},
                                                  {"at_least": 5, "of": [{"achievement": "sql"}]}]})
    assert len(exc.value.problems) == 2
    with pytest.raises(Invalid, match="Only a microdegree"):
        services.set_rule(issuer, courses["sql"].versions.get(), {"all_of": []})


def test_changing_an_awarded_microdegree_rule_makes_a_new_version(make_definition, issuer,
                                                                 courses):
    md = make_definition("Data Science", kind="microdegree")
    md = services.set_rule(issuer, md, {"all_of": [{"achievement": "sql"}]})
    services.mark_awarded(md)
    v2 = services.set_rule(issuer, md, {"all_of": [{"achievement": "sql"},
                                                   {"achievement": "python"}]})
    assert v2.number == 2
    md.refresh_from_db()
    assert md.rule == {"all_of": [{"achievement": courses["sql"].pk}]}
