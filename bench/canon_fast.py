"""Fast canonicalisation vs pyld (URDNA2015) on the ~3 KB sample OpenBadgeCredential.

Prints ops/s of both, measured alternately in the same run (the machine drifts), their ratio, the
proof-configuration figures, and the memory held by the memoised context tables (tracemalloc).

    uv run python bench/canon_fast.py [seconds-per-round]
"""

from __future__ import annotations

import copy
import gc
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from _samples import sample_credential  # bench/_samples.py: tests/samples.py
from pyld import jsonld

from microdegree.vc import _fast
from microdegree.vc.contexts import document_loader

CLR_VECTOR = (
    Path(__file__).resolve().parent.parent
    / "tests/data/vectors/eddsa-rdfc-2022/1edtech-clr-v2p0-transcript.json"
)
PYLD_OPTIONS = {
    "algorithm": "URDNA2015",
    "format": "application/n-quads",
    "documentLoader": document_loader,
    "base": None,
}


def pyld_canon(doc: dict[str, Any]) -> str:
    result: str = jsonld.normalize(doc, PYLD_OPTIONS)
    return result


def fast_canon(doc: dict[str, Any]) -> str:
    result = _fast.try_canonicalize(doc)
    assert result is not None
    return result


def rate(fn: Callable[[dict[str, Any]], str], docs: list[dict[str, Any]], seconds: float) -> float:
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn(docs[count % len(docs)])
        count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    doc = sample_credential()
    size = len(orjson.dumps(doc))
    # distinct credentials (ids differ), so the small-document cache cannot help the document
    docs = [
        sample_credential(credential_id=f"urn:uuid:00000000-0000-4000-8000-{i:012d}")
        for i in range(64)
    ]
    config = {
        "@context": doc["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-01-15T00:00:00Z",
        "verificationMethod": "did:web:uni.example#key-0",
        "proofPurpose": "assertionMethod",
    }
    assert fast_canon(copy.deepcopy(doc)) == pyld_canon(copy.deepcopy(doc))
    assert fast_canon(dict(config)) == pyld_canon(dict(config))

    fast_rates, pyld_rates = [], []
    for _ in range(3):
        fast_rates.append(rate(fast_canon, docs, seconds))
        pyld_rates.append(rate(pyld_canon, docs, seconds))
    fast_r, pyld_r = statistics.median(fast_rates), statistics.median(pyld_rates)
    print(f"credential {size} B, {len(fast_canon(doc).splitlines())} quads")
    print(f"  fast  {fast_r:9.0f} ops/s  ({1000 / fast_r:.3f} ms)")
    print(f"  pyld  {pyld_r:9.0f} ops/s  ({1000 / pyld_r:.3f} ms)")
    print(f"  ratio {fast_r / pyld_r:9.1f}x")

    configs = [dict(config, created=f"2026-01-15T00:00:{i % 60:02d}Z") for i in range(64)]
    cfg_uncached = rate(lambda c: (_fast.reset_stats(), fast_canon(c))[1], configs, seconds)
    cfg_cached = rate(fast_canon, [config], seconds)
    cfg_pyld = rate(pyld_canon, [config], seconds)
    print("proof configuration")
    print(
        f"  fast uncached {cfg_uncached:9.0f} ops/s, cached {cfg_cached:9.0f} ops/s, "
        f"pyld {cfg_pyld:7.0f} ops/s"
    )
    print(f"stats: {_fast.stats()}")

    # memory of the memoised context tables, rebuilt from cold for an OB credential, its proof
    # configuration, the CLR vector (nested credentials and proofs) and a presentation
    from microdegree.vc._fast import _context

    clr = json.loads(CLR_VECTOR.read_text(encoding="utf-8"))["unsignedDocument"]
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [clr],
    }
    _context.clear()
    _fast.reset_stats()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for document in (copy.deepcopy(doc), dict(config), clr, presentation):
        fast_canon(document)
    _fast.reset_stats()  # the small-document cache is not part of the tables
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    print(f"memoised tables: {grown / 1e6:.2f} MB for {_context.context_count()} active contexts")


if __name__ == "__main__":
    main()
