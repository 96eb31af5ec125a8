"""The general JSON-LD path: pyld with bundled contexts only, in jsonld.js-style safe mode.

pyld has no safe mode: it silently drops undefined terms, and resolves relative IRIs against a
default base. Digital Bazaar's jsonld.js (what most verifiers run) refuses both when canonicalising
for a signature, so a document pyld would sign could be unverifiable elsewhere, or signed over a
different graph than the one the issuer meant. Here expansion runs with `base: None`, the offline
bundled loader and these checks (the jsonld.js "unsafe" events):

- a property that expands to no absolute IRI (`JSONLD_UNDEFINED_TERM`, names the term);
- an `@id`, `@type` or datatype that is not an absolute IRI or blank node (`JSONLD_RELATIVE_IRI`);
- a top-level or `@graph` value that would be dropped: empty object, object with only `@id`,
  `@value` or `@list`, free-floating scalar; a language tag that is not BCP 47 (`JSONLD_UNSAFE`);
- a value with `@direction` (VC 2.0 section 11.1) is converted to RDF as jsonld.js does for
  eddsa-rdfc-2022 (`rdfDirection: "i18n-datatype"`: `"..."^^<https://www.w3.org/ns/i18n#ar_rtl>`,
  the language lower-cased), so it is signed, not dropped;
- an unbundled context (`ContextError`, `JSONLD_CONTEXT_UNKNOWN`); any other JSON-LD error is a
  `CanonicalizationError` with code `JSONLD_INVALID`.

The canonical form then comes from `microdegree.vc.rdfc` (RDFC-1.0 with a blank-node poisoning
guard). `canonicalize_pyld_only` runs pyld's own URDNA2015 instead: the reference and the benchmark
baseline, byte-identical on every document we hold (see its docstring for the one difference).
"""

from __future__ import annotations

import re
from typing import Any

from pyld import jsonld as _pyld
from pyld.canon import URDNA2015

from microdegree.vc import rdfc
from microdegree.vc.contexts import document_loader
from microdegree.vc.errors import CanonicalizationError, VcError

__all__ = [
    "canonicalize_general",
    "canonicalize_pyld_only",
    "expand_safe",
    "to_nquads_general",
]

# jsonld.js `_isAbsoluteIri`: a scheme (or "_" for blank nodes), a colon, no whitespace.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):\S*$")
# jsonld.js REGEX_BCP47 (a value outside it is the "invalid @language value" safe-mode event).
_BCP47 = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")

# One options dict for every call: the same loader object keeps pyld's shared resolved-context cache
# (keyed by URL) warm across calls. pyld copies the dict before changing it.
_EXPAND_OPTIONS: dict[str, Any] = {
    "documentLoader": document_loader,
    "base": None,
    # We raise instead of dropping (see `_SafeProcessor._expand`), so pyld must not drop first.
    "keepFreeFloatingNodes": True,
}
# The eddsa-rdfc-2022 cryptosuite of Digital Bazaar (what most verifiers run) canonicalises with
# `rdfDirection: "i18n-datatype"`; JSON-LD's default (none) would drop a value's @direction.
RDF_DIRECTION = "i18n-datatype"
_TO_RDF_OPTIONS: dict[str, Any] = {"documentLoader": document_loader, "base": None,
                                   "rdfDirection": RDF_DIRECTION}


