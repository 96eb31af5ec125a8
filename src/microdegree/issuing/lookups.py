"""`pk__any=[...]`: membership in a list of integers as one array parameter.

`pk__in=[...]` with 500 ids makes Django prepare each id and emit 500 placeholders, and psycopg's
client-side binding then quotes each of them in Python: for bulk issuance, which names a chunk's
rows three times per chunk, that was a visible part of the worker's time. On PostgreSQL this
lookup sends `col = ANY(%s)` with the list as one array (adapted by psycopg's C dumpers); other
databases get the same `IN (...)` that `__in` writes. Registered on integer fields (auto and
big auto keys included) when the issuing app is ready.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models


class AnyOf(models.Lookup):  # type: ignore[type-arg]
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = _integers(self.rhs)
        if not values:
            raise EmptyResultSet  # as `__in` with an empty list: matches nothing
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def _integers(values: Iterable[Any]) -> list[int]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError("__any takes a list of integers")
    return [int(v) for v in values]


def register() -> None:
    models.IntegerField.register_lookup(AnyOf)
