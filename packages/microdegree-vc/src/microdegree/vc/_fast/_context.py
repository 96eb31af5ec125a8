"""Active contexts for the fast path: pyld's own context processing, memoised.

Every active context here wraps the dict pyld's `_process_context` produced, so term definitions,
protection, propagation and scoping are exactly pyld's. What we add is memoisation: a context list,
a property-scoped or a type-scoped context is processed once per parent context, and IRI expansion
of a term is computed once per context. Only bundled contexts are ever processed: by URL, or an
inline context object that is an exact copy of one we embed (ADR 0011), which is processed as the
bundled file's own object; any other inline context is declined before it reaches pyld.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from pyld import jsonld as _pyld
from pyld.context_resolver import ContextResolver

from microdegree.vc.contexts import document_loader, embedded_url, is_bundled, load_context

__all__ = [
    "DECLINE",
    "GRAPH",
    "JSON",
    "LIST",
    "PLAIN",
    "Ctx",
    "Decline",
    "KeyPlan",
    "Term",
    "ValuePlan",
    "clear",
    "context_count",
    "root",
]

#: How a key of a node object is handled in a given context: ("prop", predicate, mode, scoped
#: context or None), (keyword,) for @id / @type / @value / @language / @context, or
#: (DECLINE, reason).
KeyPlan = tuple[Any, ...]
#: How a scalar value of a term is turned into an RDF term: (string handling, its argument,
#: datatype for non-strings). String handling: PLAIN (argument: language or None), "@id",
#: "@vocab", "datatype", or DECLINE (argument: reason).
ValuePlan = tuple[str, str | None, str | None]
#: A `@context` list: bundled URLs, and (url,) for an embedded copy of a bundled context.
ContextList = tuple[str | tuple[str], ...]
DECLINE = "decline"
PLAIN = "plain"
LIST = "list"
GRAPH = "graph"
JSON = "json"
_KEYWORDS = frozenset({"@id", "@type", "@value", "@language", "@direction", "@context"})

#: Characters that may not appear raw in an N-Quads IRIREF (and a backslash, which would start a
#: UCHAR escape the parser would decode): such IRIs are declined rather than escaped.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
#: jsonld.js `_isAbsoluteIri`, which `vc.jsonld` applies to every @id, @type and datatype.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):\S*$")
#: jsonld.js REGEX_BCP47, the test `vc.jsonld` (the general path) applies to every language tag;
#: `vc.rdfc`'s N-Quads LANGTAG accepts every tag that passes it.
_BCP47 = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")  # fullmatch: no "en\n"
#: Bound of every memo table (IRIs, ids and keys are attacker-controlled).
_MAX_MEMO = 4096
_IRI_REFS: dict[str, str] = {}
_LANGUAGES: set[str] = set()
_MAX_CONTEXTS = 512
_MAX_CHILDREN = 256
#: Longer `@context` lists are left to the general path (ours have 1-4 entries).
_MAX_CONTEXT_URLS = 8

_PROCESSOR = _pyld.JsonLdProcessor()
_OPTIONS: dict[str, Any] = {
    "documentLoader": document_loader,
    "base": None,
    "processingMode": "json-ld-1.1",
    "isFrame": False,
    "contextResolver": ContextResolver({}, document_loader),
}
_LOCK = threading.RLock()


class Decline(Exception):
    """The fast path does not cover this document; `reason` names why (for the counters)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Term:
    """What expansion needs to know about one term of one active context."""

    iri: str | None  # expanded IRI or keyword (None: the term is explicitly null)
    nquad: str  # "<iri>" ready for N-Quads ("" for keywords)
    container: frozenset[str]
    coerce: str | None  # "@id", "@vocab", "@json", "@none" or a datatype IRI
    scoped: Any  # the raw property-scoped context value, or None
    reverse: bool
    has_language: bool  # the term definition has its own "@language" entry
    language: str | None
    has_direction: bool
    direction: str | None


