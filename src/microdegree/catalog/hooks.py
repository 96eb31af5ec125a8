"""What the catalogue asks the issuing side, which sits above it in the layers.

The rule editor says how many current learners a rule would qualify, which needs the issued
credentials (issuing's). Issuing answers at start-up (`IssuingConfig.ready` calls `register`);
unanswered, the count is unknown (None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

# (institution) -> one mapping per learner: definition id -> credits earned (valid credentials)
_holdings_by_learner: Callable[[Any], Iterable[Mapping[int, float]]] | None = None


def register(*, holdings_by_learner: Callable[[Any], Iterable[Mapping[int, float]]]) -> None:
    """Called once by the app that answers (issuing) in its `AppConfig.ready`."""
    global _holdings_by_learner
    _holdings_by_learner = holdings_by_learner


def holdings_by_learner(institution: Any) -> list[Mapping[int, float]] | None:
    """Each current learner's holdings at `institution`, or None if nobody answers."""
    if _holdings_by_learner is None:
        return None
    return list(_holdings_by_learner(institution))
