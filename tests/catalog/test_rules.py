"""Pathway rules: validation and evaluation (pure Python, no database)."""

from __future__ import annotations

from microdegree.catalog.rules import describe, evaluate, validate_rule

A, B, C, D, E = 1, 2, 3, 4, 5
KNOWN = {A, B, C, D, E}


def leaf(ident):
    return {"achievement": ident}


def test_all_of_needs_every_part():
    rule = {"all_of": [leaf(A), leaf(B)]}
    assert validate_rule(rule, KNOWN) == []
    partial = evaluate(rule, {A: 5})
    assert not partial.satisfied
    assert partial.components == ()
    assert partial.missing == (B,)
    assert partial.root.count_done == 1
    assert [c.status for c in partial.root.children] == ["done", "missing"]
    full = evaluate(rule, {A: 5, B: 2.5, C: 10})
    assert full.satisfied
    assert full.components == (A, B)  # C is held but not part of the rule
    assert full.credits == 7.5


def test_at_least_n_of():
    rule = {"at_least": 2, "of": [leaf(A), leaf(B), leaf(C)]}
    assert validate_rule(rule, KNOWN) == []
    assert not evaluate(rule, {C: 5}).satisfied
    result = evaluate(rule, {A: 5, C: 5})
    assert result.satisfied
    assert result.components == (A, C)
    assert result.root.needed == 2
    assert result.root.count_done == 2
    # every held part counts toward the award, not just the first N
    assert evaluate(rule, {A: 1, B: 1, C: 1}).components == (A, B, C)


def test_credits_at_least_from():
    rule = {"credits_at_least": 10, "from": [leaf(A), leaf(B), leaf(C)]}
    short = evaluate(rule, {A: 4, B: 5})
    assert not short.satisfied
    assert short.root.credits == 9
    assert short.root.credits_needed == 10
    enough = evaluate(rule, {A: 4, B: 5, C: 1.5})
    assert enough.satisfied
    assert enough.credits == 10.5


def test_nesting_three_deep_with_details():
    rule = {"all_of": [
        leaf(A),
        {"at_least": 1, "of": [
            {"credits_at_least": 6, "from": [leaf(B), leaf(C)]},
            leaf(D),
        ]},
    ]}
    assert validate_rule(rule, KNOWN) == []
    result = evaluate(rule, {A: 5, B: 3, C: 2})
    assert not result.satisfied
    inner = result.root.children[1]
    credits_group = inner.children[0]
    assert (credits_group.kind, credits_group.done, credits_group.credits) == \
        ("credits_at_least", False, 5)
    assert inner.missing == (D,)
    assert result.missing == (D,)

    done = evaluate(rule, {A: 5, B: 3, C: 3})
    assert done.satisfied
    assert done.components == (A, B, C)
    assert done.credits == 11
    assert done.root.children[1].children[0].status == "done"


def test_a_component_named_twice_counts_once():
    rule = {"all_of": [leaf(A), {"credits_at_least": 5, "from": [leaf(A), leaf(B)]}]}
    result = evaluate(rule, {A: 5, B: 1})
    assert result.satisfied
    assert result.components == (A, B)
    assert result.credits == 6


def test_validation_reports_each_problem_with_its_path():
    rule = {"all_of": [
        leaf(99),
        {"at_least": 3, "of": [leaf(A), leaf(B)]},
        {"credits_at_least": 0, "from": [leaf(A)]},
        {"any_of": [leaf(A)]},
        {"all_of": []},
        leaf("no-such-slug"),
    ]}
    problems = validate_rule(rule, KNOWN)
    assert problems == [
        "rule.all_of[0]: there is no achievement 99 in this catalogue.",
        "rule.all_of[1].at_least: asks for 3 but the group has only 2 parts.",
        "rule.all_of[2].credits_at_least: must be a number above 0.",
        problems[3],
        "rule.all_of[4].all_of: must be a non-empty list.",
        "rule.all_of[5]: there is no achievement 'no-such-slug' in this catalogue.",
    ]
    assert problems[3].startswith("rule.all_of[3]: each part must be one of")
    assert validate_rule("not a rule", KNOWN)
    assert validate_rule({"at_least": True, "of": [leaf(A)]}, KNOWN)


def test_absurd_depth_is_refused():
    rule = leaf(A)
    for _ in range(40):
        rule = {"all_of": [rule]}
    assert any("nested more than" in p for p in validate_rule(rule, KNOWN))


def test_describe_reads_like_sentences():
    rule = {"all_of": [leaf(A), {"credits_at_least": 7.5, "from": [leaf(B)]}]}
    line = describe(rule, {A: "Data Literacy", B: "Statistics"})
    assert line.text == "All of:"
    assert line.children[0].text == "Data Literacy"
    assert line.children[1].text == "At least 7.5 credits from:"
    assert line.children[1].children[0].text == "Statistics"
