"""Cells of the CSV files the platform writes for people to open in a spreadsheet."""

from __future__ import annotations

from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One value as CSV text: numbers as a person writes them, booleans as true/false, and a text
    a spreadsheet would run as a formula quoted with a leading ' (OWASP "CSV injection")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text[:1] in _FORMULA_STARTS else text
