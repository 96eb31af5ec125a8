"""The verification report: one result per check, each with a code and a human sentence."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - not a password
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Check:
    """One check of the verification pipeline."""

    name: str  # e.g. "proof", "status", "issuer.registry"
    outcome: Outcome
    code: str  # machine code, e.g. "PROOF_VALID", "STATUS_REVOKED", "ISSUER_UNKNOWN"
    message: str  # a sentence a person understands
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check": self.name,
            "outcome": self.outcome.value,
            "code": self.code,
            "message": self.message,
        }
        if self.details:
            out["details"] = self.details
        return out


@dataclass(slots=True)
class Report:
    """All checks of one verification. `verified` is False if any check failed."""

    checks: list[Check] = field(default_factory=list)
    document_type: str = "unknown"
    credential_id: str | None = None
    issuer: str | None = None
    nested: list[Report] = field(default_factory=list)

    def add(
        self,
        name: str,
        outcome: Outcome,
        code: str,
        message: str,
        /,
        **details: Any,
    ) -> Check:
        check = Check(name, outcome, code, message, dict(details))
        self.checks.append(check)
        return check

    @property
    def verified(self) -> bool:
        return not self.errors and all(r.verified for r in self.nested)

    @property
    def errors(self) -> list[Check]:
        return [c for c in self.checks if c.outcome is Outcome.FAIL]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.outcome is Outcome.WARN]

    def codes(self) -> list[str]:
        return [c.code for c in self.checks]

    def has(self, code: str) -> bool:
        return any(c.code == code for c in self.checks) or any(r.has(code) for r in self.nested)

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "documentType": self.document_type,
            "id": self.credential_id,
            "issuer": self.issuer,
            "checks": [c.to_json() for c in self.checks],
            "errors": [c.code for c in self.errors],
            "warnings": [c.code for c in self.warnings],
            "nested": [r.to_json() for r in self.nested],
        }