def iri_ref(iri: str) -> str:
    """`<iri>` for N-Quads, or Decline.

    Declined: what jsonld.js safe mode (and `vc.jsonld`) calls relative, blank-node ids, and what
    the general path's N-Quads parser (`vc.rdfc`) refuses in an IRIREF or would decode (a
    backslash starts a UCHAR escape), so both paths fail alike. Anything else both write verbatim.
    """
    ref = _IRI_REFS.get(iri)
    if ref is not None:
        return ref
    if not _ABSOLUTE_IRI.match(iri):
        raise Decline("relative-iri")
    if iri.startswith("_:"):
        raise Decline("blank-node-id")
    if _BAD_IRI.search(iri):
        raise Decline("invalid-iri")
    ref = f"<{iri}>"
    if len(_IRI_REFS) >= _MAX_MEMO:
        _IRI_REFS.clear()
    _IRI_REFS[iri] = ref
    return ref


def check_language(tag: str) -> str:
    """`tag` if the general path accepts this language tag (`vc.jsonld`'s safe-mode BCP 47 test,
    which `vc.rdfc`'s N-Quads LANGTAG includes), else Decline."""
    if tag not in _LANGUAGES:
        if not _BCP47.fullmatch(tag):
            raise Decline("language-tag")
        if len(_LANGUAGES) >= _MAX_MEMO:
            _LANGUAGES.clear()
        _LANGUAGES.add(tag)
    return tag


def _remember(memo: dict[str, str], key: str, value: str) -> None:
    if len(memo) >= _MAX_MEMO:
        memo.clear()
    memo[key] = value


