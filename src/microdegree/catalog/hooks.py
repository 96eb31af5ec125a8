"""What the catalogue asks the apps above it in the layers; they answer at start-up.

- Issuing (`IssuingConfig.ready`): how many current learners a rule would qualify (the rule
  editor), which needs the issued credentials. Unanswered, the count is unknown (None).
- Credit recognition (`RecognitionConfig.ready`, issue 16 point 2): which agreements name an
  achievement, and "a new version was made" so that receiving institutions hear of changed
  credits, level or parts. Unanswered: no agreements, nobody told.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# (institution, definition ids) -> one mapping per learner holding any of them:
# definition id -> credits earned (valid credentials only)
Holdings = Callable[[Any, Collection[int]], Iterable[Mapping[int, float]]]


@dataclass(frozen=True)
class Naming:
    """Agreements that name an achievement: the public ones by name, the others counted."""

    public: list[dict[str, str]] = field(default_factory=list)  # institution, program, name
    private: int = 0

    def __bool__(self) -> bool:
        return bool(self.public or self.private)


@dataclass
class _Answers:
    holdings_by_learner: Holdings | None = None
    agreements_naming: Callable[[Any], Naming] = lambda _version: Naming()
    # (actor, version, before)
    version_created: Callable[[Any, Any, dict[str, Any]], None] = \
        lambda _actor, _version, _before: None


_answers = _Answers()


def register(*, holdings_by_learner: Holdings | None = None,
             agreements_naming: Callable[[Any], Naming] | None = None,
             version_created: Callable[[Any, Any, dict[str, Any]], None] | None = None) -> None:
    """Called by the apps that answer (issuing, recognition) in their `AppConfig.ready`."""
    if holdings_by_learner is not None:
        _answers.holdings_by_learner = holdings_by_learner
    if agreements_naming is not None:
        _answers.agreements_naming = agreements_naming
    if version_created is not None:
        _answers.version_created = version_created


def holdings_by_learner(institution: Any,
                        definitions: Collection[int]) -> list[Mapping[int, float]] | None:
    """The holdings among `definitions` of each current learner at `institution` who holds
    any of them, or None if nobody answers."""
    if _answers.holdings_by_learner is None:
        return None
    return list(_answers.holdings_by_learner(institution, definitions))


def agreements_naming(version: Any) -> Naming:
    return _answers.agreements_naming(version)


def version_created(actor: Any, version: Any, before: dict[str, Any]) -> None:
    """In the transaction that made version N+1; `before` is version N's snapshot."""
    _answers.version_created(actor, version, before)
