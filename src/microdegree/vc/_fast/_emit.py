"""JSON-LD document -> N-Quads, for the subset of JSON-LD 1.1 the bundled contexts use.

This follows pyld's `_expand` / `_expand_object` / `_expand_value` and `toRdf` step by step (context
reverting, property-scoped then type-scoped contexts, coercion, containers), but writes quads
directly instead of building the expanded document and the node map. Blank-node labels are
arbitrary: RDFC-1.0 relabels them. Anything outside the subset raises `Decline`.

Covered: `@id`, `@type` (and aliases), `@value` with `@language` or `@type`, native strings /
numbers / booleans, `@id` / `@vocab` / datatype / `@json` coercion, default and term languages,
`@set`, `@list` and `@graph` containers, property-scoped and type-scoped contexts (with pyld's
propagation rules), embedded `@context` lists of bundled URLs. Declined: every other keyword and
container, undefined or null terms, IRI keys, relative IRIs, blank-node ids, nested arrays,
`@direction`, and literals with control characters escaped differently by pyld and RDFC-1.0.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pyld import jsonld as _pyld

from microdegree.vc._fast._context import (
    Ctx,
    Decline,
    Term,
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
_ALLOWED_CONTAINERS: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"@set"}),
    frozenset({"@list"}),
    frozenset({"@graph"}),
    frozenset({"@graph", "@set"}),
)
_MISSING: Any = object()
_MAX_DOUBLE = 10**308
_canonicalize_double = _pyld._canonicalize_double
_jcs = _pyld.canonicalize  # pyld's own JSON canonicalisation for rdf:JSON literals


def _escape(text: str) -> str:
    if _UNSAFE_LITERAL.search(text):
        raise Decline("control-character")
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace('"', '\\"')
    )


def _literal(value: Any, datatype: str | None, language: str | None) -> str:
    """pyld `_object_to_rdf` for a value object, as N-Quads text."""
    if isinstance(value, bool):
        lexical = "true" if value else "false"
        datatype = datatype or _XSD_BOOLEAN
    elif isinstance(value, float) and not value.is_integer():
        if not math.isfinite(value):
            raise Decline("non-finite-number")
        lexical = _canonicalize_double(value)
        datatype = datatype or _XSD_DOUBLE
    elif datatype == _XSD_DOUBLE:
        if not isinstance(value, int | float):
            raise Decline("double-coerced-string")
        lexical = _canonicalize_double(float(value))
    elif isinstance(value, int | float):
        if abs(value) >= 1e21:
            if isinstance(value, int) and abs(value) > _MAX_DOUBLE:
                raise Decline("huge-number")  # pyld's float conversion overflows
            lexical = _canonicalize_double(value)
            datatype = datatype or _XSD_DOUBLE
        else:
            lexical = str(int(value))
            datatype = datatype or _XSD_INTEGER
    elif isinstance(value, str):
        if language is not None:
            return f'"{_escape(value)}"@{check_language(language)}'
        lexical = value
        datatype = datatype or _XSD_STRING
    else:
        raise Decline("value-type")
    if datatype == _XSD_STRING:
        return f'"{_escape(lexical)}"'
    return f'"{_escape(lexical)}"^^{iri_ref(datatype)}'


class _Writer:
    __slots__ = ("count", "quads")

    def __init__(self) -> None:
        self.quads: list[Quad] = []
        self.count = 0

    def blank(self) -> str:
        self.count += 1
        return f"_:b{self.count}"

    def quad(self, subject: str, predicate: str, obj: str, graph: str | None) -> None:
        self.quads.append((subject, predicate, obj, graph))


def to_quads(document: dict[str, Any], top: Ctx) -> list[Quad]:
    """The quads (terms in canonical N-Quads form) of `document` under its top-level context.

    `top` is the initial context with the document's `@context` applied; the walk re-applies
    nothing at the top level (pyld processes the top-level `@context` exactly once, too).
    """
    writer = _Writer()
    kind, _ = _expand_map(writer, top, None, document, None, local_done=True)
    if kind != "node" or not writer.quads:
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
) -> tuple[str, str]:
    """Expand one JSON object; returns ("node" | "literal", N-Quads term) and writes its quads."""
    # pyld _expand: revert a non-propagated (type-scoped) context unless this is a value object or
    # a bare subject reference, then apply the active property's scoped context.
    if local_done:
        active = ctx
    else:
        property_scoped = None
        if active_property is not None:
            ap_term = ctx.term(active_property)
            property_scoped = ap_term.scoped if ap_term is not None else None
        active = ctx
        must_revert = True
        if ctx.previous is not None and len(element) <= 2 and "@context" not in element:
            for key in sorted(element):
                expanded = ctx.expand_key(key)
                if expanded == "@value":
                    must_revert = False
                    break
                if expanded == "@id" and len(element) == 1:
                    must_revert = False
                    break
        if must_revert:
            active = active.revert()
        if property_scoped is not None:
            active = active.scoped(property_scoped, propagate=True, override_protected=True)
        if "@context" in element:
            active = active.with_urls(context_urls(element["@context"]))

    # pyld _prepare_nested_context: type-scoped contexts, applied in sorted order of the types,
    # looked up in (and their @type values expanded against) the context before any of them.
    type_scoped = active
    type_key_seen = False
    for key in sorted(element):
        if active.expand_key(key) != "@type":
            continue
        if type_key_seen:
            raise Decline("several-type-keys")
        type_key_seen = True
        raw_types = element[key]
        names = raw_types if isinstance(raw_types, list) else [raw_types]
        for name in sorted(t for t in names if isinstance(t, str)):
            term = type_scoped.term(name)
            if term is not None and term.scoped is not None and term.scoped is not False:
                active = active.scoped(term.scoped, propagate=False, override_protected=False)

    subject: str | None = None
    types: list[str] = []
    type_given_as_list = False
    value: Any = _MISSING
    language: Any = _MISSING
    properties: list[tuple[str, list[str], str | None]] = []

    for key, raw in element.items():
        if key == "@context":
            continue
        expanded = active.expand_key(key)
        if expanded is None:
            raise Decline("dropped-term")
        if expanded.startswith("@"):
            if expanded == "@id":
                if not isinstance(raw, str):
                    raise Decline("id-not-string")
                if subject is not None:
                    raise Decline("colliding-keywords")
                subject = active.id_ref(raw)
            elif expanded == "@type":
                names = raw if isinstance(raw, list) else [raw]
                type_given_as_list = isinstance(raw, list)
                for name in names:
                    if not isinstance(name, str):
                        raise Decline("type-not-string")
                    types.append(type_scoped.vocab_ref(name))
            elif expanded == "@value":
                if value is not _MISSING:
                    raise Decline("colliding-keywords")
                value = raw
            elif expanded == "@language":
                if language is not _MISSING:
                    raise Decline("colliding-keywords")
                language = raw
            else:
                raise Decline(f"keyword:{expanded}")
            continue
        term = active.term(key)
        if term is None:
            # an absolute or compact IRI used as a key, or a term resolved against @vocab
            raise Decline("undefined-term")
        if term.reverse:
            raise Decline("reverse-property")
        if not term.nquad:
            raise Decline("keyword-term")
        properties.append(_expand_property(w, active, key, term, raw, graph))

    if value is not _MISSING:
        if subject is not None or properties or type_given_as_list or len(types) > 1:
            raise Decline("value-object-shape")
        return "literal", _value_object(active, type_scoped, element, value, language)
    if language is not _MISSING:
        raise Decline("language-without-value")

    if subject is None:
        subject = w.blank()
    for type_ref in types:
        w.quad(subject, _RDF_TYPE, type_ref, graph)
    for predicate, objects, _ in properties:
        for obj in objects:
            w.quad(subject, predicate, obj, graph)
    return "node", subject


def _value_object(
    active: Ctx, type_scoped: Ctx, element: dict[str, Any], value: Any, language: Any
) -> str:
    """An explicit {"@value": ..., "@language" | "@type": ...} object."""
    datatype: str | None = None
    for key, raw in element.items():
        if key != "@context" and active.expand_key(key) == "@type":
            if not isinstance(raw, str):
                raise Decline("value-type-shape")
            ref = type_scoped.vocab_ref(raw)
            datatype = ref[1:-1]
    if value is None or isinstance(value, dict | list):
        raise Decline("value-shape")
    if language is not _MISSING and language is not None:
        if datatype is not None or not isinstance(language, str) or not isinstance(value, str):
            raise Decline("value-object-shape")
        return _literal(value, None, language.lower())
    return _literal(value, datatype, None)


def _expand_property(
    w: _Writer, active: Ctx, key: str, term: Term, raw: Any, graph: str | None
) -> tuple[str, list[str], str | None]:
    """Objects (N-Quads terms) of one property; quads of embedded nodes are written on the way."""
    container = term.container
    if container not in _ALLOWED_CONTAINERS:
        raise Decline("container")
    term_ctx = active
    if term.scoped is not None:
        # the values are expanded in the scoped context (which may even be the empty context, as
        # for `verifiableCredential` in a presentation); the container comes from `active`
        term_ctx = active.scoped(term.scoped, propagate=True, override_protected=True)

    if term.coerce == "@json":
        if container - {"@set"}:
            raise Decline("json-container")
        return term.nquad, [_json_literal(raw)], None
    if raw is None:  # pyld drops a null value before any container conversion
        return term.nquad, [], None

    items = raw if isinstance(raw, list) else [raw]
    objects: list[str] = []
    if "@graph" in container:
        for item in items:
            if item is None:
                continue
            if not isinstance(item, dict):
                raise Decline("graph-value")
            name = w.blank()
            before = len(w.quads)
            kind, _ = _expand_map(w, term_ctx, key, item, name)
            if kind != "node" or len(w.quads) == before:
                # a value, an empty node or a bare reference in a graph: vc.jsonld refuses it
                raise Decline("graph-value")
            objects.append(name)
        return term.nquad, objects, None

    in_list = "@list" in container
    for item in items:
        obj = _expand_item(w, term_ctx, key, item, graph, in_list=in_list)
        if obj is not None:
            objects.append(obj)
    if in_list:
        return term.nquad, [_write_list(w, objects, graph)], None
    return term.nquad, objects, None


def _expand_item(
    w: _Writer, term_ctx: Ctx, key: str, item: Any, graph: str | None, *, in_list: bool
) -> str | None:
    if item is None:
        return None
    if isinstance(item, dict):
        _, obj = _expand_map(w, term_ctx, key, item, graph)
        return obj
    if isinstance(item, list):
        raise Decline("nested-array")
    return _expand_scalar(term_ctx, key, item)


def _expand_scalar(term_ctx: Ctx, key: str, value: Any) -> str:
    """pyld `_expand_value` followed by `_object_to_rdf`."""
    term = term_ctx.term(key)
    if term is None or not term.nquad:
        raise Decline("scoped-redefinition")
    coerce = term.coerce
    if isinstance(value, str):
        if coerce == "@id":
            return term_ctx.id_ref(value)
        if coerce == "@vocab":
            return term_ctx.vocab_ref(value)
    if coerce is not None and coerce not in ("@id", "@vocab", "@none"):
        if coerce.startswith("@"):
            raise Decline("coercion")
        return _literal(value, coerce, None)
    if isinstance(value, str):
        if term_ctx.direction_for(term) is not None:
            raise Decline("direction")
        language = term_ctx.language_for(term)
        return _literal(value, None, language)
    return _literal(value, None, None)


def _json_literal(value: Any) -> str:
    try:
        text = _jcs(value).decode("utf-8")
    except Exception:  # pyld's JCS refuses what it cannot serialise: the general path reports it
        raise Decline("json-literal") from None
    return f'"{_escape(text)}"^^<{_RDF_JSON}>'


def _write_list(w: _Writer, objects: list[str], graph: str | None) -> str:
    if not objects:
        return _RDF_NIL
    head = w.blank()
    node = head
    for index, obj in enumerate(objects):
        w.quad(node, _RDF_FIRST, obj, graph)
        following = w.blank() if index + 1 < len(objects) else _RDF_NIL
        w.quad(node, _RDF_REST, following, graph)
        node = following
    return head
