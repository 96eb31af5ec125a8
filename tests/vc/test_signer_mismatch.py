"""`proofs.signer_mismatch`: the warning `microdegree sign` prints when the key is not the
issuer's (or the presentation holder's), with the fix."""

from __future__ import annotations

from microdegree.vc.proofs import key_controller, signer_mismatch

VM = "did:key:z6MkA#z6MkA"


def test_the_controller_is_the_key_files_or_the_methods_did():
    assert key_controller(VM) == "did:key:z6MkA"
    assert key_controller("did:web:uni.example#key-1") == "did:web:uni.example"
    assert key_controller("did:web:uni.example#key-1", "did:web:other.example") == \
        "did:web:other.example"


def test_credentials():
    assert signer_mismatch({"issuer": "did:key:z6MkA"}, VM) is None
    assert signer_mismatch({"issuer": {"id": "did:key:z6MkA", "name": "U"}}, VM) is None
    assert signer_mismatch({"issuer": {"id": "did:key:z6MkB"}}, VM) == (
        "the issuer is did:key:z6MkB but the key belongs to did:key:z6MkA: set issuer.id to "
        "did:key:z6MkA or sign with did:key:z6MkB's key")
    assert signer_mismatch({"type": ["VerifiableCredential"]}, VM) == (
        "the credential names no issuer, but verifiers need one the key belongs to: set "
        "issuer.id to did:key:z6MkA")


def test_presentations_compare_the_holder():
    vp = {"type": ["VerifiablePresentation"]}
    assert signer_mismatch(vp, VM) is None  # a holder is optional
    assert signer_mismatch({**vp, "holder": "did:key:z6MkA"}, VM) is None
    assert signer_mismatch({**vp, "holder": "did:key:z6MkB"}, VM) == (
        "the holder is did:key:z6MkB but the key belongs to did:key:z6MkA: set holder to "
        "did:key:z6MkA or sign with did:key:z6MkB's key")
