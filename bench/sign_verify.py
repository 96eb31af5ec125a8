"""Sign and verify throughput for a ~3 KB OpenBadgeCredential, one core, ratios in one run.

Prints, for each path and suite, credentials per second (median of alternating rounds) and the
ratio against the pyld-only eddsa-rdfc-2022 baseline and against raw Ed25519 signing, all measured
in this same process (the machine drifts, so only same-run ratios mean anything).

    uv run python bench/sign_verify.py            # about a minute
    uv run python bench/sign_verify.py --quick    # a few seconds, for a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _samples import sample_credential  # bench/_samples.py: tests/samples.py

from microdegree.vc import _fast, canon, did, proofs
from microdegree.vc.builders import eu_context
from microdegree.vc.contexts import EU_CONTEXT_URL
from microdegree.vc.keys import Ed25519Key
from microdegree.vc.verify import verify

CREATED = "2026-01-15T00:00:00Z"


def rate(fn: Callable[[], Any], seconds: float) -> float:
    """Calls per second of `fn` over about `seconds`."""
    fn()  # warm caches
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        fn()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def _with_eu(document: dict[str, Any], context: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(document))
    out["@context"] = [*out["@context"], context]
    out["credentialSubject"]["achievement"].update(
        {"ECTS": 5, "eqfLevel": 6, "participationType": "online", "identityChecked": True})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short rounds (smoke test)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    seconds = 0.3 if args.quick else 1.5
    rounds = 1 if args.quick else args.rounds

    key = Ed25519Key.generate()
    issuer = did.did_key(key)
    vm = f"{issuer}#{key.public_multibase}"
    resolver = did.KeyResolver()
    doc = sample_credential(issuer, status_list=None)
    size = len(json.dumps(doc).encode())
    payload = os.urandom(64)

    def signer(suite: str, document: dict[str, Any] | None = None) -> Callable[[], Any]:
        target = doc if document is None else document
        return lambda: proofs.sign(target, key, verification_method=vm, suite=suite,
                                   created=CREATED)

    # The same credential with EU micro-credential elements: the context embedded (ADR 0011,
    # what the platform issues) and named by URL (credentials issued before it).
    eu_embedded = _with_eu(doc, eu_context())
    eu_by_url = _with_eu(doc, EU_CONTEXT_URL)

    signed = {s: signer(s)() for s in ("eddsa-rdfc-2022", "eddsa-jcs-2022")}

    def proof_verifier(suite: str) -> Callable[[], Any]:
        document = signed[suite]
        proof = proofs.proofs_of(document)[0]

        def run() -> None:
            if not proofs.verify_proof(document, proof, key.public).valid:
                raise SystemExit(f"{suite}: a signed credential failed to verify")

        return run

    def full_verifier(suite: str) -> Callable[[], Any]:
        document = signed[suite]

        def run() -> None:
            if not verify(document, resolver=resolver).verified:
                raise SystemExit(f"{suite}: the full pipeline rejected a signed credential")

        return run

    cases: dict[str, tuple[str, Callable[[], Any]]] = {
        "ed25519 raw sign": ("raw", lambda: key.sign(payload)),
        "rdfc sign, pyld only": ("pyld", signer("eddsa-rdfc-2022")),
        "rdfc verify proof, pyld only": ("pyld", proof_verifier("eddsa-rdfc-2022")),
        "rdfc sign, general (pyld expand + RDFC)": ("general", signer("eddsa-rdfc-2022")),
        "rdfc sign, fast (default)": ("fast", signer("eddsa-rdfc-2022")),
        "rdfc verify proof, fast (default)": ("fast", proof_verifier("eddsa-rdfc-2022")),
        "rdfc verify full pipeline, fast": ("fast", full_verifier("eddsa-rdfc-2022")),
        "rdfc sign, fast, EU context embedded": ("fast", signer("eddsa-rdfc-2022", eu_embedded)),
        "rdfc sign, fast, EU context by URL": ("fast", signer("eddsa-rdfc-2022", eu_by_url)),
        "jcs sign": ("fast", signer("eddsa-jcs-2022")),
        "jcs verify proof": ("fast", proof_verifier("eddsa-jcs-2022")),
        "jcs verify full pipeline": ("fast", full_verifier("eddsa-jcs-2022")),
    }
    results: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, (mode, fn) in cases.items():
            if mode == "raw":
                results[name].append(rate(fn, seconds))
            else:
                with canon.use(mode):  # type: ignore[arg-type]
                    results[name].append(rate(fn, seconds))
    medians = {name: statistics.median(values) for name, values in results.items()}
    base_sign = medians["rdfc sign, pyld only"]
    base_verify = medians["rdfc verify proof, pyld only"]
    raw = medians["ed25519 raw sign"]

    _fast.reset_stats()
    with canon.use("fast"):
        signer("eddsa-rdfc-2022")()
    fast_stats = _fast.stats()

    print(
        f"credential: {size} bytes, Python {sys.version.split()[0]}, one core, "
        f"{rounds} round(s) of {seconds}s per case"
    )
    print(f"{'case':44} {'per s':>10} {'x pyld':>8} {'x raw':>8}")
    for name, value in medians.items():
        base = base_verify if "verify" in name else base_sign
        print(f"{name:44} {value:10,.0f} {value / base:8.2f} {value / raw:8.4f}")
    print(f"fast-path counters for one rdfc signature: {fast_stats}")
    _fast.reset_stats()
    with canon.use("fast"):
        signer("eddsa-rdfc-2022", eu_embedded)()
    print(f"fast-path counters for one rdfc signature, EU embedded: {_fast.stats()}")
    if args.json:
        print(json.dumps({"bytes": size, "per_second": medians}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
