"""Issuer registries: who is a known issuer, reported apart from whether a credential is valid."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    issuer_id: str
    name: str
    registry: (
        str  # which registry knows the issuer, e.g. "microdegree-platform", "operator-trusted"
    )


class IssuerRegistry(Protocol):
    def lookup(self, issuer_id: str) -> RegistryEntry | None: ...


class StaticRegistry:
    """A registry from a fixed list, e.g. an operator's JSON file of trusted DIDs."""

    def __init__(self, name: str, issuers: Mapping[str, str] | Iterable[str]) -> None:
        self.name = name
        if isinstance(issuers, Mapping):
            self._issuers = dict(issuers)
        else:
            self._issuers = {issuer: issuer for issuer in issuers}

    def lookup(self, issuer_id: str) -> RegistryEntry | None:
        label = self._issuers.get(issuer_id)
        if label is None:
            return None
        return RegistryEntry(issuer_id=issuer_id, name=label, registry=self.name)

    @classmethod
    def from_json(cls, name: str, data: Any) -> StaticRegistry:
        """Accepts a list of DIDs, a list of {"id", "name"} objects, or {"issuers": [...]}."""
        if isinstance(data, dict) and "issuers" in data:
            data = data["issuers"]
        if not isinstance(data, list):
            raise ValueError("a registry file holds a JSON list of issuers")
        issuers: dict[str, str] = {}
        for item in data:
            if isinstance(item, str):
                issuers[item] = item
            elif isinstance(item, dict) and isinstance(item.get("id"), str):
                issuers[item["id"]] = str(item.get("name") or item["id"])
            else:
                raise ValueError(
                    f"registry entry {item!r} is neither a DID nor an object with an id"
                )
        return cls(name, issuers)

    @classmethod
    def from_file(cls, name: str, path: str | Path) -> StaticRegistry:
        return cls.from_json(name, json.loads(Path(path).read_text(encoding="utf-8")))


class ChainRegistry:
    """Asks several registries in order; the first that knows the issuer answers."""

    def __init__(self, *registries: IssuerRegistry) -> None:
        self._registries = registries

    def lookup(self, issuer_id: str) -> RegistryEntry | None:
        for registry in self._registries:
            entry = registry.lookup(issuer_id)
            if entry is not None:
                return entry
        return None
