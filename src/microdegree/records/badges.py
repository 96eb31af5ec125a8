"""Baked badge images of a record's credential, through verification.bake (OB 3.0 baking).

The image is the achievement's uploaded image when it has one of the right kind, else the
catalogue's generated badge (SVG, or the same design drawn as a 600 px PNG); an imported
credential gets the same design with its own name and issuer. The baked text is the stored
credential, verbatim (JSON in CDATA / iTXt, or a compact JWS).
"""

from __future__ import annotations

from typing import Any

from microdegree.catalog.images import (
    BadgeLayout,
    at_least,
    badge_layout,
    generated_png,
    generated_svg,
    layout_png,
    layout_svg,
)
from microdegree.issuing.models import IssuedCredential
from microdegree.vc.extract.bake import bake_png, bake_svg
from microdegree.verification.summary import summarise


def _generic_layout(target: Any) -> BadgeLayout:
    """An imported credential's badge: its name and issuer in the platform's colour."""
    summary = summarise(target.decoded if isinstance(target.decoded, dict) else {},
                        show_recipient=False)
    return badge_layout(summary.name or summary.achievement_name or "Credential",
                        summary.issuer_name or "", "")


def _uploaded(cred: IssuedCredential, suffix: str) -> bytes | None:
    image = cred.achievement_version.image
    if image and image.name.lower().endswith(suffix):
        with image.open("rb") as handle:
            data: bytes = handle.read()
            return data
    return None


def baked_png(target: Any) -> bytes:
    """The badge picture (at least 400 px) with the credential baked in: the uploaded PNG, else
    the catalogue's badge drawn as a PNG (the design of the SVG, also when an SVG was uploaded:
    an uploaded SVG is not rendered)."""
    if isinstance(target, IssuedCredential):
        uploaded = _uploaded(target, ".png")
        image = (at_least(uploaded) if uploaded is not None
                 else generated_png(target.achievement_version))
    else:
        image = layout_png(_generic_layout(target))
    return bake_png(image, target.document)


def baked_svg(target: Any) -> str:
    if isinstance(target, IssuedCredential):
        uploaded = _uploaded(target, ".svg")
        svg = (uploaded.decode("utf-8") if uploaded is not None
               else generated_svg(target.achievement_version))
    else:
        svg = layout_svg(_generic_layout(target))
    return bake_svg(svg, target.document)