class _SafeProcessor(_pyld.JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
    """pyld's processor raising where jsonld.js in safe mode raises."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=_on_property_dropped)

    def _expand(
        self,
        active_ctx: Any,
        active_property: Any,
        element: Any,
        options: Any,
        inside_list: bool = False,
        inside_index: Any = False,
        type_scoped_ctx: Any = None,
    ) -> Any:
        at_top = active_property is None or (
            self._expand_iri(active_ctx, active_property, vocab=True) == "@graph"
        )
        if (
            not inside_list
            and at_top
            and element is not None
            and not isinstance(element, (dict, list))
        ):
            raise _unsafe(f"free-floating scalar {element!r} would be dropped")
        result = super()._expand(
            active_ctx,
            active_property,
            element,
            options,
            inside_list=inside_list,
            inside_index=inside_index,
            type_scoped_ctx=type_scoped_ctx,
        )
        if isinstance(result, dict) and not inside_list and at_top:
            _check_not_dropped(result, active_property)
        # Values of `@container: @graph` terms are checked in `_check_expanded` (pyld passes a
        # context here that no longer knows the term's container).
        return result


def _check_not_dropped(node: dict[str, Any], active_property: Any) -> None:
    where = "at the top level" if active_property is None else f"in {active_property!r}"
    if not node:
        raise _unsafe(f"an empty object {where} would be dropped")
    if "@value" in node or "@list" in node:
        raise _unsafe(f"a free-floating value or list {where} would be dropped")
    if len(node) == 1 and "@id" in node:
        raise _unsafe(f"an object with only an id ({node['@id']!r}) {where} would be dropped")


def _unsafe(what: str) -> CanonicalizationError:
    return CanonicalizationError(
        f"JSON-LD safe mode: {what}; the signed graph would not match the document.",
        code="JSONLD_UNSAFE",
    )


def _on_property_dropped(expanded_property: Any) -> None:
    if expanded_property is None:
        detail = "a property mapped to null in the context"
    else:
        detail = f"the term {expanded_property!r}"
    raise CanonicalizationError(
        f"JSON-LD safe mode: {detail} is not defined by any of the document's contexts, so it "
        "would be dropped from the signed data. Add the context that defines it.",
        code="JSONLD_UNDEFINED_TERM",
    )


def _relative(kind: str, value: str) -> CanonicalizationError:
    return CanonicalizationError(
        f"JSON-LD safe mode: {kind} {value!r} is not an absolute IRI (no context defines it, "
        "and relative IRIs are not resolved against any base).",
        code="JSONLD_RELATIVE_IRI",
    )


def _check_iri(kind: str, value: Any) -> None:
    if not isinstance(value, str) or not _ABSOLUTE_IRI.match(value):
        raise _relative(kind, str(value))


def _check_expanded(element: Any) -> None:
    """Refuse relative @id / @type / datatype and bad language tags in expanded JSON-LD."""
    if isinstance(element, list):
        for item in element:
            _check_expanded(item)
        return
    if not isinstance(element, dict):
        return
    if "@value" in element:
        datatype = element.get("@type")
        if datatype is not None and datatype != "@json":
            _check_iri("the datatype", datatype)
        language = element.get("@language")
        if language is not None and not (isinstance(language, str) and _BCP47.match(language)):
            raise _unsafe(f"the language tag {language!r} is not a BCP 47 tag")
        direction = element.get("@direction")
        if direction is not None and direction not in ("ltr", "rtl"):
            raise _unsafe(f"the base direction {direction!r} is neither 'ltr' nor 'rtl'")
        return  # never walk into a literal (an @json value can hold anything)
    for key, value in element.items():
        if key == "@id":
            _check_iri("the @id", value)
        elif key == "@type":
            for item in value if isinstance(value, list) else [value]:
                _check_iri("the @type", item)
        elif key in ("@index", "@language"):
            continue
        elif key == "@graph":
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    _check_not_dropped(item, "@graph")
            _check_expanded(value)
        elif key == "@reverse" and isinstance(value, dict):
            for prop, items in value.items():
                _check_iri("the reverse property", prop)
                _check_expanded(items)
        else:
            _check_expanded(value)


def _from_pyld_error(exc: Exception) -> VcError:
    cause: BaseException | None = exc
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, VcError):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    message = exc.args[0] if exc.args else str(exc)
    code = getattr(exc, "code", None)
    detail = f" ({code})" if code else ""
    return CanonicalizationError(
        f"The document is not valid JSON-LD: {message}{detail}", code="JSONLD_INVALID"
    )


def expand_safe(document: dict[str, Any]) -> list[Any]:
    """Expanded JSON-LD of `document` (bundled contexts only, safe mode, no base IRI)."""
    if not isinstance(document, dict):
        raise CanonicalizationError(
            "A JSON-LD document must be a JSON object.", code="JSONLD_INVALID"
        )
    try:
        expanded = _SafeProcessor().expand(document, _EXPAND_OPTIONS)
    except _pyld.JsonLdError as exc:
        raise _from_pyld_error(exc) from exc
    except RecursionError as exc:
        raise CanonicalizationError(
            "The document is nested too deeply to process.", code="JSONLD_INVALID"
        ) from exc
    result: list[Any] = expanded if isinstance(expanded, list) else [expanded]
    _check_expanded(result)
    return result


def to_nquads_general(document: dict[str, Any]) -> str:
    """N-Quads (not canonical: blank-node labels and order as pyld emits them) of `document`."""
    return str(_pyld.JsonLdProcessor.to_nquads(_dataset(document)))


def _dataset(document: dict[str, Any]) -> dict[str, Any]:
    """pyld's RDF dataset of `document` (safe expansion, safe toRDF checks)."""
    expanded = expand_safe(document)
    try:
        dataset: dict[str, Any] = _pyld.JsonLdProcessor().to_rdf(expanded, _TO_RDF_OPTIONS)
    except _pyld.JsonLdError as exc:
        raise _from_pyld_error(exc) from exc
    return dataset


def canonicalize_general(document: dict[str, Any]) -> str:
    """Canonical N-Quads (RDFC-1.0) of `document`: safe pyld expansion, then `rdfc`."""
    return rdfc.canonicalize_nquads(to_nquads_general(document))


def canonicalize_pyld_only(document: dict[str, Any]) -> str:
    """Canonical N-Quads from pyld's own URDNA2015 (same safe mode and poisoning guard).

    The reference and benchmark baseline. It equals `canonicalize_general` except for literals
    holding control characters other than tab, LF and CR: pyld's serialiser writes those raw,
    RDFC-1.0 and rdf-canonize escape them (`\\b`, `\\f`, `\\u0001`...); we sign the RDFC-1.0 form.
    """
    dataset = _dataset(document)
    rdfc.check_poisoning(
        rdfc.parse_nquads(_pyld.JsonLdProcessor.to_nquads(dataset)),
        max_blank_nodes=rdfc.DEFAULT_MAX_BLANK_NODES,
        max_work=rdfc.DEFAULT_MAX_WORK,
    )
    # pyld's `normalize` would serialise and re-parse N-Quads, and its parser rejects the raw
    # control characters its serialiser writes; run its URDNA2015 on the dataset instead.
    canonical: str = URDNA2015().main(dataset, {"format": "application/n-quads"})
    return canonical
