"""The open-data exports at their stable URLs: CTDL and ELM JSON-LD expand against their bundled
contexts with no term dropped, carry the required classes and fields, the CSV parses with one
row per definition, and the dump states its open licence (metadata, Link header, page)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from microdegree.vc import contexts as vc_contexts
from microdegree.vc.contexts import load_context
from microdegree.vc.errors import VcError
from microdegree.vc.jsonld import expand_safe

pytestmark = pytest.mark.django_db

CTDL = "https://credreg.net/ctdl/schema/context/json"
ELM = "http://data.europa.eu/snb/model/context/edc-ap"
CE = "https://purl.org/ctdl/terms/"
ELM_NS = "http://data.europa.eu/snb/model/elm/"
CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
CONTEXTS_DIR = Path(vc_contexts.__file__).parent


def get_json(client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Link"] == f'<{LICENSE}>; rel="license"'
    assert response["Access-Control-Allow-Origin"] == "*"
    return response


def keys(node: Any) -> set[str]:
    """Every property name used anywhere in a JSON document (keywords excluded)."""
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                out.add(key)
            # a language map's keys are language tags, not terms
            if not (isinstance(value, dict) and value and all(
                    isinstance(v, (str, list)) for v in value.values())
                    and not any(k.startswith("@") for k in value)):
                out |= keys(value)
    elif isinstance(node, list):
        for item in node:
            out |= keys(item)
    return out


def expanded_properties(node: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                out.add(key)
            out |= expanded_properties(value)
    elif isinstance(node, list):
        for item in node:
            out |= expanded_properties(item)
    return out


@pytest.fixture
def ctdl(client, catalogue) -> dict[str, Any]:
    response = get_json(client, "/open-data/ctdl.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(response.content)


def nodes(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [n for n in doc["@graph"] if n["@type"] == type_]


# --- CTDL ---------------------------------------------------------------------------------------


def test_ctdl_expands_with_the_bundled_context_and_drops_nothing(ctdl):
    assert ctdl["@context"] == CTDL
    expanded = expand_safe(ctdl)  # safe mode: an undefined term or relative IRI raises
    used = keys(ctdl)
    defined = set(load_context(CTDL)["@context"])
    # a prefix alone would let any "ceterms:typo" through: every term used is defined
    assert used <= defined, sorted(used - defined)
    properties = expanded_properties(expanded)
    assert all(p.startswith(("https://purl.org/ctdl/terms/", "https://schema.org/"))
               for p in properties), properties
    assert len(expanded) == len(ctdl["@graph"])


def test_ctdl_rejects_an_undefined_term():
    with pytest.raises(VcError) as exc:
        expand_safe({"@context": CTDL, "@type": "ceterms:MicroCredential", "color": "red"})
    assert exc.value.code == "JSONLD_UNDEFINED_TERM"


def test_ctdl_credentials_have_the_required_fields(ctdl, catalogue):
    micro = nodes(ctdl, "ceterms:MicroCredential")
    assert sorted(n["ceterms:name"][next(iter(n["ceterms:name"]))] for n in micro) == [
        "Data Literacy", "Python Basics", "Statistik"]
    degree, = nodes(ctdl, "ceterms:AcademicCertificate")
    org_ids = {n["@id"] for n in nodes(ctdl, "ceterms:CredentialOrganization")}
    for node in [*micro, degree]:
        assert CTID.match(node["ceterms:ctid"])
        assert node["@id"].endswith("/open-data/ctdl/" + node["ceterms:ctid"])
        lang = node["ceterms:inLanguage"][0]
        assert set(node["ceterms:name"]) == {lang}
        assert set(node["ceterms:description"]) == {lang}
        assert node["ceterms:ownedBy"][0] in org_ids
        assert node["ceterms:credentialStatusType"]["ceterms:targetNode"] == \
            "credentialStat:Active"
        assert node["ceterms:subjectWebpage"].startswith("http://testserver/achievements/")
    stats = next(n for n in micro if "de" in n["ceterms:name"])
    assert stats["ceterms:estimatedDuration"][0]["ceterms:exactDuration"] == "P12W"
    assert stats["ceterms:estimatedCost"][0]["ceterms:price"] == 250
    assert stats["ceterms:estimatedCost"][0]["ceterms:currency"] == "EUR"
    assert stats["ceterms:creditValue"][0]["schema:value"] == 10
    assert stats["ceterms:audienceLevelType"][0]["ceterms:targetNode"] == \
        "http://data.europa.eu/snb/eqf/6"
    # the microdegree requires its three parts, by their CTDL ids
    micro_ids = {n["@id"] for n in micro}
    assert set(degree["ceterms:hasPart"]) == micro_ids
    assert set(degree["ceterms:requires"][0]["ceterms:targetCredential"]) == micro_ids


def test_ctdl_subject_webpages_resolve(client, ctdl):
    for node in ctdl["@graph"]:
        url = node["ceterms:subjectWebpage"].removeprefix("http://testserver")
        if url.startswith("/"):
            assert client.get(url, follow=True).status_code == 200, url


def test_ctdl_organizations(ctdl, catalogue):
    orgs = nodes(ctdl, "ceterms:CredentialOrganization")
    assert [o["ceterms:name"]["en"] for o in orgs] == ["Example University",
                                                       "Technical University"]
    assert orgs[0]["ceterms:sameAs"] == [catalogue["institution"].did]
    assert orgs[0]["ceterms:address"][0]["ceterms:addressCountry"] == {"en": "NL"}
    assert all(CTID.match(o["ceterms:ctid"]) for o in orgs)


def test_ctdl_transfer_value_profiles(ctdl, catalogue):
    program, = nodes(ctdl, "ceterms:LearningProgram")
    assert program["ceterms:creditValue"][0]["schema:value"] == 120
    profiles = {p["ceterms:name"]["en"]: p for p in nodes(ctdl, "ceterms:TransferValueProfile")}
    assert set(profiles) == {"Data Science Microdegree for a semester",
                             "Platform courses at EQF 6"}  # not the hidden one
    named = profiles["Data Science Microdegree for a semester"]
    assert CTID.match(named["ceterms:ctid"])
    value, = named["ceterms:transferValue"]
    assert value["@type"] == "ceterms:ValueProfile"
    assert value["schema:value"] == 30
    assert value["ceterms:creditUnitType"][0]["ceterms:targetNode"] == "creditUnit:DegreeCredit"
    assert value["ceterms:creditUnitTypeDescription"] == {"en": "ECTS credits"}
    degree, = nodes(ctdl, "ceterms:AcademicCertificate")
    assert named["ceterms:transferValueFrom"] == [degree["@id"]]
    assert named["ceterms:transferValueFor"] == [program["@id"]]
    university, = [o for o in nodes(ctdl, "ceterms:CredentialOrganization")
                   if o["ceterms:name"]["en"] == "Technical University"]
    assert named["ceterms:ownedBy"] == [university["@id"]]
    assert named["ceterms:description"]["en"] == (
        "Data Science Microdegree counts for 30 ECTS credits toward MSc Data Science. "
        "Conditions: Earned within five years.")
    assert profiles["Platform courses at EQF 6"]["ceterms:description"]["en"] == (
        "Credentials that meet the agreement's criteria count for the credits earned times 1 "
        "(ECTS credits) toward MSc Data Science.")
    factor = profiles["Platform courses at EQF 6"]["ceterms:transferValue"][0]
    assert "schema:value" not in factor
    assert "times 1" in factor["schema:description"]["en"]


def test_ctids_are_stable_and_resolve(client, ctdl, catalogue):
    again = json.loads(client.get("/open-data/ctdl.jsonld").content)
    assert [n["ceterms:ctid"] for n in again["@graph"]] == \
        [n["ceterms:ctid"] for n in ctdl["@graph"]]
    assert len({n["ceterms:ctid"] for n in ctdl["@graph"]}) == len(ctdl["@graph"])
    for node in ctdl["@graph"]:
        one = json.loads(get_json(client, node["@id"].removeprefix("http://testserver")).content)
        assert one["@context"] == CTDL
        assert one["ceterms:ctid"] == node["ceterms:ctid"]
        expand_safe(one)
    missing = client.get("/open-data/ctdl/ce-00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["code"] == "NOT_FOUND"


def test_nothing_of_a_pending_institution_in_any_export(client, catalogue):
    for url in ("/open-data/ctdl.jsonld", "/open-data/elm.jsonld",
                "/open-data/microcredentials.csv", "/open-data/dump.json"):
        body = client.get(url).content.decode()
        for secret in ("Pending Academy", "Secret Course", "Hidden", "pending-academy"):
            assert secret not in body, (url, secret)


# --- ELM ----------------------------------------------------------------------------------------


def test_elm_expands_and_has_every_mandatory_eu_element(client, catalogue):
    doc = json.loads(get_json(client, "/open-data/elm.jsonld").content)
    assert doc["@context"] == ELM
    expanded = expand_safe(doc)
    assert keys(doc) <= set(load_context(ELM)["@context"]), keys(doc) - set(
        load_context(ELM)["@context"])
    assert all(p.startswith(("http://data.europa.eu/snb/model/elm/", "http://purl.org/dc/",
                             "http://www.w3.org/", "http://xmlns.com/foaf/"))
               for p in expanded_properties(expanded))
    assert len(doc["@graph"]) == 4
    opportunity = next(o for o in doc["@graph"] if o["title"] == {"en": "Data Literacy"})
    spec = opportunity["learningAchievementSpecification"]
    assert spec["@type"] == "LearningAchievementSpecification"
    assert spec["@id"] == catalogue["literacy"].achievement_id
    # Annex I mandatory elements that belong to a definition:
    assert spec["title"] == {"en": "Data Literacy"}  # title
    body = spec["awardingOpportunity"][0]["awardingBody"][0]  # awarding body
    assert body["@id"] == catalogue["institution"].did
    assert body["legalName"] == {"en": "Example University"}
    assert body["location"][0]["address"][0]["countryCode"]["@id"] == \
        "http://publications.europa.eu/resource/authority/country/NLD"  # country
    assert spec["learningOutcome"][0]["title"] == {
        "en": "Apply data literacy to real data."}  # learning outcomes
    assert spec["creditPoint"][0]["point"] == "5"  # workload in ECTS
    assert spec["creditPoint"][0]["framework"]["prefLabel"] == {"en": "ECTS"}
    assert spec["volumeOfLearning"] == "PT125H"
    assert spec["eqfLevel"]["@id"] == "http://data.europa.eu/snb/eqf/6"  # level
    assert spec["provenBy"][0]["dcType"]["prefLabel"] == {"en": "Testing"}  # assessment
    assert spec["mode"][0]["prefLabel"] == {"en": "Online"}  # form of participation
    assert spec["accreditation"][0]["title"] == {"en": "Internal QA board"}  # QA
    # optional ones that are stated:
    assert spec["provenBy"][0]["idVerification"]["prefLabel"] == {
        "en": "Supervised online with identity check"}
    assert spec["isPartOf"] == [catalogue["degree"].achievement_id]  # stackability
    assert spec["language"][0]["@id"].endswith("/language/ENG")
    assert spec["relatedESCOSkill"] == ["http://data.europa.eu/esco/skill/"
                                        "3f0a5b6c-6a12-4f61-9a0c-1c2d3e4f5a6b"]
    # the offer: duration and cost (free)
    assert opportunity["duration"] == "P6W"
    assert opportunity["priceDetail"][0]["prefLabel"] == {"en": "Free"}
    degree = next(o for o in doc["@graph"]
                  if o["title"] == {"en": "Data Science Microdegree"})
    assert degree["learningAchievementSpecification"]["@type"] == "Qualification"
    stats = next(o for o in doc["@graph"] if o["title"] == {"de": "Statistik"})
    assert stats["priceDetail"][0]["amount"]["value"] == 250
    assert stats["priceDetail"][0]["amount"]["unit"]["@id"].endswith("/currency/EUR")


# --- CSV and dump -------------------------------------------------------------------------------


def test_csv_parses_with_one_row_per_definition(client, catalogue):
    response = get_json(client, "/open-data/microcredentials.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert sorted(r["name"] for r in rows) == ["Data Literacy", "Data Science Microdegree",
                                               "Python Basics", "Statistik"]
    assert len({r["achievement_id"] for r in rows}) == 4
    stats = next(r for r in rows if r["name"] == "Statistik")
    assert (stats["cost_free"], stats["cost_amount"], stats["cost_currency"]) == \
        ("false", "250", "EUR")
    assert (stats["duration_weeks"], stats["duration_iso"]) == ("12", "P12W")
    assert (stats["eqf_level"], stats["ects"], stats["language"]) == ("6", "10", "de")
    assert stats["institution_did"] == catalogue["institution"].did
    literacy = next(r for r in rows if r["name"] == "Data Literacy")
    assert literacy["cost_free"] == "true"
    assert CTID.match(literacy["ctid"])


def test_csv_quotes_text_a_spreadsheet_would_run_as_a_formula(client, catalogue):
    from microdegree.catalog.models import AchievementVersion

    AchievementVersion.objects.filter(name="Python Basics").update(
        name='=HYPERLINK("https://evil.example")', description="@SUM(1+1)")
    response = get_json(client, "/open-data/microcredentials.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    row = next(r for r in rows if "HYPERLINK" in r["name"])
    assert row["name"] == "'" + '=HYPERLINK("https://evil.example")'
    assert row["description"] == "'@SUM(1+1)"
    assert next(r for r in rows if r["name"] == "Statistik")["cost_amount"] == "250"


def test_the_dump_has_everything_public_and_its_licence(client, catalogue):
    dump = json.loads(get_json(client, "/open-data/dump.json").content)
    assert dump["license"]["id"] == "CC0-1.0"
    assert dump["license"]["url"] == LICENSE
    assert [i["slug"] for i in dump["institutions"]] == ["example-uni", "tech-uni"]
    assert len(dump["achievements"]) == 4
    assert [p["slug"] for p in dump["programs"]] == ["msc-data-science"]
    assert len(dump["agreements"]) == 2
    assert set(dump["exports"]) == {"ctdl", "elm", "csv", "dump"}
    for url in dump["exports"].values():
        assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_the_open_data_page_states_the_licence(client, catalogue):
    response = get_json(client, "/open-data")
    html = response.content.decode()
    assert f'<link rel="license" href="{LICENSE}">' in html
    assert f'rel="license" href="{LICENSE}"' in html
    assert "Creative Commons Zero" in html
    for path in ("/open-data/ctdl.jsonld", "/open-data/elm.jsonld",
                 "/open-data/microcredentials.csv", "/open-data/dump.json"):
        assert path in html


def test_the_ctdl_subset_is_listed_with_its_hash_and_knows_every_credit_unit():
    import hashlib

    from microdegree.opendata import ctdl as builder
    from microdegree.recognition.models import CreditUnit
    from microdegree.vc.contexts import context_bytes

    raw = context_bytes(CTDL)
    readme = (CONTEXTS_DIR / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{CTDL}`"))
    assert "`ctdl-context-subset.json`" in row
    assert "SUBSET" in row
    assert f"`{hashlib.sha256(raw).hexdigest()[:16]}`" in row
    assert f"| {len(raw)} |" in row
    assert set(builder.CREDIT_UNITS) == set(CreditUnit.values)
