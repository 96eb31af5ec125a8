"""JSON answers that can never carry a bare NaN or Infinity token (not JSON; most parsers fail).

Python's `json.dumps` writes `NaN` for a float NaN unless told `allow_nan=False`; Django's
`JsonResponse` does not tell it. `StrictJsonResponse` does: a non-finite number reaching an
answer is a programming error (ValueError, logged as a 500), never invalid JSON sent to a
client. Credits are refused at the door (`microdegree.vc.credits`), so none should arrive.
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse


class StrictJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder that refuses NaN and infinities (`allow_nan=False`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_nan"] = False
        super().__init__(*args, **kwargs)


class StrictJsonResponse(JsonResponse):
    def __init__(self, data: Any, **kwargs: Any) -> None:
        kwargs.setdefault("encoder", StrictJSONEncoder)
        super().__init__(data, **kwargs)