class Ctx:
    """One pyld active context plus memo tables (never mutated once built)."""

    __slots__ = (
        "_children",
        "_ids",
        "_keys",
        "_terms",
        "_types",
        "_values",
        "plans",
        "previous",
        "raw",
    )

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        prev = raw.get("previousContext")
        self.previous: Ctx | None = _wrap(prev) if prev is not None else None
        self._keys: dict[str, str | None] = {}
        self._terms: dict[str, Term] = {}
        self._ids: dict[str, str] = {}
        self._types: dict[str, str] = {}
        self._children: dict[tuple[Any, ...], tuple[Any, Ctx | None]] = {}
        self.plans: dict[str, KeyPlan] = {}  # read directly by the emitter's inner loop
        self._values: dict[str, ValuePlan] = {}

    # --- plans (what the emitter does with a key / a scalar value, decided once) ----------------

    def key_plan(self, key: str) -> KeyPlan:
        plan = self.plans.get(key)
        if plan is None:
            plan = self._key_plan(key)
            if len(self.plans) >= _MAX_MEMO:
                self.plans.clear()
            self.plans[key] = plan
        return plan

    def _key_plan(self, key: str) -> KeyPlan:
        if not isinstance(key, str):
            return (DECLINE, "non-string-key")
        expanded = self.expand_key(key)
        if expanded is None:
            return (DECLINE, "dropped-term")
        if expanded.startswith("@"):
            if expanded in _KEYWORDS:
                return (expanded,)
            return (DECLINE, f"keyword:{expanded}")
        try:
            term = self.term(key)
        except Decline as decline:
            return (DECLINE, decline.reason)
        if term is None:  # pyld drops it (no term, no prefix, no @vocab)
            return (DECLINE, "undefined-term")
        if term.reverse:
            return (DECLINE, "reverse-property")
        if not term.nquad:
            return (DECLINE, "keyword-term")
        container = term.container
        if term.coerce == "@json":
            if container - {"@set"}:
                return (DECLINE, "json-container")
            mode = JSON
        elif not container - {"@set"}:
            mode = PLAIN
        elif container == {"@list"}:
            mode = LIST
        elif container in ({"@graph"}, {"@graph", "@set"}):
            mode = GRAPH
        else:
            return (DECLINE, "container")
        return ("prop", term.nquad, mode, term.scoped)

    def value_plan(self, key: str) -> ValuePlan:
        """pyld `_expand_value` + `_object_to_rdf` decisions for scalars of `key` here."""
        plan = self._values.get(key)
        if plan is None:
            plan = self._value_plan(key)
            if len(self._values) >= _MAX_MEMO:
                self._values.clear()
            self._values[key] = plan
        return plan

    def _value_plan(self, key: str) -> ValuePlan:
        try:
            term = self.term(key)
        except Decline as decline:
            return (DECLINE, decline.reason, None)
        if term is None or not term.nquad:
            return (DECLINE, "scoped-redefinition", None)
        coerce = term.coerce
        if coerce == "@id" or coerce == "@vocab":
            return (coerce, None, None)
        if coerce is not None and coerce != "@none":
            if coerce.startswith("@"):
                return (DECLINE, "coercion", None)
            return ("datatype", None, coerce)
        if self.direction_for(term) is not None:
            return (DECLINE, "direction", None)
        return (PLAIN, self.language_for(term), None)

    def property_scoped(self, key: str) -> Any:
        """The scoped context of term `key` (pyld `get_context_value(ctx, key, "@context")`)."""
        mapping = self.raw["mappings"].get(key)
        return None if mapping is None else mapping.get("@context")

    def type_scoped(self, name: str) -> Any:
        """The type-scoped context `name` brings, or None."""
        mapping = self.raw["mappings"].get(name)
        scoped = None if mapping is None else mapping.get("@context")
        return None if scoped is False else scoped

    # --- IRI expansion -------------------------------------------------------------------------

    def expand_key(self, key: str) -> str | None:
        """pyld `_expand_iri(ctx, key, vocab=True)`, memoised."""
        try:
            return self._keys[key]
        except KeyError:
            value: str | None = _PROCESSOR._expand_iri(self.raw, key, vocab=True, base=None)
            if len(self._keys) >= _MAX_MEMO:
                self._keys.clear()
            self._keys[key] = value
            return value

    def id_ref(self, value: str) -> str:
        """`<iri>` of an `@id` value (document-relative expansion with no base), or Decline."""
        try:
            return self._ids[value]
        except KeyError:
            pass
        expanded = _PROCESSOR._expand_iri(self.raw, value, base=None)
        if not isinstance(expanded, str):
            raise Decline("id-value")
        ref = iri_ref(expanded)
        _remember(self._ids, value, ref)
        return ref

    def vocab_ref(self, value: str) -> str:
        """`<iri>` of a `@type` / `@vocab`-coerced value, or Decline.

        A value that stays relative (no term, no prefix, no `@vocab`) is left to the general path,
        which reports it.
        """
        try:
            return self._types[value]
        except KeyError:
            pass
        mappings = self.raw["mappings"]
        if value not in mappings and ":" not in value and "@vocab" not in self.raw:
            raise Decline("undefined-type")
        expanded = _PROCESSOR._expand_iri(self.raw, value, vocab=True, base=None)
        if not isinstance(expanded, str) or expanded.startswith("@"):
            raise Decline("type-value")
        ref = iri_ref(expanded)
        _remember(self._types, value, ref)
        return ref

    # --- term definitions ----------------------------------------------------------------------

    def term(self, key: str) -> Term | None:
        """The definition of `key` in this context, None when pyld would drop the key.

        A key that is not a term but expands to an absolute IRI (a compact IRI, an absolute IRI, or
        a name resolved against `@vocab`) gets an empty definition, as in pyld.
        """
        try:
            return self._terms[key]
        except KeyError:
            pass
        mappings = self.raw["mappings"]
        mapping = mappings.get(key)
        if key not in mappings:
            expanded = self.expand_key(key)
            if expanded is None or ":" not in expanded or expanded.startswith(("@", "_:")):
                return None
            term = Term(
                expanded,
                iri_ref(expanded),
                frozenset(),
                None,
                None,
                False,
                False,
                None,
                False,
                None,
            )
        elif mapping is None:
            term = Term(None, "", frozenset(), None, None, False, False, None, False, None)
        else:
            iri = mapping.get("@id")
            nquad = "" if not isinstance(iri, str) or iri.startswith("@") else iri_ref(iri)
            container = mapping.get("@container") or []
            term = Term(
                iri=iri,
                nquad=nquad,
                container=frozenset(container),
                coerce=mapping.get("@type"),
                scoped=mapping.get("@context"),
                reverse=bool(mapping.get("reverse")),
                has_language="@language" in mapping,
                language=mapping.get("@language"),
                has_direction="@direction" in mapping,
                direction=mapping.get("@direction"),
            )
        if len(self._terms) >= _MAX_MEMO:
            self._terms.clear()
        self._terms[key] = term
        return term

    def language_for(self, term: Term) -> str | None:
        """pyld `get_context_value(ctx, key, "@language")`."""
        if term.has_language:
            return term.language
        value = self.raw.get("@language")
        return value if isinstance(value, str) else None

    def direction_for(self, term: Term) -> str | None:
        if term.has_direction:
            return term.direction
        value = self.raw.get("@direction")
        return value if isinstance(value, str) else None

    # --- derived contexts ----------------------------------------------------------------------

    def revert(self) -> Ctx:
        return self.previous if self.previous is not None else self

    def scoped(self, local: Any, *, propagate: bool, override_protected: bool) -> Ctx:
        """pyld `_process_context(self, local, propagate=..., override_protected=...)`, memoised.

        `local` is a value taken from a bundled context (a term's scoped context), so it lives as
        long as the parsed context files do and its identity is a sound memo key.
        """
        key = (id(local), propagate, override_protected)
        hit = self._children.get(key)
        if hit is not None and hit[0] is local:
            if hit[1] is None:
                raise Decline("context-error")
            return hit[1]
        with _LOCK:
            try:
                raw = _PROCESSOR._process_context(
                    self.raw,
                    local,
                    _OPTIONS,
                    override_protected=override_protected,
                    propagate=propagate,
                )
            except Exception:  # any pyld error: the general path reports it
                self._remember_child(key, (local, None))
                raise Decline("context-error") from None
            child = _wrap(raw)
            self._remember_child(key, (local, child))
        return child

    def with_urls(self, urls: ContextList) -> Ctx:
        """This context with an embedded `@context` list of bundled contexts applied."""
        key = ("urls", *urls)
        hit = self._children.get(key)
        if hit is not None:
            if hit[1] is None:
                raise Decline("context-error")
            return hit[1]
        with _LOCK:
            try:
                raw = _PROCESSOR._process_context(self.raw, _context_values(urls), _OPTIONS)
            except Exception:  # any pyld error: the general path reports it
                self._remember_child(key, (urls, None))
                raise Decline("context-error") from None
            child = _wrap(raw)
            self._remember_child(key, (urls, child))
        return child

    def _remember_child(self, key: tuple[Any, ...], entry: tuple[Any, Ctx | None]) -> None:
        if len(self._children) >= _MAX_CHILDREN:
            self._children.clear()
        self._children[key] = entry


