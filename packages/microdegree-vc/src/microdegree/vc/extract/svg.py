"""Baked SVG badges: `<openbadges:credential>` with the JSON in CDATA or a JWS in `verify`."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from microdegree.vc.extract._base import OB2_SVG_NS, OB_SVG_NS, ExtractError

# Anywhere in the file (a long comment may come first): no document type, so no entity can
# expand (a billion laughs) and nothing external is named.
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def svg_credential(text: str) -> str:
    """The credential text baked into an SVG: CDATA JSON, or a JWS in the `verify` attribute."""
    if _DTD.search(text):
        raise ExtractError(
            "SVG files with a DOCTYPE or entities are refused (they can expand without bound).",
            code="SVG_DTD_REFUSED",
        )
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DTD or entity can be present (checked above)
    except ET.ParseError as exc:
        raise ExtractError(f"The file is not well-formed XML: {exc}.", code="SVG_INVALID") from exc
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        raise ExtractError("The XML file is not an SVG image.", code="SVG_INVALID")
    element = root.find(f".//{{{OB_SVG_NS}}}credential")
    if element is None:
        if root.find(f".//{{{OB2_SVG_NS}}}assertion") is not None:
            raise ExtractError(
                "This is an Open Badges 2.0 baked SVG (openbadges:assertion). Open Badges 2.0 "
                "assertions are not supported here: ask the issuer for an Open Badges 3.0 "
                "credential.",
                code="OB2_NOT_SUPPORTED",
            )
        raise ExtractError(
            "This SVG carries no Open Badges 3.0 credential (no <openbadges:credential>).",
            code="NOT_BAKED",
        )
    jws = element.get("verify")
    if jws:
        return jws.strip()
    content = (element.text or "").strip()
    if not content:
        raise ExtractError("The SVG's <openbadges:credential> is empty.", code="NOT_BAKED")
    return content
