"""What the catalogue asks the issuing side, which sits above it in the layers.

The rule editor says how many current learners a rule would qualify, which needs the issued
credentials (issuing's). Issuing answers at start-up (`IssuingConfig.ready` calls `register`);
unanswered, the count is unknown (None).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

# (institution, definition ids) -> one mapping per learner holding any of them:
# definition id -> credits earned (valid credentials only)
Holdings = Callable[[Any, Collection[int]], Iterable[Mapping[int, float]]]
_holdings_by_learner: Holdings | None = None


def register(*, holdings_by_learner: Holdings) -> None:
    """Called once by the app that answers (issuing) in its `AppConfig.ready`."""
    global _holdings_by_learner
    _holdings_by_learner = holdings_by_learner


def holdings_by_learner(institution: Any,
                        definitions: Collection[int]) -> list[Mapping[int, float]] | None:
    """The holdings among `definitions` of each current learner at `institution` who holds
    any of them, or None if nobody answers."""
    if _holdings_by_learner is None:
        return None
    return list(_holdings_by_learner(institution, definitions))