_REGISTRY: dict[int, Ctx] = {}


def _wrap(raw: dict[str, Any]) -> Ctx:
    """The one Ctx for a pyld context dict (the registry keeps `raw` alive, so ids are stable)."""
    found = _REGISTRY.get(id(raw))
    if found is not None and found.raw is raw:
        return found
    ctx = Ctx(raw)
    _REGISTRY[id(raw)] = ctx
    return ctx


_ROOT: list[Ctx] = []


def _initial() -> Ctx:
    if not _ROOT:
        with _LOCK:
            if not _ROOT:
                _ROOT.append(_wrap(_PROCESSOR._get_initial_context(_OPTIONS)))
    return _ROOT[0]


def context_urls(value: Any) -> ContextList:
    """The `@context` value as a tuple of bundled URLs (an embedded copy of a bundled context as
    the 1-tuple of its URL), or Decline."""
    items = value if isinstance(value, list) else [value]
    if not items or len(items) > _MAX_CONTEXT_URLS:
        raise Decline("context-list-length")
    out: list[str | tuple[str]] = []
    for item in items:
        if isinstance(item, dict):
            url = embedded_url(item)
            if url is None:
                raise Decline("inline-context")
            out.append((url,))
            continue
        if not isinstance(item, str):
            raise Decline("context-value")
        if not is_bundled(item):
            raise Decline("unbundled-context")
        out.append(item)
    return tuple(out)


def _context_values(urls: ContextList) -> list[Any]:
    """What pyld processes: the URLs, and for an embedded context the bundled file's object."""
    return [load_context(u[0])["@context"] if isinstance(u, tuple) else u for u in urls]


def root(urls: ContextList) -> Ctx:
    """The active context for a top-level `@context` list (processed once per list)."""
    if len(_REGISTRY) > _MAX_CONTEXTS:
        clear()
    return _initial().with_urls(urls)


def clear() -> None:
    """Forget every memoised context (they are rebuilt on demand)."""
    with _LOCK:
        _REGISTRY.clear()
        _ROOT.clear()


def context_count() -> int:
    return len(_REGISTRY)
