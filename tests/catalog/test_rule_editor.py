"""The award-rule editor through the real views, without JavaScript: groups and parts as a form,
sub-groups added and removed by submit buttons, the rule as a sentence, how many current
learners (real signed credentials) would qualify, every refusal naming its field, and the JSON
preview endpoint's tenancy."""

from __future__ import annotations

import json
import re

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.catalog import rule_editor, services
from microdegree.institutions import services as institutions

pytestmark = pytest.mark.django_db

STAFF = "/institutions/example-uni/achievements"
PAGE = f"{STAFF}/data-science/rule"
PREVIEW = f"{PAGE}/preview"


def nested(action: str = "preview", **extra):
    """All of Statistics, and at least 2 of Python, R, SQL (a sub-group)."""
    return {"group": ["r", "r_0"], "r__kind": "all_of", "r__part": ["statistics"],
            "r_0__kind": "at_least", "r_0__n": "2", "r_0__part": ["python", "r", "sql"],
            "action": action, **extra}


def sentence_of(html: str) -> str:
    match = re.search(r'<output id="rule-sentence"[^>]*>(.*?)</output>', html, re.S)
    assert match
    return match.group(1).strip()


def test_building_a_nested_rule_without_javascript(client, issuer, courses, awarded):
    client.force_login(issuer)
    html = client.get(PAGE).content.decode()
    assert 'name="r__kind"' in html
    assert 'name="r__part" value="statistics"' in html
    assert 'value="data-science"' not in html  # the microdegree is not offered as its own part

    # "Add a sub-group" is a submit button: the page comes back with Group 1.1 and the choices kept
    added = client.post(PAGE, {"group": ["r"], "r__kind": "all_of", "r__part": ["statistics"],
                               "action": "add:r"})
    html = added.content.decode()
    assert added.status_code == 200
    assert 'name="r_0__kind"' in html
    assert "Group 1.1" in html
    assert re.search(r'value="statistics" id="r__part-statistics" checked', html)

    preview = client.post(PAGE, nested())
    html = preview.content.decode()
    assert sentence_of(html) == "All of Statistics and 2 of Python, R, SQL"
    # ann qualifies; bob lacks a second of Python/R/SQL, cy lacks Statistics, dee's was revoked
    assert "1 current learner would qualify." in html
    assert services.latest_version(courses["data-science"].definition).rule is None

    saved = client.post(PAGE, nested("save"))
    assert saved.status_code == 302
    version = services.latest_version(courses["data-science"].definition)
    ids = {slug: v.definition_id for slug, v in courses.items()}
    assert version.rule == {"all_of": [
        {"achievement": ids["statistics"]},
        {"at_least": 2, "of": [{"achievement": ids["python"]}, {"achievement": ids["r"]},
                               {"achievement": ids["sql"]}]}]}
    assert AuditEntry.objects.filter(action="catalog.rule_set").count() == 1

    # the saved rule comes back as the same form, its sentence and count shown on arrival
    html = client.get(saved["Location"]).content.decode()
    assert "Saved as version 1." in html
    assert sentence_of(html) == "All of Statistics and 2 of Python, R, SQL"
    assert "1 current learner would qualify." in html
    assert re.search(r'value="sql" id="r_0__part-sql" checked', html)
    assert re.search(r'<option value="at_least" selected>', html)

    # removing the sub-group is a submit button too; the JSON API shows the rule by slug
    removed = client.post(PAGE, nested("remove:r_0"))
    assert 'name="r_0__kind"' not in removed.content.decode()
    api = json.loads(client.get("/api/v1/institutions/example-uni/achievements").content)
    by_slug = {a["slug"]: a for a in api["achievements"]}
    assert by_slug["data-science"]["rule"]["all_of"][1]["of"][2] == {"achievement": "sql"}


