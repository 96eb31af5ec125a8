"""The credential template (bulk issuance's fast path) is the builder's output, byte for byte.

`prepare_issue` builds the first row of each row shape with `build_credential` and the others
from a template filled with the row's values (issuing/template.py). Here both are compared as
the JSON text that would be signed and stored, for many generated rows of every shape, with one
and with two status entries; and a row the builder refuses is refused the same way.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microdegree.catalog.achievement import achievement_builder
from microdegree.issuing import services
from microdegree.issuing.services import AwardRow, building
from microdegree.issuing.services.building import Batch, BuiltAchievement, issuer_without_address
from microdegree.vc.errors import BuildError
from microdegree.vc.status import status_entry

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda s: s.strip() == s and s)
when = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1),
                    timezones=st.just(UTC))


@st.composite
def rows(draw):
    start = draw(st.none() | when)
    end = draw(st.none() | when)
    if start and end and end < start:
        start, end = end, start
    user = draw(st.from_regex(r"[a-z0-9][a-z0-9_%+-]{0,11}", fullmatch=True))
    return services.validate_row({
        "recipient_email": f"{user}@example.org",
        "recipient_name": draw(st.just("") | text),
        "recipient_did": draw(st.just("") | st.builds(lambda s: f"did:example:{s}",
                                                      st.from_regex(r"[A-Za-z0-9]{1,20}",
                                                                    fullmatch=True))),
        "credits_earned": draw(st.none() | st.integers(0, 300)
                               | st.floats(0, 1e6, allow_nan=False, allow_infinity=False)),
        "result": draw(st.just("") | text),
        "narrative": draw(st.just("") | text),
        "evidence_url": draw(st.just("") | st.builds(lambda s: f"https://evidence.example/{s}",
                                                     st.from_regex(r"[a-z0-9/]{0,20}",
                                                                   fullmatch=True))),
        "activity_start": start,
        "activity_end": end,
    })


def _batch(version):
    built = achievement_builder(version)
    achievement = BuiltAchievement(document=built.to_dict(), name=built.name)
    return Batch(version, issued_at=MOMENT, achievement=achievement,
                 issuer=issuer_without_address(version.definition.institution))


def _entries(two: bool, n: int):
    out = [status_entry("http://testserver/status/x/revocation/1", 1000 + n, "revocation")]
    if two:
        out.append(status_entry("http://testserver/status/x/suspension/1", 2000 + n,
                                "suspension"))
    return out


def _as_text(document) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


@pytest.fixture
def version(course):
    return course


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch_rows=st.lists(rows(), min_size=1, max_size=12), two=st.booleans())
def test_templated_credentials_equal_the_builders(version, batch_rows, two):
    batch = _batch(version)
    for n, row in enumerate(batch_rows + batch_rows):  # every shape seen twice: template used
        salt, cred_id = secrets.token_hex(16), f"urn:uuid:{uuid.uuid4()}"
        fast = batch.build(row, salt=salt, credential_id=cred_id, status_entries=_entries(two, n))
        slow = batch._builder(row, salt=salt, credential_id=cred_id,
                              status_entries=_entries(two, n))
        assert _as_text(fast) == _as_text(slow)
    assert all(t is not None for t in batch.templates.values())  # no silent fallback


def test_the_template_is_used_after_the_first_row_of_a_shape(version, monkeypatch):
    batch = _batch(version)
    calls = []
    original = building.build_credential
    monkeypatch.setattr(building, "build_credential",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    row = services.validate_row({"recipient_email": "a@example.org", "result": "B"})
    for n in range(5):
        batch.build(row, salt="s", credential_id=f"urn:uuid:{uuid.uuid4()}",
                    status_entries=_entries(False, n))
    # the first row: the builder, then the template's own build; the other four: no builder
    assert len(calls) == 2


def test_a_row_the_builder_refuses_is_refused_by_the_template(version):
    batch = _batch(version)
    good = services.validate_row({"recipient_email": "a@example.org",
                                  "recipient_did": "did:example:ok"})
    batch.build(good, salt="s", credential_id="urn:uuid:1", status_entries=_entries(False, 0))
    bad = AwardRow(recipient_email="b@example.org", recipient_did="did:example:has space")
    with pytest.raises(BuildError) as slow:
        batch._builder(bad, salt="s", credential_id="urn:uuid:2",
                       status_entries=_entries(False, 1))
    with pytest.raises(BuildError) as fast:
        batch.build(bad, salt="s", credential_id="urn:uuid:2", status_entries=_entries(False, 1))
    assert fast.value.code == slow.value.code == "BUILD_INVALID_ID"


def test_bulk_issued_credentials_verify_and_match_a_builder_rebuild(version, check):
    """End to end: credentials issued through templates verify, and each is exactly the
    builder's credential for its stored values (salt, id, status entry, dates)."""
    rows_in = [{"recipient_email": f"p{n}@example.org", "recipient_name": f"Person {n}",
                "result": str(n), "credits_earned": n / 2,  # within the 5 credits offered
                "activity_end": (MOMENT - timedelta(days=n)).date().isoformat()}
               for n in range(1, 8)]
    creds = services.issue_many(None, version, rows_in, send_email=False)
    inst = version.definition.institution
    for cred in creds:
        stored = json.loads(cred.document)
        assert check(cred.document, inst).verified
        unsigned = {k: v for k, v in stored.items() if k != "proof"}
        rebuilt = services.build_credential(
            version, recipient_email=cred.recipient_email, recipient_name=cred.recipient_name,
            salt=cred.identity_salt, credential_id=cred.credential_id,
            issued_at=cred.issued_at, status_entries=[stored["credentialStatus"]],
            credits_earned=cred.credits_earned, result=cred.result_value,
            activity_end=datetime.fromisoformat(
                stored["credentialSubject"]["activityEndDate"]))
        assert _as_text(unsigned) == _as_text(rebuilt)
