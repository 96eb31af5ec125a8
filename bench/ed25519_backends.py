"""Ed25519 sign and verify: PyNaCl (libsodium) against `cryptography` (OpenSSL), same process.

Each operation is timed the way the core does it: signing with a key object built once (the core
caches its signer), verifying with the public key decoded from bytes at every call (the core
verifies keys it has just resolved). Both must give byte-identical signatures (Ed25519 is
deterministic), which the script checks before timing. Rounds alternate between the two backends
and the medians are compared, since the machine drifts (ADR 0026 records the choice).

    uv run python bench/ed25519_backends.py    # about 15 seconds; --quick: 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import nacl.signing
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SEED = bytes(range(32))
MESSAGE = bytes(64)  # sign/verify input of both EdDSA suites: two SHA-256 hashes


def rate(fn: Callable[[], Any], seconds: float) -> float:
    fn()
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            fn()
        count += 100
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds, seconds = (3, 0.2) if args.quick else (7, 1.0)

    nacl_key = nacl.signing.SigningKey(SEED)
    ossl_key = Ed25519PrivateKey.from_private_bytes(SEED)
    public = bytes(nacl_key.verify_key)
    signature = nacl_key.sign(MESSAGE).signature
    assert ossl_key.sign(MESSAGE) == signature, "the backends disagree on a signature"

    def nacl_verify() -> None:
        nacl.signing.VerifyKey(public).verify(MESSAGE, signature)

    def ossl_verify() -> None:
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, MESSAGE)
        except InvalidSignature:  # pragma: no cover - the signature is good
            raise

    cases = {
        "sign": (lambda: nacl_key.sign(MESSAGE), lambda: ossl_key.sign(MESSAGE)),
        "verify": (nacl_verify, ossl_verify),
    }
    header = f"{'operation':<8} {'PyNaCl /s':>11} {'cryptography /s':>16}"
    print(f"{header} {'PyNaCl / cryptography':>22}")
    for name, (nacl_fn, ossl_fn) in cases.items():
        a: list[float] = []
        b: list[float] = []
        for _ in range(rounds):
            a.append(rate(nacl_fn, seconds))
            b.append(rate(ossl_fn, seconds))
        na, nb = statistics.median(a), statistics.median(b)
        print(f"{name:<8} {na:>11,.0f} {nb:>16,.0f} {na / nb:>21.2f}x")


if __name__ == "__main__":
    main()
