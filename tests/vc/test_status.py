"""Bitstring Status List v1.0: spec examples, derived vectors, round trips, ordering and errors."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microdegree.vc.errors import StatusListError
from microdegree.vc.status import (
    MIN_ENTRIES,
    BitstringStatusList,
    StatusCheck,
    check_entry,
    decode,
    status_entry,
)

VECTORS = Path(__file__).parents[1] / "data" / "vectors" / "bitstring-status-list"
W3C = json.loads((VECTORS / "w3c-examples.json").read_text())
DERIVED = json.loads((VECTORS / "derived-bitstrings.json").read_text())["vectors"]
LIST_URL = "https://uni.example/status/1"


def encode_raw(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(data, mtime=0)).rstrip(b"=").decode()


def list_credential(bits: BitstringStatusList | str | None,
                    purpose: str | list[str] = "revocation"):
    encoded = bits.encode() if isinstance(bits, BitstringStatusList) else bits
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:12345",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"{LIST_URL}#list", "type": "BitstringStatusList",
                              "statusPurpose": purpose, "encodedList": encoded},
    }


# --- spec examples ------------------------------------------------------------------------


def test_the_w3c_example_list_decodes_to_131072_clear_bits():
    info = W3C["encodedListDecoding"]
    bits = decode(info["encodedList"])
    assert bits.length == info["bits"] == MIN_ENTRIES
    assert len(bits.to_bytes()) == info["gunzippedBytes"]
    assert bits.set_indices() == []


@pytest.mark.parametrize(
    "name",
    ["section2_2_example3_statusListCredential",
     "appendixA2_example5_statusListCredential_signed_eddsa_rdfc_2022"],
)
def test_the_w3c_example_entries_are_not_revoked(name):
    list_cred = W3C[name]
    entry = W3C["appendixA1_example4_revocableCredential_signed_eddsa_rdfc_2022"][
        "credentialStatus"]
    result = check_entry(entry, list_cred)
    assert result == StatusCheck(status=0, purpose="revocation", code="STATUS_OK",
                                 message=result.message)
    assert result.ok


def test_the_w3c_suspension_entry_does_not_match_a_revocation_list():
    entries = W3C["section2_1_example1_credentialWithTwoStatusEntries"]["credentialStatus"]
    suspension = next(e for e in entries if e["statusPurpose"] == "suspension")
    result = check_entry(suspension, W3C["section2_2_example3_statusListCredential"])
    assert result.code == "STATUS_PURPOSE_MISMATCH"
    assert not result.ok


# --- derived vectors: compare decoded bits, never gzip bytes -------------------------------


@pytest.mark.parametrize("vector", DERIVED, ids=lambda v: f"size{v['statusSize']}")
def test_derived_vectors_decode_to_the_expected_statuses(vector):
    bits = decode(vector["encodedList"], vector["statusSize"])
    assert bits.length == vector["entries"]
    assert len(bits.to_bytes()) * 8 == vector["totalBits"]
    digest = hashlib.sha256(bits.to_bytes()).hexdigest()
    assert digest == vector["sha256OfUncompressedBitstringHex"]
    for index, status in vector["expectedStatusAtIndex"].items():
        assert bits.get(int(index)) == status


@pytest.mark.parametrize("vector", DERIVED, ids=lambda v: f"size{v['statusSize']}")
def test_building_the_derived_vectors_gives_the_same_bits(vector):
    size = vector["statusSize"]
    bits = BitstringStatusList(status_size=size)
    values = vector.get("values") or dict.fromkeys(vector.get("setIndices", []), 1)
    for index, value in values.items():
        bits.set(int(index), value)
    assert decode(bits.encode(), size) == decode(vector["encodedList"], size)
    assert bits.set_indices() == sorted(int(i) for i in values)


def test_derived_message_vector_reads_status_messages():
    vector = DERIVED[1]
    entry = status_entry(LIST_URL, 1000, "message", status_size=2,
                         status_messages=vector["statusMessage"])
    as_mapping = status_entry(LIST_URL, 1000, "message", status_size=2,
                              status_messages={int(m["status"], 16): m["message"]
                                               for m in vector["statusMessage"]})
    assert as_mapping == entry
    assert entry["statusMessage"] == vector["statusMessage"]
    result = check_entry(entry, list_credential(vector["encodedList"], "message"))
    assert (result.status, result.code) == (3, "STATUS_MESSAGE")
    assert "undefined" in result.message
    clear = check_entry({**entry, "statusListIndex": "2"},
                        list_credential(vector["encodedList"], "message"))
    assert (clear.status, clear.code) == (0, "STATUS_OK")


# --- bit order ------------------------------------------------------------------------------


def test_index_zero_is_the_most_significant_bit_of_byte_zero():
    bits = BitstringStatusList()
    bits.set(0)
    bits.set(9)
    raw = bits.to_bytes()
    assert raw[0] == 0x80
    assert raw[1] == 0x40
    assert set(raw[2:]) == {0}


def test_multi_bit_values_are_read_most_significant_bit_first():
    bits = BitstringStatusList(status_size=4)
    bits.set(1, 0b1010)
    assert bits.to_bytes()[:1] == bytes([0b0000_1010])
    assert bits.get(1) == 10
    raw = bytearray(MIN_ENTRIES * 2 // 8)
    raw[0] = 0b0110_0000  # entry 0 = 01, entry 1 = 10
    decoded = decode(encode_raw(bytes(raw)), 2)
    assert (decoded.get(0), decoded.get(1), decoded.get(2)) == (1, 2, 0)


def test_set_clears_as_well_as_sets():
    bits = BitstringStatusList(status_size=2)
    bits.set(5, 3)
    bits.set(5, 1)
    assert bits.get(5) == 1
    bits.set(5, 0)
    assert bits.set_indices() == []


# --- round trips ----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    size=st.sampled_from([1, 2, 4, 8]),
    data=st.data(),
)
def test_round_trip_random_statuses(size, data):
    values = data.draw(st.dictionaries(
        st.integers(min_value=0, max_value=MIN_ENTRIES - 1),
        st.integers(min_value=1, max_value=(1 << size) - 1),
        max_size=40,
    ))
    bits = BitstringStatusList(status_size=size)
    for index, value in values.items():
        bits.set(index, value)
    encoded = bits.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded
    decoded = decode(encoded, size)
    assert decoded == bits
    assert decoded.set_indices() == sorted(values)
    for index, value in values.items():
        assert decoded.get(index) == value


def test_encoding_is_deterministic():
    a, b = BitstringStatusList(), BitstringStatusList()
    a.set(42)
    b.set(42)
    assert a.encode() == b.encode()


def test_a_longer_list_round_trips():
    bits = BitstringStatusList(length=MIN_ENTRIES * 2)
    bits.set(MIN_ENTRIES * 2 - 1)
    assert decode(bits.encode()).get(MIN_ENTRIES * 2 - 1) == 1


# --- errors -----------------------------------------------------------------------------------


def test_a_short_list_is_a_length_error():
    with pytest.raises(StatusListError) as excinfo:
        decode(encode_raw(bytes(MIN_ENTRIES // 8 - 1)))
    assert excinfo.value.code == "STATUS_LIST_LENGTH_ERROR"
    # 16 KiB is enough for 1-bit entries but not for 2-bit entries
    with pytest.raises(StatusListError) as excinfo:
        decode(encode_raw(bytes(MIN_ENTRIES // 8)), 2)
    assert excinfo.value.code == "STATUS_LIST_LENGTH_ERROR"
    with pytest.raises(StatusListError) as excinfo:
        BitstringStatusList(length=1000)
    assert excinfo.value.code == "STATUS_LIST_LENGTH_ERROR"


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "zH4sIAAAAAAAAA",  # base58btc prefix
        "u!!!!",
        "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA=",  # padding
        "u" + base64.urlsafe_b64encode(b"not gzip at all").decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16384))[:-12]).decode().rstrip("="),
    ],
    ids=["empty", "base58", "bad-chars", "padding", "not-gzip", "truncated"],
)
def test_bad_encodings_are_decode_errors(encoded):
    with pytest.raises(StatusListError) as excinfo:
        decode(encoded)
    assert excinfo.value.code == "STATUS_LIST_DECODE_ERROR"


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, True, "3"])
def test_out_of_range_indices_raise(index):
    bits = BitstringStatusList()
    with pytest.raises(StatusListError) as excinfo:
        bits.get(index)
    assert excinfo.value.code == "STATUS_RANGE_ERROR"
    with pytest.raises(StatusListError):
        bits.set(index)


def test_values_must_fit_the_status_size():
    with pytest.raises(StatusListError) as excinfo:
        BitstringStatusList().set(1, 2)
    assert excinfo.value.code == "STATUS_RANGE_ERROR"
    with pytest.raises(StatusListError):
        BitstringStatusList(status_size=0)


# --- entries --------------------------------------------------------------------------------


def test_status_entry_shape():
    entry = status_entry(LIST_URL, 94567, "revocation")
    assert entry == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


def test_multi_bit_entries_need_all_status_messages():
    with pytest.raises(StatusListError) as excinfo:
        status_entry(LIST_URL, 1, "message", status_size=2)
    assert excinfo.value.code == "STATUS_MESSAGE_ERROR"
    with pytest.raises(StatusListError):
        status_entry(LIST_URL, 1, "message", status_size=2,
                     status_messages={0: "a", 1: "b", 2: "c"})
    entry = status_entry(LIST_URL, 1, "message", status_size=2,
                         status_messages=[(0, "a"), (1, "b"), (2, "c"), (3, "d")])
    assert entry["statusSize"] == 2
    assert [m["status"] for m in entry["statusMessage"]] == ["0x0", "0x1", "0x2", "0x3"]
    with pytest.raises(StatusListError) as excinfo:
        status_entry(LIST_URL, 1, "message", status_size=1,
                     status_messages=[{"status": "zero", "message": "a"}])
    assert excinfo.value.code == "STATUS_MESSAGE_ERROR"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((LIST_URL, 1, "deleted"), "STATUS_PURPOSE_ERROR"),
        (("status/1", 1, "revocation"), "STATUS_ENTRY_ERROR"),
        ((LIST_URL, -1, "revocation"), "STATUS_RANGE_ERROR"),
    ],
)
def test_bad_entries_raise(args, code):
    with pytest.raises(StatusListError) as excinfo:
        status_entry(*args)
    assert excinfo.value.code == code


# --- check_entry ----------------------------------------------------------------------------


def test_revoked_and_suspended_and_clear():
    bits = BitstringStatusList()
    bits.set(7)
    revocation = list_credential(bits, "revocation")
    suspension = list_credential(bits, "suspension")
    assert check_entry(status_entry(LIST_URL, 7, "revocation"), revocation).code == \
        "STATUS_REVOKED"
    assert check_entry(status_entry(LIST_URL, 6, "revocation"), revocation).code == "STATUS_OK"
    assert check_entry(status_entry(LIST_URL, 8, "revocation"), revocation).code == "STATUS_OK"
    assert check_entry(status_entry(LIST_URL, 7, "suspension"), suspension).code == \
        "STATUS_SUSPENDED"


def test_a_list_may_carry_several_purposes():
    bits = BitstringStatusList()
    bits.set(3)
    both = list_credential(bits, ["revocation", "suspension"])
    assert check_entry(status_entry(LIST_URL, 3, "suspension"), both).code == "STATUS_SUSPENDED"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"statusListIndex": str(MIN_ENTRIES)}, "STATUS_RANGE_ERROR"),
        ({"statusListIndex": "-1"}, "STATUS_RANGE_ERROR"),
        ({"statusListIndex": "0x10"}, "STATUS_RANGE_ERROR"),
        ({"statusListIndex": None}, "STATUS_ENTRY_MALFORMED"),
        ({"statusPurpose": None}, "STATUS_ENTRY_MALFORMED"),
        ({"statusPurpose": "suspension"}, "STATUS_PURPOSE_MISMATCH"),
        ({"statusSize": 2}, "STATUS_ENTRY_MALFORMED"),
        ({"statusSize": 99}, "STATUS_ENTRY_MALFORMED"),
    ],
)
def test_check_entry_reports_bad_entries_without_raising(change, code):
    entry = {**status_entry(LIST_URL, 1, "revocation"), **change}
    assert check_entry(entry, list_credential(BitstringStatusList())).code == code


@pytest.mark.parametrize(
    ("encoded", "code"),
    [
        (encode_raw(bytes(100)), "STATUS_LIST_LENGTH_ERROR"),
        ("not-multibase", "STATUS_LIST_DECODE_ERROR"),
        (None, "STATUS_LIST_DECODE_ERROR"),
    ],
)
def test_check_entry_reports_bad_lists_without_raising(encoded, code):
    result = check_entry(status_entry(LIST_URL, 1, "revocation"), list_credential(encoded))
    assert result.code == code
    assert not result.ok


def test_check_entry_survives_garbage():
    assert check_entry("entry", {}).code == "STATUS_ENTRY_MALFORMED"  # type: ignore[arg-type]
    assert check_entry(status_entry(LIST_URL, 1, "revocation"), {"credentialSubject": 5}).code \
        == "STATUS_PURPOSE_MISMATCH"


def test_a_built_status_list_credential_checks_end_to_end():
    from microdegree.vc.builders import status_list_credential

    bits = BitstringStatusList()
    bits.set(94567)
    both = BitstringStatusList()
    list_cred = status_list_credential(issuer="did:web:uni.example", list_url=LIST_URL,
                                       status_list=bits, valid_from="2026-01-01T00:00:00Z")
    assert check_entry(status_entry(LIST_URL, 94567, "revocation"), list_cred).code == \
        "STATUS_REVOKED"
    assert check_entry(status_entry(LIST_URL, 94566, "revocation"), list_cred).code == \
        "STATUS_OK"
    clear = status_list_credential(issuer="did:web:uni.example", list_url=LIST_URL,
                                   status_list=both.encode(), purpose="suspension",
                                   valid_from="2026-01-01T00:00:00Z")
    assert check_entry(status_entry(LIST_URL, 94567, "suspension"), clear).ok
