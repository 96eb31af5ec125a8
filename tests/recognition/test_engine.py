"""The pure engine with many inputs (hypothesis): whatever the credentials and agreements, the
total never passes the cap or the program, no credential counts twice, a microdegree and its
parts never both count, every credential gets exactly one reason, and residency follows the
credits per term. No database: facts and terms are built directly."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from microdegree.recognition.engine import AgreementTerms, Code, ProgramTerms, evaluate
from microdegree.recognition.facts import CredentialFacts, Verdict

ISSUER = "did:web:platform.example:issuers:uni"
TODAY = date(2026, 11, 29)
VERDICTS = [Verdict.OK] * 4 + [Verdict.REVOKED, Verdict.EXPIRED, Verdict.PROOF_INVALID,
                               Verdict.NOT_APPLICANT, Verdict.SUSPENDED]


def program(total=120.0, terms=4, fraction=0.5, unit="ects"):
    return ProgramTerms(name="MSc", credit_unit=unit, total_credits=total, duration_terms=terms,
                        duration_months=terms * 6, residency_terms=terms,
                        residency_months=terms * 6, max_recognised_fraction=fraction,
                        modules={"M1": "One", "M2": "Two"})


facts_strategy = st.builds(
    CredentialFacts,
    key=st.sampled_from([f"urn:uuid:{n}" for n in range(6)]),
    verdict=st.sampled_from(VERDICTS),
    issuer_id=st.just(ISSUER),
    registry=st.sampled_from(["platform", None]),
    achievement_id=st.sampled_from([f"https://a.example/{n}" for n in range(4)]),
    achievement_type=st.sampled_from(["MicroCredential", "Course"]),
    eqf_level=st.one_of(st.none(), st.integers(4, 8)),
    credits_ects=st.one_of(st.none(), st.floats(0, 60)),
    result=st.one_of(st.none(), st.floats(1, 10)),
    component_ids=st.lists(st.sampled_from([f"urn:uuid:{n}" for n in range(6)]), max_size=3),
)

agreement_strategy = st.builds(
    AgreementTerms,
    id=st.integers(1, 1000),
    name=st.just("A"),
    source_kind=st.sampled_from(["named", "criteria"]),
    named=st.lists(st.tuples(st.just(ISSUER),
                             st.sampled_from([f"https://a.example/{n}" for n in range(4)])),
                   max_size=2).map(tuple),
    registry=st.sampled_from(["any", "platform", "trusted"]),
    min_eqf_level=st.one_of(st.none(), st.integers(4, 8)),
    min_credits=st.one_of(st.none(), st.floats(0, 30)),
    min_result=st.one_of(st.none(), st.floats(1, 10)),
    value_kind=st.sampled_from(["fixed", "factor"]),
    value_credits=st.floats(0, 90),
    value_factor=st.floats(0, 3),
    exempted_modules=st.lists(st.sampled_from(["M1", "M2", "X"]), max_size=2).map(tuple),
)


def _positions(items):
    return [CredentialFacts(**{**item.__dict__, "position": i}) for i, item in enumerate(items)]


@settings(max_examples=300, deadline=None)
@given(st.lists(facts_strategy, max_size=8), st.lists(agreement_strategy, max_size=4),
       st.floats(0, 1), st.sampled_from(["ects", "us-credit-hour"]))
def test_invariants(facts, agreements, fraction, unit):
    prog = program(fraction=fraction, unit=unit)
    proposal = evaluate(_positions(facts), agreements, prog, on=TODAY)
    assert len(proposal.results) == len(facts)
    counted = [r for r in proposal.results if r.counted]
    # one reason each, and only MATCHED counts
    assert all(r.code and r.message for r in proposal.results)
    assert all(r.code == Code.MATCHED for r in counted)
    # nothing counts twice
    keys = [r.facts.key for r in counted]
    assert len(keys) == len(set(keys))
    for whole in counted:
        assert not set(whole.facts.component_ids) & (set(keys) - {whole.facts.key})
    # only verified credentials count
    assert all(r.facts.verdict == Verdict.OK for r in counted)
    # the cap and the program bound the total
    assert abs(proposal.credits_before_cap - sum(r.credits for r in counted)) < 1e-6
    assert proposal.recognised <= prog.total_credits * fraction + 1e-9
    assert proposal.recognised <= proposal.credits_before_cap + 1e-9
    assert abs(proposal.still_needed - (prog.total_credits - proposal.recognised)) < 1e-6
    # residency: whole terms of credits per term, never more than the residency
    assert proposal.terms_saved == min(int(proposal.recognised / prog.credits_per_term + 1e-9),
                                       prog.residency_terms)
    assert proposal.months_saved == proposal.terms_saved * 6
    assert set(proposal.exempted_modules) <= {"M1", "M2"}


def test_a_tie_prefers_the_microdegree_and_explains():
    whole = CredentialFacts(key="urn:uuid:md", name="Microdegree",
                            achievement_id="https://a.example/md", issuer_id=ISSUER,
                            registry="platform", credits_ects=30,
                            component_ids=["urn:uuid:c1", "urn:uuid:c2"])
    parts = [CredentialFacts(key=f"urn:uuid:c{n}", position=n, issuer_id=ISSUER,
                             registry="platform", achievement_id=f"https://a.example/c{n}",
                             credits_ects=15) for n in (1, 2)]
    agreements = [
        AgreementTerms(id=1, name="Microdegree", named=((ISSUER, "https://a.example/md"),),
                       value_credits=30, exempted_modules=("M1",)),
        AgreementTerms(id=2, name="Courses", source_kind="criteria", value_kind="factor",
                       value_factor=1, exempted_modules=("M2",)),
    ]
    proposal = evaluate([whole, *parts], agreements, program(), on=TODAY)
    assert [r.code for r in proposal.results] == [Code.MATCHED, Code.ALREADY_COUNTED,
                                                  Code.ALREADY_COUNTED]
    assert proposal.exempted_modules == ["M1"]
    assert proposal.recognised == 30


def test_us_credit_hours_cap_and_residency():
    prog = program(total=36, terms=4, fraction=0.25, unit="us-credit-hour")  # cap 9 hours
    facts = [CredentialFacts(key="urn:uuid:x", issuer_id=ISSUER, registry="platform",
                             credits_ects=30)]
    agreements = [AgreementTerms(id=1, name="All", source_kind="criteria", value_kind="factor",
                                 value_factor=1)]
    proposal = evaluate(facts, agreements, prog, on=TODAY)
    assert proposal.credits_before_cap == 15  # 30 ECTS = 15 US credit hours
    assert proposal.recognised == 9
    assert proposal.capped
    assert proposal.terms_saved == 1  # 9 hours at 9 hours per term
    assert proposal.to_json()["recognised_other_unit"] == {"value": 18, "unit": "ects"}
