"""The credit-recognition fixtures (they replace issuing's `pathway` for these tests)."""

from tests.recognition.conftest import (  # noqa: F401 - fixtures
    _cheap,
    competencies,
    completed,
    learner,
    md_agreement,
    pathway,
    program,
    staff,
    university,
)
