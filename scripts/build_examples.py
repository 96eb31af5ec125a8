"""Regenerate examples/: the demo credentials the README's demo command verifies.

The demo issuer key is derived from a public phrase: it is a demonstration key, never for real use.
Output is deterministic (fixed `created`, fixed seeds), so re-running it changes nothing.

    uv run python scripts/build_examples.py
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from microdegree.vc import did, proofs
from microdegree.vc.keys import Ed25519Key

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/samples.py: test support
from tests.samples import sample_credential

ROOT = Path(__file__).resolve().parent.parent / "examples"
CREATED = "2026-01-15T09:30:00Z"
CLR_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def demo_key(phrase: str) -> Ed25519Key:
    return Ed25519Key.from_seed(hashlib.sha256(phrase.encode()).digest())


def write(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    key = demo_key("microdegree demo issuer (public demonstration key)")
    learner = demo_key("microdegree demo learner (public demonstration key)")
    issuer = did.did_key(key)
    vm = f"{issuer}#{key.public_multibase}"
    learner_did = did.did_key(learner)

    literacy = sample_credential(
        issuer,
        subject_id=learner_did,
        credential_id="urn:uuid:7d3c0f52-1a3b-4e8e-9f7a-3c1d7c8e0a01",
    )
    stats = sample_credential(
        issuer,
        subject_id=learner_did,
        status_list=None,
        credential_id="urn:uuid:7d3c0f52-1a3b-4e8e-9f7a-3c1d7c8e0a02",
    )
    stats["name"] = "Applied Statistics"
    achievement = stats["credentialSubject"]["achievement"]
    achievement.update(
        id="https://uni.example/achievements/applied-statistics/v1",
        name="Applied Statistics",
        humanCode="STAT-102",
    )
    signed_literacy = proofs.sign(literacy, key, verification_method=vm, created=CREATED)
    signed_stats = proofs.sign(
        stats, key, verification_method=vm, suite="eddsa-jcs-2022", created=CREATED
    )
    clr = {
        "@context": CLR_CONTEXTS,
        "id": "urn:uuid:7d3c0f52-1a3b-4e8e-9f7a-3c1d7c8e0a03",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example University"},
        "name": "Comprehensive Learner Record: Data for Policy",
        "validFrom": CREATED,
        "credentialSubject": {
            "type": ["ClrSubject"],
            "id": learner_did,
            "verifiableCredential": [signed_literacy, signed_stats],
        },
    }
    signed_clr = proofs.sign(clr, key, verification_method=vm, created=CREATED)

    write(ROOT / "credentials" / "ob-data-literacy.json", signed_literacy)
    write(ROOT / "credentials" / "ob-applied-statistics-jcs.json", signed_stats)
    write(ROOT / "credentials" / "clr-transcript.json", signed_clr)

    forged = copy.deepcopy(signed_literacy)
    forged["credentialSubject"]["creditsEarned"] = 30
    write(ROOT / "tampered" / "ob-credits-raised.json", forged)
    impostor = demo_key("someone else")
    stolen = sample_credential(issuer, subject_id=learner_did, status_list=None)
    imp_vm = f"{did.did_key(impostor)}#{impostor.public_multibase}"
    write(
        ROOT / "tampered" / "ob-signed-by-another-key.json",
        proofs.sign(stolen, impostor, verification_method=imp_vm, created=CREATED),
    )

    write(ROOT / "registry.json", [{"id": issuer, "name": "Example University (demo)"}])
    write(ROOT / "unsigned" / "ob-credential.json", sample_credential(issuer, status_list=None))
    # The demonstration key itself (derived from the public phrase above; never for real use),
    # so the README's `microdegree sign` example signs examples/unsigned/ as its issuer.
    write(ROOT / "keys" / "demo-issuer-key.json", key.to_keyfile())


if __name__ == "__main__":
    main()
