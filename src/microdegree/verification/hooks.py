"""Questions verification asks the learner's side (records), which sits above it in the layers.

Verification may not import records (docs/architecture.md; the import-linter contracts in
pyproject.toml), yet the public credential page must know whether the learner holding a
credential hid it and whether the visitor is that learner, and the resolver must read the
platform's own DID document (its key is records'). Records answers at start-up
(`RecordsConfig.ready` calls `register`). Unanswered: nothing is hidden, nobody is the holder
and the platform's DID is not found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class _Answers:
    hidden_by_holder: Callable[[Any], bool]  # (credential) -> its holder hid it from the public
    holds: Callable[[Any, Any], bool]  # (user, credential) -> the signed-in user holds it
    platform_did_document: Callable[[], dict[str, Any]] | None  # did:web:HOST:platform


_answers = _Answers(hidden_by_holder=lambda _credential: False,
                    holds=lambda _user, _credential: False, platform_did_document=None)


def register(*, hidden_by_holder: Callable[[Any], bool], holds: Callable[[Any, Any], bool],
             platform_did_document: Callable[[], dict[str, Any]]) -> None:
    """Called once by the app that answers (records) in its `AppConfig.ready`."""
    global _answers
    _answers = _Answers(hidden_by_holder=hidden_by_holder, holds=holds,
                        platform_did_document=platform_did_document)


def hidden_by_holder(credential: Any) -> bool:
    """Whether the learner holding this issued credential chose to hide it from the public."""
    return _answers.hidden_by_holder(credential)


def holds(user: Any, credential: Any) -> bool:
    """Whether the (signed-in) user is the learner holding this issued credential."""
    return _answers.holds(user, credential)


def platform_did_document() -> dict[str, Any] | None:
    """The platform's own DID document (it signs learners' CLRs), or None if nobody answers."""
    answer = _answers.platform_did_document
    return answer() if answer is not None else None
