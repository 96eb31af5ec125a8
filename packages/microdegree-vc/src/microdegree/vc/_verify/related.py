"""Related resources (VCDM 2.0 `relatedResource`): well formed, digests of what we hold."""

from __future__ import annotations

from typing import Any

from microdegree.vc import related as related_mod
from microdegree.vc.report import Outcome, Report


def check_related(document: dict[str, Any], report: Report) -> None:
    """`relatedResource` (VCDM 2.0 section 5.3): well formed, and digests of what we hold match."""
    if "relatedResource" not in document:
        return
    found = related_mod.problems(document)
    if found:
        report.add(
            "related",
            Outcome.FAIL,
            found[0][0],
            "The credential's related resources do not check out: "
            + "; ".join(message.rstrip(".") for _, message, _ in found[:3]) + ".",
            problems=[{"code": c, "message": m, "path": p} for c, m, p in found[:20]],
        )
        return
    held = related_mod.checked(document)
    message = "The credential's related resources are well formed"
    if held:
        message += f"; {len(held)} held here match their digests."
    else:
        message += " (none is held here, so their digests were not checked)."
    report.add("related", Outcome.PASS, "RELATED_RESOURCES_OK", message, checked=held)
