"""The framework-free credential core of Microdegree (no Django import: a test asserts it).

The small public API: keys and DIDs, `sign`, `verify` (returns a `Report`, never raises for a bad
credential), canonicalisation, builders, status lists and registries. Suite modules are private.
"""

from microdegree.vc.did import (
    ChainResolver,
    KeyResolver,
    Resolver,
    StaticResolver,
    WebResolver,
    default_resolver,
    did_key,
    did_key_document,
    did_web_document,
    did_web_to_url,
)
from microdegree.vc.errors import VcError
from microdegree.vc.fetch import Fetcher, SafeFetcher
from microdegree.vc.keys import Ed25519Key
from microdegree.vc.proofs import sign, verify_proof
from microdegree.vc.registry import IssuerRegistry, RegistryEntry, StaticRegistry
from microdegree.vc.report import Check, Outcome, Report
from microdegree.vc.verify import Limits, verify

__all__ = [
    "ChainResolver",
    "Check",
    "Ed25519Key",
    "Fetcher",
    "IssuerRegistry",
    "KeyResolver",
    "Limits",
    "Outcome",
    "RegistryEntry",
    "Report",
    "Resolver",
    "SafeFetcher",
    "StaticRegistry",
    "StaticResolver",
    "VcError",
    "WebResolver",
    "default_resolver",
    "did_key",
    "did_key_document",
    "did_web_document",
    "did_web_to_url",
    "sign",
    "verify",
    "verify_proof",
]
