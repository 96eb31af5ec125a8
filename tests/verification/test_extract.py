"""Reading uploads: JSON, VC-JWT (EdDSA good/bad, unsupported algorithms), baked PNG and SVG."""

from __future__ import annotations

import json

import pytest

from microdegree.vc import did
from microdegree.verification.bake import bake_png, bake_svg
from microdegree.verification.extract import (
    MAX_UPLOAD,
    ExtractError,
    extract,
    png_credential,
    svg_credential,
)
from tests.verification.helpers import (
    SVG,
    itxt,
    key_credential,
    key_from,
    rs256_token,
    tiny_png,
    unsigned,
    vc_jwt,
)

RESOLVER = did.KeyResolver()


def _code(data, **kwargs):
    with pytest.raises(ExtractError) as info:
        extract(data, resolver=RESOLVER, **kwargs)
    return info.value.code


def test_json_credential_and_whitespace():
    cred = key_credential()
    got = extract("\ufeff  " + json.dumps(cred) + "\n", resolver=RESOLVER)
    assert got.document == cred
    assert got.format == "json"
    assert got.checks == []


@pytest.mark.parametrize(("data", "code"), [
    ("", "EMPTY"),
    ("   ", "EMPTY"),
    ("{not json", "JSON_MALFORMED"),
    ("[1, 2]", "DOCUMENT_NOT_OBJECT"),
    ("hello there", "UNRECOGNISED_FORMAT"),
    (b"\xff\xfe\x00garbage", "UNRECOGNISED_FORMAT"),
    ("{" * 100_000, "JSON_MALFORMED"),
    ("a" * (MAX_UPLOAD + 1), "TOO_LARGE"),
    ("eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln", "JWS_MALFORMED"),
])
def test_unreadable_input(data, code):
    assert _code(data) == code


def test_jws_eddsa_bare_credential_verifies():
    key = key_from(3)
    cred = unsigned(key_credential(key))
    got = extract(vc_jwt(cred, key), resolver=RESOLVER)
    assert got.format == "jwt"
    assert got.jws
    assert got.document == cred  # JWT claims are not part of the credential
    assert [(c.outcome.value, c.code) for c in got.checks] == [("pass", "JWS_SIGNATURE_VALID")]


def test_jws_vcdm_11_claims_are_folded_in():
    key = key_from(3)
    issuer = did.did_key(key)
    cred = {"@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"], "credentialSubject": {"degree": "x"}}
    payload_cred = {**cred}
    token = vc_jwt({**payload_cred, "issuer": issuer, "id": "urn:uuid:1"}, key, v11=True)
    got = extract(token, resolver=RESOLVER)
    assert got.document["issuer"] == issuer
    assert got.document["issuanceDate"] == "2026-01-15T00:00:00Z"
    assert got.checks[0].code == "JWS_SIGNATURE_VALID"


def test_jws_tampered_payload_fails():
    key = key_from(3)
    token = vc_jwt(unsigned(key_credential(key)), key)
    header, payload, sig = token.split(".")
    other = vc_jwt(unsigned(key_credential(key, name="Forged")), key).split(".")[1]
    got = extract(f"{header}.{other}.{sig}", resolver=RESOLVER)
    assert got.checks[0].code == "JWS_SIGNATURE_INVALID"
    assert got.document["name"] == "Forged"
    del payload


def test_jws_signed_by_someone_else_is_not_the_issuers():
    issuer_key, other = key_from(3), key_from(4)
    cred = unsigned(key_credential(issuer_key))
    token = vc_jwt(cred, other, kid=f"{did.did_key(other)}#{other.public_multibase}")
    got = extract(token, resolver=RESOLVER)
    assert got.checks[0].code == "KEY_NOT_ISSUERS"


def test_jws_unresolvable_kid_and_missing_kid():
    key = key_from(3)
    cred = unsigned(key_credential(key))
    got = extract(vc_jwt(cred, key, kid="did:web:nowhere.example#k"), resolver=RESOLVER)
    assert got.checks[0].outcome.value == "fail"
    assert "could not be resolved" in got.checks[0].message


def test_jws_unsupported_algorithm_is_a_failed_check():
    cred = unsigned(key_credential())
    got = extract(rs256_token(cred), resolver=RESOLVER)
    assert got.checks[0].code == "JWS_ALG_UNSUPPORTED"
    assert "RS256" in got.checks[0].message
    assert got.document["name"] == cred["name"]


def test_bake_png_roundtrip_replaces_and_keeps_image():
    cred = key_credential()
    png = tiny_png()
    baked = bake_png(png, cred)
    assert json.loads(png_credential(baked)) == cred
    again = bake_png(baked, json.dumps({"x": 1}))
    assert json.loads(png_credential(again)) == {"x": 1}
    assert again.count(b"openbadgecredential") == 1
    got = extract(baked, resolver=RESOLVER)
    assert got.format == "png"
    assert got.document == cred


def test_png_compressed_itxt_and_jws():
    key = key_from(3)
    cred = key_credential(key)
    png = tiny_png([itxt("openbadgecredential", json.dumps(cred), compressed=True)])
    assert extract(png, resolver=RESOLVER).document == cred
    token = vc_jwt(unsigned(cred), key)
    got = extract(bake_png(tiny_png(), token), resolver=RESOLVER)
    assert got.format == "png"
    assert got.checks[0].code == "JWS_SIGNATURE_VALID"


def test_png_errors():
    assert _code(tiny_png()) == "NOT_BAKED"
    assert _code(tiny_png([itxt("openbadges", "https://x.example/assertion")])) == (
        "OB2_NOT_SUPPORTED")
    ob2_text = (b"tEXt", b"openbadges\0https://x.example/a")
    assert _code(tiny_png([ob2_text])) == "OB2_NOT_SUPPORTED"
    baked = bake_png(tiny_png(), key_credential())
    assert _code(baked[:40]) == "PNG_INVALID"
    corrupt = bytearray(baked)
    corrupt[60] ^= 0xFF
    assert _code(bytes(corrupt)) == "PNG_INVALID"
    bomb = tiny_png([itxt("openbadgecredential", " " * 3_000_000, compressed=True)])
    assert _code(bomb) == "TOO_LARGE"


def test_bake_svg_json_and_jws():
    key = key_from(3)
    cred = key_credential(key, description="Has ]]> inside")
    baked = bake_svg(SVG, cred)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert json.loads(svg_credential(baked)) == cred
    got = extract(baked.encode(), resolver=RESOLVER)
    assert got.format == "svg"
    assert got.document == cred
    token = vc_jwt(unsigned(cred), key)
    baked_jws = bake_svg(SVG, token)
    assert f'verify="{token}"' in baked_jws
    got = extract(baked_jws, resolver=RESOLVER)
    assert got.checks[0].code == "JWS_SIGNATURE_VALID"


def test_svg_errors():
    assert _code(SVG) == "NOT_BAKED"
    entity = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
              '<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>')
    assert _code(entity) == "SVG_DTD_REFUSED"
    assert _code("<svg><unclosed></svg>") == "SVG_INVALID"
    assert _code("<html></html>") == "SVG_INVALID"
    ob2 = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
           '<openbadges:assertion verify="https://x.example/a"/></svg>')
    assert _code(ob2) == "OB2_NOT_SUPPORTED"