def test_credit_groups_and_counts_follow_the_rule(client, issuer, courses, awarded):
    client.force_login(issuer)
    # 10 credits from Python, R, SQL: ann (Python, R), cy (three) and dee (Python, SQL)
    page = client.post(PAGE, {"group": ["r"], "r__kind": "credits_at_least", "r__n": "10",
                              "r__part": ["python", "r", "sql"], "action": "preview"})
    html = page.content.decode()
    assert sentence_of(html) == "At least 10 credits from Python, R, SQL"
    assert "3 current learners would qualify." in html


LABELS = {"r__part": "Group 1, Parts", "r_0__part": "Group 1.1, Parts",
          "r__n": "Group 1, N (parts) or X (credits)", "r__kind": "Group 1, The group asks for"}


@pytest.mark.parametrize(("post", "field", "message"), [
    ({"group": ["r", "r_0"], "r__part": ["statistics"], "r_0__kind": "all_of"},
     "r_0__part", "The group is empty"),
    ({"group": ["r"], "r__kind": "at_least", "r__n": "3", "r__part": ["python", "r"]},
     "r__n", "It asks for 3 parts but the group has only 2 parts."),
    ({"group": ["r"], "r__kind": "at_least", "r__n": "two", "r__part": ["python", "r"]},
     "r__n", "Say how many parts are needed"),
    ({"group": ["r"], "r__kind": "credits_at_least", "r__n": "40", "r__part": ["python", "r"]},
     "r__n", "It asks for 40 credits but its parts offer only 10."),
    ({"group": ["r"], "r__part": ["statistics", "astrology"]},
     "r__part", "There is no achievement &#x27;astrology&#x27; in this catalogue."),
    ({"group": ["r"], "r__part": ["statistics", "data-science"]},
     "r__part", "A microdegree cannot include itself."),
    ({"group": ["r"], "r__kind": "nonsense", "r__part": ["statistics"]},
     "r__kind", "Choose what the group asks for."),
])
def test_refusals_name_the_field(client, issuer, courses, post, field, message):
    client.force_login(issuer)
    label = LABELS[field]
    for action in ("preview", "save"):
        response = client.post(PAGE, {**post, "action": action})
        html = response.content.decode()
        assert response.status_code == 400
        assert f'<a href="#{field}">{label}</a>' in html
        assert message in html
        assert f'id="{field}"' in html
    assert services.latest_version(courses["data-science"].definition).rule is None
    assert not AuditEntry.objects.filter(action="catalog.rule_set").exists()


