"""Catalogue errors: the platform's domain errors, plus a rule error that lists every problem."""

from __future__ import annotations

from microdegree.institutions.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotFound,
    PermissionDenied,
)

__all__ = ["Conflict", "DomainError", "Invalid", "NotFound", "PermissionDenied", "RuleInvalid"]


class RuleInvalid(Invalid):
    """A pathway rule with problems; `problems` has one sentence per problem."""

    code = "RULE_INVALID"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The rule has problems: " + " ".join(problems))
        self.problems = problems
