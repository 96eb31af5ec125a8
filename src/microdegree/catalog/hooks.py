"""What the catalog asks credit recognition, which sits above it in the layers (issue 16,
point 2): which agreements name an achievement, and "a new version was made" so that receiving
institutions hear of changed credits, level or parts. Recognition answers at start-up
(`RecognitionConfig.ready` calls `register`). Unanswered: no agreements, nobody told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Naming:
    """Agreements that name an achievement: the public ones by name, the others counted."""

    public: list[dict[str, str]] = field(default_factory=list)  # institution, program, name
    private: int = 0

    def __bool__(self) -> bool:
        return bool(self.public or self.private)


@dataclass(frozen=True)
class _Answers:
    agreements_naming: Callable[[Any], Naming]  # (version) -> agreements naming it
    version_created: Callable[[Any, Any, dict[str, Any]], None]  # (actor, version, before)


_answers = _Answers(agreements_naming=lambda _version: Naming(),
                    version_created=lambda _actor, _version, _before: None)


def register(*, agreements_naming: Callable[[Any], Naming],
             version_created: Callable[[Any, Any, dict[str, Any]], None]) -> None:
    """Called once by the app that answers (recognition) in its `AppConfig.ready`."""
    global _answers
    _answers = _Answers(agreements_naming=agreements_naming, version_created=version_created)


def agreements_naming(version: Any) -> Naming:
    return _answers.agreements_naming(version)


def version_created(actor: Any, version: Any, before: dict[str, Any]) -> None:
    """In the transaction that made version N+1; `before` is version N's snapshot."""
    _answers.version_created(actor, version, before)