def test_a_cycle_through_another_microdegree_is_refused(client, issuer, courses,
                                                       make_definition):
    bigger = make_definition("Big Data", slug="big-data", kind="microdegree")
    services.set_rule(issuer, bigger, {"all_of": [{"achievement": "data-science"},
                                                  {"achievement": "sql"}]})
    client.force_login(issuer)
    response = client.post(PAGE, {"group": ["r"], "r__part": ["statistics", "big-data"],
                                  "action": "save"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#r__part">Group 1, Parts</a>' in html
    assert "Big Data contains this microdegree, so it cannot be one of its parts." in html
    assert services.latest_version(courses["data-science"].definition).rule is None


def test_another_institutions_parts_are_refused(client, issuer, courses, other_institution):
    """An issuer posts a part of another institution, by slug and by definition id."""
    theirs = services.create_definition(None, other_institution, name="Secret Course",
                                        slug="secret-course", description="Theirs.",
                                        criteria_narrative="Pass.")
    client.force_login(issuer)
    for value in ("secret-course", str(theirs.definition_id)):
        response = client.post(PAGE, {"group": ["r"], "r__part": ["statistics", value],
                                      "action": "save"})
        assert response.status_code == 400
        assert f"There is no achievement &#x27;{value}&#x27; in this catalogue." in \
            response.content.decode()
        preview = client.post(PREVIEW, {"group": ["r"], "r__part": ["statistics", value]})
        assert preview.json()["problems"][0]["field"] == "r__part"
    assert services.latest_version(courses["data-science"].definition).rule is None


def test_preview_endpoint(client, issuer, courses, awarded, make_user, other_institution):
    client.force_login(issuer)
    answer = client.post(PREVIEW, nested()).json()
    assert answer == {"sentence": "All of Statistics and 2 of Python, R, SQL", "qualifying": 1,
                      "qualifyingText": "1 current learner would qualify.", "problems": []}
    assert client.get(PREVIEW).status_code == 405
    bad = client.post(PREVIEW, {"group": ["r"], "r__kind": "at_least", "r__n": "5",
                                "r__part": ["python"]}).json()
    assert bad["sentence"] == ""
    assert bad["qualifying"] is None
    assert bad["problems"] == [{"field": "r__n", "label": "Group 1",
                                "fieldLabel": "N (parts) or X (credits)",
                                "message": "It asks for 5 parts but the group has only 1 part."}]

    # staff of another institution, a learner, a stranger: no sentence, no count
    outsider = make_user("staff@other.example")
    institutions.set_member(None, other_institution, outsider, "owner")
    client.force_login(outsider)
    assert client.post(PREVIEW, nested()).status_code == 404
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, nested("save")).status_code == 404
    client.logout()
    assert client.post(PREVIEW, nested()).status_code == 302  # to the sign-in page


def test_a_viewer_previews_but_cannot_save(client, institution, courses, make_user):
    viewer = make_user("viewer@uni.example")
    institutions.set_member(None, institution, viewer, "viewer")
    client.force_login(viewer)
    assert client.post(PREVIEW, nested()).json()["sentence"]
    assert client.post(PAGE, nested("save")).status_code == 403
    assert services.latest_version(courses["data-science"].definition).rule is None


def test_json_rule_still_saves(client, issuer, courses):
    """The JSON form stays, on the same page, for rules pasted from elsewhere."""
    client.force_login(issuer)
    rule = {"at_least": 1, "of": [{"achievement": "python"}, {"achievement": "r"}]}
    assert client.post(PAGE, {"rule": json.dumps(rule)}).status_code == 302
    html = client.get(PAGE).content.decode()
    assert sentence_of(html) == "1 of Python, R"


def test_sentence_brackets_nested_groups_that_do_not_end_it():
    names = {1: "A", 2: "B", 3: "C", 4: "D"}
    rule = {"at_least": 2, "of": [{"all_of": [{"achievement": 1}, {"achievement": 2}]},
                                  {"credits_at_least": 7.5, "from": [{"achievement": 3}]},
                                  {"achievement": 4}]}
    assert rule_editor.sentence(rule, names) == \
        "2 of (all of A and B), (at least 7.5 credits from C), D"
    assert rule_editor.sentence({"all_of": [{"achievement": 9}]}, names) == ""


def test_nesting_stops_where_rules_stop(client, issuer, courses):
    """Sub-groups nest as deep as a rule may (the deepest offers no "add"); a forged deeper or
    malformed key is dropped, not a 500."""
    client.force_login(issuer)
    keys = ["r" + "_0" * depth for depth in range(rule_editor.MAX_NESTING + 1)]
    post = {"group": [*keys, "r" + "_0" * (rule_editor.MAX_NESTING + 1), "x_1", "r_a"],
            **{f"{k}__part": ["python"] for k in keys}}
    deepest = keys[-1]
    html = client.post(PAGE, {**post, "action": f"add:{deepest}"}).content.decode()
    assert f'name="{deepest}_0__kind"' not in html
    assert f'value="add:{deepest}"' not in html
    assert f'value="add:{keys[-2]}"' in html
    assert f'name="{deepest}__kind"' in html
    assert client.post(PAGE, {**post, "action": "save"}).status_code == 302
    rule = services.latest_version(courses["data-science"].definition).rule
    depth = 0
    while len(rule["all_of"]) == 2:
        rule, depth = rule["all_of"][1], depth + 1
    assert depth == rule_editor.MAX_NESTING


def test_json_null_is_refused_not_ignored(client, issuer, courses):
    client.force_login(issuer)
    response = client.post(PAGE, {"rule": "null"})
    assert response.status_code == 400
    assert "The rule was not saved" in response.content.decode()
