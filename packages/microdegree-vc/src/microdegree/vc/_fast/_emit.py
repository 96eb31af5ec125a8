"""JSON-LD document -> N-Quads, for the subset of JSON-LD 1.1 the bundled contexts use.

This follows pyld's `_expand` / `_expand_object` / `_expand_value` and `toRdf` step by step (context
reverting, property-scoped then type-scoped contexts, coercion, containers), but writes quads
directly instead of building the expanded document and the node map. Blank-node labels are
arbitrary: RDFC-1.0 relabels them. Anything outside the subset raises `Decline`.

Covered: keys that are terms, compact or absolute IRIs or resolved by `@vocab`; `@id`, `@type`
(and aliases), `@value` with `@language` or `@type`, a string `@value` with `@direction` (and
`@language`) as the `i18n-datatype` literal jsonld.js signs, native strings / numbers / booleans,
`@id` /
`@vocab` / datatype / `@json` coercion, default and term languages, `@set`, `@list` and `@graph`
containers, property-scoped and type-scoped contexts (with pyld's propagation rules), embedded
`@context` lists of bundled URLs. Declined: every other keyword and container, undefined or null
terms, relative IRIs, blank-node ids, nested arrays, a default `@direction` from a context, what
`vc.jsonld` refuses in
safe mode, and literals with control characters escaped differently by pyld and RDFC-1.0.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pyld import jsonld as _pyld

from microdegree.vc._fast._context import (
    DECLINE,
    GRAPH,
    JSON,
    LIST,
    PLAIN,
    Ctx,
    Decline,
    KeyPlan,
    ValuePlan,
    check_language,
    context_urls,
    iri_ref,
)
from microdegree.vc._fast._rdfc import Quad

__all__ = ["to_quads"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_XSD_BOOLEAN = _XSD + "boolean"
_XSD_DOUBLE = _XSD + "double"
_XSD_INTEGER = _XSD + "integer"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_TYPE = f"<{_RDF}type>"
_RDF_FIRST = f"<{_RDF}first>"
_RDF_REST = f"<{_RDF}rest>"
_RDF_NIL = f"<{_RDF}nil>"
_RDF_JSON = f"{_RDF}JSON"

#: pyld escapes only \\ \t \n \r \" in literals; RDFC-1.0 (pyoxigraph) also escapes \b \f and the
#: other C0 controls and DEL. Literals with those are declined so both paths agree byte for byte.
_UNSAFE_LITERAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_RDF_LANG_STRING = f"{_RDF}langString"
_MISSING: Any = object()
_MAX_DOUBLE = 10**308
_canonicalize_double = _pyld._canonicalize_double
_jcs = _pyld.canonicalize  # pyld's own JSON canonicalisation for rdf:JSON literals


def _escape(text: str) -> str:
    if not _NEEDS_ESCAPE.search(text):
        return text
    if _UNSAFE_LITERAL.search(text):
        raise Decline("control-character")
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace('"', '\\"')
    )


def _literal(value: Any, datatype: str | None) -> str:
    """pyld `_object_to_rdf` for a value without language, as N-Quads text."""
    if isinstance(value, str):
        if datatype is None or datatype == _XSD_STRING:
            return f'"{_escape(value)}"'
        if datatype == _XSD_DOUBLE:
            raise Decline("double-coerced-string")  # pyld converts it with float()
        if datatype == _RDF_LANG_STRING:
            raise Decline("lang-string-without-language")
        return f'"{_escape(value)}"^^{iri_ref(datatype)}'
    if isinstance(value, bool):
        lexical = "true" if value else "false"
        datatype = datatype or _XSD_BOOLEAN
    elif isinstance(value, float) and not value.is_integer():
        if not math.isfinite(value):
            raise Decline("non-finite-number")
        lexical = _canonicalize_double(value)
        datatype = datatype or _XSD_DOUBLE
    elif not isinstance(value, int | float):
        raise Decline("value-type")
    elif datatype == _XSD_DOUBLE:
        lexical = _canonicalize_double(float(value))
    elif abs(value) >= 1e21:
        if isinstance(value, int) and abs(value) > _MAX_DOUBLE:
            raise Decline("huge-number")  # pyld's float conversion overflows
        lexical = _canonicalize_double(value)
        datatype = datatype or _XSD_DOUBLE
    else:
        lexical = str(int(value))
        datatype = datatype or _XSD_INTEGER
    if datatype == _XSD_STRING:
        return f'"{lexical}"'
    if datatype == _RDF_LANG_STRING:
        raise Decline("lang-string-without-language")
    return f'"{lexical}"^^{iri_ref(datatype)}'


def _language_literal(value: str, language: str) -> str:
    return f'"{_escape(value)}"@{check_language(language)}'


_I18N = "https://www.w3.org/ns/i18n#"
# jsonld.js REGEX_BCP47: a tag outside it is a safe-mode error on the general path
_BCP47 = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


def _direction_literal(value: Any, language: Any, direction: Any) -> str:
    """jsonld.js toRDF with `rdfDirection: "i18n-datatype"` (what eddsa-rdfc-2022 signs):
    `"value"^^<https://www.w3.org/ns/i18n#{language lower-cased}_{direction}>`."""
    if direction not in ("ltr", "rtl") or not isinstance(value, str):
        raise Decline("direction-shape")
    if language is _MISSING:
        tag = ""
    elif isinstance(language, str) and _BCP47.fullmatch(language):
        tag = language.lower()
    else:
        raise Decline("direction-language")
    return f'"{_escape(value)}"^^<{_I18N}{tag}_{direction}>'


class _Writer:
    __slots__ = ("count", "quads")

    def __init__(self) -> None:
        self.quads: list[Quad] = []
        self.count = 0

    def blank(self) -> str:
        self.count += 1
        return f"_:b{self.count}"


def to_quads(document: dict[str, Any], top: Ctx) -> list[Quad]:
    """The quads (terms in canonical N-Quads form) of `document` under its top-level context.

    `top` is the initial context with the document's `@context` applied; the walk re-applies
    nothing at the top level (pyld processes the top-level `@context` exactly once, too).
    """
    writer = _Writer()
    is_node, _ = _expand_map(writer, top, None, document, None, local_done=True)
    if not is_node or not writer.quads:
        # vc.jsonld refuses a top-level value, empty object or bare id (it would be dropped)
        raise Decline("top-level-value")
    return writer.quads


def _expand_map(
    w: _Writer,
    ctx: Ctx,
    active_property: str | None,
    element: dict[str, Any],
    graph: str | None,
    *,
    local_done: bool = False,
) -> tuple[bool, str]:
    """Expand one JSON object; returns (is a node, N-Quads term) and writes its quads."""
    # pyld _expand: revert a non-propagated (type-scoped) context unless this is a value object or
    # a bare subject reference, then apply the active property's scoped context.
    active = ctx
    if not local_done:
        if ctx.previous is not None:
            must_revert = True
            if len(element) <= 2 and "@context" not in element:
                for key in sorted(element):
                    expanded = ctx.expand_key(key)
                    if expanded == "@value":
                        must_revert = False
                        break
                    if expanded == "@id" and len(element) == 1:
                        must_revert = False
                        break
            if must_revert:
                active = ctx.previous
        if active_property is not None:
            property_scoped = ctx.property_scoped(active_property)
            if property_scoped is not None:
                active = active.scoped(property_scoped, propagate=True, override_protected=True)
        if "@context" in element:
            active = active.with_urls(context_urls(element["@context"]))

    # pyld _prepare_nested_context: type-scoped contexts, applied in sorted order of the types,
    # looked up in (and their @type values expanded against) the context before any of them.
    # pyld scans the keys in sorted order against the context as it changes; with one key
    # expanding to @type before and after (checked below) the result is the same.
    type_scoped = active
    type_key: str | None = None
    for key in element:
        if active.key_plan(key)[0] == "@type":
            if type_key is not None:
                raise Decline("several-type-keys")
            type_key = key
    if type_key is not None:
        raw_types = element[type_key]
        names = raw_types if isinstance(raw_types, list) else [raw_types]
        for name in sorted(t for t in names if isinstance(t, str)) if len(names) > 1 else names:
            scoped = type_scoped.type_scoped(name) if isinstance(name, str) else None
            if scoped is not None:
                active = active.scoped(scoped, propagate=False, override_protected=False)

    subject: str | None = None
    pairs: list[tuple[str, str]] = []
    value: Any = _MISSING
    language: Any = _MISSING
    direction: Any = _MISSING

    plans = active.plans
    for key, raw in element.items():
        plan = plans.get(key) or active.key_plan(key)
        kind = plan[0]
        if kind == "prop":
            _expand_property(w, active, key, plan, raw, graph, pairs)
        elif kind == "@id":
            if not isinstance(raw, str):
                raise Decline("id-not-string")
            if subject is not None:
                raise Decline("colliding-keywords")
            subject = active.id_ref(raw)
        elif kind == "@type":
            if key != type_key:  # a type-scoped context made another key an @type alias
                raise Decline("several-type-keys")
            if isinstance(raw, list):
                for name in raw:
                    if not isinstance(name, str):
                        raise Decline("type-not-string")
                    pairs.append((_RDF_TYPE, type_scoped.vocab_ref(name)))
            elif isinstance(raw, str):
                pairs.append((_RDF_TYPE, type_scoped.vocab_ref(raw)))
            else:
                raise Decline("type-not-string")
        elif kind == "@context":
            continue
        elif kind == "@value":
            if value is not _MISSING:
                raise Decline("colliding-keywords")
            value = raw
        elif kind == "@language":
            if language is not _MISSING:
                raise Decline("colliding-keywords")
            language = raw
        elif kind == "@direction":
            if direction is not _MISSING:
                raise Decline("colliding-keywords")
            direction = raw
        else:
            raise Decline(plan[1])

    if value is not _MISSING:
        if direction is not _MISSING:
            if subject is not None or pairs or any(
                    active.key_plan(k)[0] not in ("@value", "@language", "@direction")
                    for k in element):
                raise Decline("value-object-shape")
            return False, _direction_literal(value, language, direction)
        return False, _value_object(active, type_scoped, element, value, language, subject, pairs)
    if language is not _MISSING:
        raise Decline("language-without-value")
    if direction is not _MISSING:
        raise Decline("direction-without-value")

    if subject is None:
        subject = w.blank()
    quads = w.quads
    for predicate, obj in pairs:
        quads.append((subject, predicate, obj, graph))
    return True, subject


def _value_object(
    active: Ctx,
    type_scoped: Ctx,
    element: dict[str, Any],
    value: Any,
    language: Any,
    subject: str | None,
    pairs: list[tuple[str, str]],
) -> str:
    """An explicit {"@value": ..., "@language" | "@type": ...} object."""
    datatype: str | None = None
    for key, raw in element.items():
        if active.key_plan(key)[0] == "@type":
            if not isinstance(raw, str):
                raise Decline("value-object-shape")
            datatype = type_scoped.vocab_ref(raw)[1:-1]
    if subject is not None or len(pairs) > (datatype is not None):
        raise Decline("value-object-shape")
    if value is None or isinstance(value, dict | list):
        raise Decline("value-shape")
    if language is not _MISSING and language is not None:
        if datatype is not None or not isinstance(language, str) or not isinstance(value, str):
            raise Decline("value-object-shape")
        return _language_literal(value, language.lower())
    return _literal(value, datatype)


def _expand_property(
    w: _Writer,
    active: Ctx,
    key: str,
    plan: KeyPlan,
    raw: Any,
    graph: str | None,
    pairs: list[tuple[str, str]],
) -> None:
    """(predicate, object) pairs of one property; quads of embedded nodes are written on the way."""
    _, predicate, mode, scoped = plan
    # the values are expanded in the term's scoped context (which may even be the empty context,
    # as for `verifiableCredential` in a presentation); the container comes from `active`
    term_ctx = (
        active if scoped is None else active.scoped(scoped, propagate=True, override_protected=True)
    )
    if mode == JSON:
        pairs.append((predicate, _json_literal(raw)))
        return
    if raw is None:  # pyld drops a null value before any container conversion
        return
    items = raw if isinstance(raw, list) else (raw,)

    if mode == GRAPH:
        for item in items:
            if item is None:
                continue
            if not isinstance(item, dict):
                raise Decline("graph-value")
            name = w.blank()
            before = len(w.quads)
            is_node, _ = _expand_map(w, term_ctx, key, item, name)
            if not is_node or len(w.quads) == before:
                # a value, an empty node or a bare reference in a graph: vc.jsonld refuses it
                raise Decline("graph-value")
            pairs.append((predicate, name))
        return

    objects: list[str] = []
    value_plan: ValuePlan | None = None
    for item in items:
        if item is None:
            continue
        if isinstance(item, dict):
            objects.append(_expand_map(w, term_ctx, key, item, graph)[1])
        elif isinstance(item, list):
            raise Decline("nested-array")
        else:
            if value_plan is None:
                value_plan = term_ctx.value_plan(key)
            objects.append(_expand_scalar(term_ctx, value_plan, item))
    if mode == LIST:
        pairs.append((predicate, _write_list(w, objects, graph)))
    else:
        pairs.extend((predicate, obj) for obj in objects)


def _expand_scalar(term_ctx: Ctx, plan: ValuePlan, value: Any) -> str:
    """pyld `_expand_value` followed by `_object_to_rdf`, with the term's coercion pre-planned."""
    string_kind, argument, datatype = plan
    if isinstance(value, str):
        if string_kind == PLAIN:
            return f'"{_escape(value)}"' if argument is None else _language_literal(value, argument)
        if string_kind == "@id":
            return term_ctx.id_ref(value)
        if string_kind == "@vocab":
            return term_ctx.vocab_ref(value)
        if string_kind == DECLINE:
            raise Decline(argument or "coercion")
        return _literal(value, datatype)
    if string_kind == DECLINE:
        raise Decline(argument or "coercion")
    return _literal(value, datatype)


def _json_literal(value: Any) -> str:
    try:
        text = _jcs(value).decode("utf-8")
    except Exception:  # pyld's JCS refuses what it cannot serialise: the general path reports it
        raise Decline("json-literal") from None
    return f'"{_escape(text)}"^^<{_RDF_JSON}>'


def _write_list(w: _Writer, objects: list[str], graph: str | None) -> str:
    if not objects:
        return _RDF_NIL
    quads = w.quads
    head = w.blank()
    node = head
    last = len(objects) - 1
    for index, obj in enumerate(objects):
        quads.append((node, _RDF_FIRST, obj, graph))
        following = w.blank() if index < last else _RDF_NIL
        quads.append((node, _RDF_REST, following, graph))
        node = following
    return head
