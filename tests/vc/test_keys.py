"""Ed25519 Multikeys and multibase: spec vectors, round trips, legacy secrets, rejects."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import base58
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microdegree.vc import multibase
from microdegree.vc.errors import KeyFormatError
from microdegree.vc.keys import (
    Ed25519Key,
    decode_public_multibase,
    load_keyfile,
    verify_signature,
)

VECTORS = Path(__file__).resolve().parent.parent / "data" / "vectors"
DID_KEY_VECTORS: dict[str, Any] = json.loads(
    (VECTORS / "did-key" / "ccg-ed25519-x25519.json").read_text()
)
RDFC_FILES = sorted((VECTORS / "eddsa-rdfc-2022").glob("*.json"))


def key_pairs() -> list[dict[str, Any]]:
    return [json.loads(p.read_text())["keyPair"] for p in RDFC_FILES]


# --- multibase --------------------------------------------------------------------------------


@given(st.binary(max_size=80))
def test_multibase_round_trips(data: bytes) -> None:
    assert multibase.decode_z(multibase.encode_z(data)) == data
    assert multibase.decode_u(multibase.encode_u(data)) == data
    assert multibase.b58decode(multibase.b58encode(data)) == data
    assert "=" not in multibase.encode_u(data)


def test_multibase_known_values() -> None:
    assert multibase.encode_z(b"\x00\x00\x01") == "z112"
    assert multibase.encode_u(b"\xfb\xff") == "u-_8"
    assert multibase.decode_u("u-_8") == b"\xfb\xff"


@pytest.mark.parametrize(
    "bad", ["", "Z6Mk", "f00", "z0OIl", "z6Mk+", "6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"]
)
def test_decode_z_rejects(bad: str) -> None:
    with pytest.raises(KeyFormatError):
        multibase.decode_z(bad)


@pytest.mark.parametrize("bad", ["", "zAAAA", "u+/==", "uA", "uAA AA", "uAAA*"])
def test_decode_u_rejects(bad: str) -> None:
    with pytest.raises(KeyFormatError):
        multibase.decode_u(bad)


# --- did:key vectors --------------------------------------------------------------------------


@pytest.mark.parametrize("did", sorted(DID_KEY_VECTORS))
def test_did_key_vector_seed_to_public(did: str) -> None:
    vector = DID_KEY_VECTORS[did]
    key = Ed25519Key.from_seed(bytes.fromhex(vector["seed"]))
    assert f"did:key:{key.public_multibase}" == did
    pair = vector["verificationKeyPair"]
    if "publicKeyBase58" in pair:
        assert key.public == base58.b58decode(pair["publicKeyBase58"])
    else:
        assert key.public == multibase.decode_u("u" + pair["publicKeyJwk"]["x"])
        assert key.seed == multibase.decode_u("u" + pair["privateKeyJwk"]["d"])
    assert key.public_multibase.startswith("z6Mk")


@pytest.mark.parametrize("pair", key_pairs(), ids=[p.stem for p in RDFC_FILES])
def test_vector_key_pairs_round_trip(pair: dict[str, Any]) -> None:
    key = Ed25519Key.from_multibase(pair["publicKeyMultibase"], pair["secretKeyMultibase"])
    assert key.public.hex() == pair["derived"]["publicKeyHex"]
    assert key.seed is not None
    assert key.seed.hex() == pair["derived"]["secretKeySeedHex"]
    assert key.public_multibase == pair["publicKeyMultibase"]
    assert key.secret_multibase == pair["secretKeyMultibase"]
    from_secret_only = Ed25519Key.from_multibase(secret_multibase=pair["secretKeyMultibase"])
    assert from_secret_only == key


def test_w3c_b1_signature_reproduced() -> None:
    vector = json.loads((VECTORS / "eddsa-rdfc-2022" / "w3c-b1-alumni.json").read_text())
    key = Ed25519Key.from_multibase(secret_multibase=vector["keyPair"]["secretKeyMultibase"])
    signature = key.sign(bytes.fromhex(vector["hashDataHex"]))
    assert signature.hex() == vector["signatureHex"]
    assert multibase.encode_z(signature) == vector["proofValue"]
    assert key.verify(signature, bytes.fromhex(vector["hashDataHex"]))


def test_legacy_64_byte_secret_accepted_and_32_emitted() -> None:
    pair = json.loads((VECTORS / "eddsa-rdfc-2022" / "1edtech-ob-v3p0-teamwork.json").read_text())[
        "keyPair"
    ]
    seed = bytes.fromhex(pair["derived"]["secretKeySeedHex"])
    public = bytes.fromhex(pair["derived"]["publicKeyHex"])
    legacy = multibase.encode_z(b"\x80\x26" + seed + public)
    key = Ed25519Key.from_multibase(pair["publicKeyMultibase"], legacy)
    assert key.public == public
    assert key.secret_multibase == pair["secretKeyMultibase"]
    assert len(multibase.decode_z(key.secret_multibase)) == 34


def test_legacy_secret_with_wrong_embedded_public_rejected() -> None:
    seed = bytes(range(32))
    other = Ed25519Key.from_seed(bytes(32)).public
    with pytest.raises(KeyFormatError) as info:
        Ed25519Key.from_multibase(secret_multibase=multibase.encode_z(b"\x80\x26" + seed + other))
    assert info.value.code == "KEY_MISMATCH"


def test_mismatched_public_and_secret_rejected() -> None:
    a, b = Ed25519Key.from_seed(bytes([1]) * 32), Ed25519Key.from_seed(bytes([2]) * 32)
    with pytest.raises(KeyFormatError) as info:
        Ed25519Key.from_multibase(a.public_multibase, b.secret_multibase)
    assert info.value.code == "KEY_MISMATCH"
    with pytest.raises(KeyFormatError):
        Ed25519Key(public=a.public, seed=b.seed)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"\x12\x00" + bytes(32), "KEY_TYPE_UNSUPPORTED"),  # sha2-256 header
        (b"\xec\x01" + bytes(32), "KEY_TYPE_UNSUPPORTED"),  # x25519-pub
        (b"\x80\x24" + bytes(33), "KEY_TYPE_UNSUPPORTED"),  # p256-pub
        (b"\xed\x01" + bytes(31), "KEY_LENGTH_INVALID"),
        (b"\xed\x01" + bytes(33), "KEY_LENGTH_INVALID"),
    ],
)
def test_public_multibase_rejects_other_headers_and_lengths(raw: bytes, code: str) -> None:
    with pytest.raises(KeyFormatError) as info:
        decode_public_multibase(multibase.encode_z(raw))
    assert info.value.code == code


def test_secret_multibase_rejects_wrong_header_and_length() -> None:
    with pytest.raises(KeyFormatError):
        Ed25519Key.from_multibase(secret_multibase=multibase.encode_z(b"\xed\x01" + bytes(32)))
    with pytest.raises(KeyFormatError):
        Ed25519Key.from_multibase(secret_multibase=multibase.encode_z(b"\x80\x26" + bytes(48)))
    with pytest.raises(KeyFormatError):
        Ed25519Key.from_multibase()


# --- signing ----------------------------------------------------------------------------------


def test_sign_verify_and_tamper() -> None:
    key = Ed25519Key.generate()
    sig = key.sign(b"hello")
    assert len(sig) == 64
    assert key.verify(sig, b"hello")
    assert verify_signature(key.public, sig, b"hello")
    assert not key.verify(sig, b"hellO")
    flipped = bytes([sig[0] ^ 1]) + sig[1:]
    assert not key.verify(flipped, b"hello")
    assert not key.verify(sig[:63], b"hello")
    assert not verify_signature(b"\x00" * 31, sig, b"hello")
    # a public key that is not a curve point must not raise either
    assert not verify_signature(b"\xff" * 32, sig, b"hello")
    assert not Ed25519Key.generate().verify(sig, b"hello")


def test_public_only_key_cannot_sign_or_export_secret() -> None:
    key = Ed25519Key.from_public_bytes(Ed25519Key.generate().public)
    assert key.seed is None
    with pytest.raises(KeyFormatError):
        key.sign(b"x")
    with pytest.raises(KeyFormatError):
        _ = key.secret_multibase


def test_generate_is_random_and_repr_hides_seed() -> None:
    a, b = Ed25519Key.generate(), Ed25519Key.generate()
    assert a.public != b.public
    assert a.seed is not None
    assert a.seed.hex() not in repr(a)
    assert repr(a.seed) not in repr(a)


def test_copy_and_pickle_keep_a_working_key() -> None:
    key = Ed25519Key.from_seed(bytes([4]) * 32)
    for clone in (pickle.loads(pickle.dumps(key)), copy.deepcopy(key), copy.copy(key)):
        assert clone == key
        assert clone.sign(b"m") == key.sign(b"m")
    public_only = Ed25519Key.from_public_bytes(key.public)
    assert pickle.loads(pickle.dumps(public_only)) == public_only


def test_bad_lengths_rejected() -> None:
    with pytest.raises(KeyFormatError):
        Ed25519Key.from_seed(b"\x00" * 31)
    with pytest.raises(KeyFormatError):
        Ed25519Key.from_public_bytes(b"\x00" * 33)


# --- key files --------------------------------------------------------------------------------


def test_keyfile_defaults_round_trip(tmp_path: Path) -> None:
    key = Ed25519Key.from_seed(bytes([7]) * 32)
    data = key.to_keyfile()
    did = f"did:key:{key.public_multibase}"
    assert data == {
        "type": "Multikey",
        "id": f"{did}#{key.public_multibase}",
        "controller": did,
        "publicKeyMultibase": key.public_multibase,
        "secretKeyMultibase": key.secret_multibase,
    }
    path = tmp_path / "key.json"
    path.write_text(json.dumps(data))
    loaded, vm = load_keyfile(path)
    assert loaded == key
    assert vm == f"{did}#{key.public_multibase}"
    assert load_keyfile(str(path))[0] == key
    assert load_keyfile(data) == (key, vm)


def test_keyfile_with_did_web_controller_and_relative_id() -> None:
    key = Ed25519Key.from_seed(bytes([8]) * 32)
    data = key.to_keyfile(controller="did:web:uni.example", key_id="#key-1")
    assert data["id"] == "did:web:uni.example#key-1"
    data["id"] = "#key-1"
    assert load_keyfile(data) == (key, "did:web:uni.example#key-1")


def test_keyfile_rejects(tmp_path: Path) -> None:
    key = Ed25519Key.from_seed(bytes([9]) * 32)
    public_only = Ed25519Key.from_public_bytes(key.public).to_keyfile()
    assert "secretKeyMultibase" not in public_only
    with pytest.raises(KeyFormatError) as info:
        load_keyfile(public_only)
    assert info.value.code == "KEY_NO_SECRET"
    assert load_keyfile(public_only, require_secret=False)[0].seed is None
    with pytest.raises(KeyFormatError):
        load_keyfile({**key.to_keyfile(), "type": "JsonWebKey2020"})
    other = Ed25519Key.from_seed(bytes([10]) * 32)
    with pytest.raises(KeyFormatError):
        load_keyfile({**key.to_keyfile(), "publicKeyMultibase": other.public_multibase})
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(KeyFormatError):
        load_keyfile(bad)
    with pytest.raises(KeyFormatError):
        load_keyfile(tmp_path / "missing.json")
