"""Reading an amount of credits (ECTS, credit hours) from a credential or a form: one function.

A credit amount is a finite number of zero or more. JSON allows neither NaN nor Infinity, but
strings ("NaN", "Infinity", "1e999") and Python's lenient JSON reader let them in, and every
comparison with NaN is false: a NaN passed every minimum and crashed JSON answers. So anything
that is not a finite number >= 0 is refused with a sentence (`CreditsInvalid`), never coerced.
"""

from __future__ import annotations

import math
from typing import Any

CODE = "CREDITS_INVALID"


class CreditsInvalid(ValueError):
    """Credits that are not a finite number of zero or more; `message` says which and why."""

    code = CODE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def parse_credits(value: Any, what: str = "credits") -> float | None:
    """`value` as a float, None when absent (None or ""); else CreditsInvalid.

    Accepts numbers and numeric strings (a decimal comma too: "7,5"); `what` names the field in
    the message ("creditsEarned", "ECTS").
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: float | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float):
        number = float(value) if not isinstance(value, int) or abs(value) < 10**300 else math.inf
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            number = None
    if number is None:
        raise CreditsInvalid(f"The {what} value {_shown(value)} is not a number; credits must be "
                             "a finite number of zero or more.")
    if not math.isfinite(number) or number < 0:
        raise CreditsInvalid(f"The {what} value {_shown(value)} is not allowed; credits must be "
                             "a finite number of zero or more.")
    return number
