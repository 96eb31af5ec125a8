"""Generated OB 3.0 / CLR 2.0 / VC documents: the fast path equals the general path and pyld, or
declines (issue 3).

Two generators: a *clean* one (well-formed credentials the platform issues or accepts: the fast
path must answer every one, so these tests cannot pass by declining) and a *hostile* one (every
string slot may hold quotes, backslashes, control and astral characters, bad IRIs, numbers of every
form, language maps, unknown terms, inline contexts and stray keywords) where declining is fine but
a wrong answer is not. Long runs (3,000 examples each, ~10 min):
`uv run pytest -m slow tests/vc/test_fast_property.py`.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microdegree.vc import _fast
from microdegree.vc.contexts import (
    CLR_CONTEXT,
    OB_CONTEXT,
    OB_EXTENSIONS_CONTEXT,
    VC_V2_CONTEXT,
)
from tests.vc.test_fast_canon import check_fast, reference

OB = [VC_V2_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT]
CLR = [VC_V2_CONTEXT, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT]
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
#: In hostile documents, one field (IRI, text, language tag) in RARE_ODDS has a wrong shape or
#: an unusable value: most documents still reach the fast path, the rest check the declines.
RARE_ODDS = 60
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
ENCODED_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

FAST = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

CLEAN_IRIS = [
    "https://uni.example/a",
    "https://uni.example/achievements/data-literacy/v1#frag",
    "urn:uuid:5c1b4f0a-5d1e-4b8e-9a43-0f1d2f6b9a01",
    "did:web:uni.example",
    "did:web:uni.example:issuers:demo",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtK",
    "mailto:registrar@uni.example",
    "http://example.org/ünïcödé/😀",
    "https://uni.example/search?q=a%20b&x=1",
    "urn:isbn:9780000000000",
    "http://data.europa.eu/snb/eqf/6",
]
BAD_IRIS = [
    "relative/path",
    "#fragment",
    "_:b1",
    "_:c14n0",
    "https://uni.example/a b",
    "https://uni.example/<x>",
    'https://uni.example/"q"',
    "https://uni.example/{x}",
    "https://uni.example/back\\slash",
    "https://[bad",
    "a:b%zz",
    "1abc:foo",
    "xsd:string",
    "ext:Custom",
    "http://x/\ue000",
    "",
]
CLEAN_LANGUAGES = ["en", "en-US", "de-CH-1996", "zh-Hant-TW", "nl", "x-private", "EN-gb"]
BAD_LANGUAGES = ["en_US", "", "e", "toolongtag1", "en-", "123"]
SPECIAL_NUMBERS: list[Any] = [
    0,
    -0.0,
    1,
    -7,
    5.0,
    100.0,
    0.1,
    1e-7,
    -2.5e-7,
    1e21,
    -1e21,
    1e22,
    10**21,
    10**21 - 1,
    2**53 + 1,
    2**63,
    2**70,
    -(2**70),
    123456789012345678901234567890,
    5e-324,
    1.7976931348623157e308,
    3.141592653589793,
]
CONTROL_TEXT = ["nul\x00", "bell\x07", "vt\x0b", "ff\x0c", "del\x7f", "\x1b[0m"]
SPECIAL_TEXT = [
    "",
    '"',
    "\\",
    'a "quoted" \\ back\\slash',
    "line\nbreak",
    "cr\r\nlf",
    "tab\there",
    "\u2028\u2029",
    "\U0001f600 astral \U00010348",
    "\ufeffbom",
    "_:b1",
    "<https://uni.example/>",
    " .\n",
    "@id",
    "ext:Custom",
]


def rarely(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual`, or `rare` once in RARE_ODDS draws."""
    # the rare pick sits mid-range: hypothesis favours the ends of an integer range
    return st.integers(0, RARE_ODDS - 1).flatmap(lambda i: rare if i == RARE_ODDS // 2 else usual)


class Gen:
    """Strategies for one flavour (clean or hostile) of documents."""

    def __init__(self, *, clean: bool) -> None:
        self.clean = clean
        if clean:
            self.text = st.text(
                st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=24
            )
            self.iri = st.sampled_from(CLEAN_IRIS)
            self.language = st.sampled_from(CLEAN_LANGUAGES)
            self.number = st.one_of(
                st.integers(-(10**6), 10**6),
                st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3)),
            )
        else:
            common_text = st.one_of(
                st.text(
                    st.one_of(
                        st.characters(exclude_categories=("Cc", "Cs")),
                        st.sampled_from('\t\n\r"\\'),
                    ),
                    max_size=24,
                ),
                st.sampled_from(SPECIAL_TEXT),
            )
            self.text = rarely(common_text, st.one_of(st.text(), st.sampled_from(CONTROL_TEXT)))
            self.iri = rarely(st.sampled_from(CLEAN_IRIS), st.sampled_from(BAD_IRIS))
            self.language = rarely(st.sampled_from(CLEAN_LANGUAGES), st.sampled_from(BAD_LANGUAGES))
            self.number = st.one_of(
                st.integers(),
                st.floats(allow_nan=False, allow_infinity=False),
                st.sampled_from(SPECIAL_NUMBERS),
            )
        self.lang_string = st.builds(
            lambda value, language: {"@value": value, "@language": language},
            self.text,
            self.language,
        )
        self.string = st.one_of(self.text, self.text, self.text, self.lang_string)
        self.date = st.sampled_from(
            ["2026-01-15T00:00:00Z", "2025-09-01T12:30:00+02:00", "2024-02-29T23:59:59.123Z"]
        )
        self.day = st.sampled_from(["1990-01-01", "2025-12-19"])
        junk = st.one_of(
            self.text,
            self.number,
            st.booleans(),
            st.none(),
            self.lang_string,
            self.iri,
            st.lists(st.one_of(self.text, self.number, self.iri), max_size=3),
            st.builds(lambda v, t: {"@value": v, "@type": t}, self.text, self.iri),
            st.just({}),
        )
        self.junk = junk

    # --- helpers ---------------------------------------------------------------------------------

    def slot(self, expected: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        """A value for a field: the expected shape, or (hostile) anything."""
        if self.clean:
            return expected
        return rarely(expected, self.junk)

    def node(
        self,
        required: dict[str, st.SearchStrategy[Any]],
        optional: dict[str, st.SearchStrategy[Any]],
    ) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries(
            {k: self.slot(v) if k not in ("type", "@context") else v for k, v in required.items()},
            optional={k: self.slot(v) for k, v in optional.items()},
        )

    def types(self, *names: str) -> st.SearchStrategy[Any]:
        first = st.just(list(names))
        if len(names) == 1:
            first = st.one_of(first, st.just(names[0]))
        return first

    def some(self, strategy: st.SearchStrategy[Any], most: int = 3) -> st.SearchStrategy[Any]:
        return st.lists(strategy, min_size=1, max_size=most)

    # --- OB 3.0 classes --------------------------------------------------------------------------

    def image(self) -> st.SearchStrategy[Any]:
        return st.one_of(
            self.iri,
            self.node({"id": self.iri, "type": self.types("Image")}, {"caption": self.string}),
        )

    def address(self) -> st.SearchStrategy[Any]:
        fields = [
            "addressCountry",
            "addressCountryCode",
            "addressRegion",
            "addressLocality",
            "streetAddress",
            "postOfficeBoxNumber",
            "postalCode",
        ]
        return self.node({"type": self.types("Address")}, dict.fromkeys(fields, self.text))

    def identifier_entry(self) -> st.SearchStrategy[Any]:
        return self.node(
            {
                "type": self.types("IdentifierEntry"),
                "identifier": self.text,
                "identifierType": st.sampled_from(["sisSourcedId", "identifier", "ext:studentNo"]),
            },
            {},
        )

    def profile(self, depth: int = 0) -> st.SearchStrategy[Any]:
        optional: dict[str, st.SearchStrategy[Any]] = {
            "name": self.string,
            "url": self.iri,
            "phone": self.text,
            "email": self.text,
            "description": self.string,
            "image": self.image(),
            "address": self.address(),
            "otherIdentifier": self.some(self.identifier_entry()),
            "official": self.text,
            "givenName": self.string,
            "familyName": self.string,
            "dateOfBirth": self.day,
        }
        if depth == 0:
            optional["parentOrg"] = st.one_of(self.iri, self.profile(depth + 1))
        return self.node({"id": self.iri, "type": self.types("Profile")}, optional)

    def alignment(self) -> st.SearchStrategy[Any]:
        return self.node(
            {"type": self.types("Alignment"), "targetName": self.string, "targetUrl": self.iri},
            {
                "targetCode": self.text,
                "targetDescription": self.string,
                "targetFramework": self.string,
                "targetType": st.sampled_from(["ceasn:Competency", "CFItem", "CTDL", "ext:Foo"]),
            },
        )

    def result_description(self) -> st.SearchStrategy[Any]:
        level = self.node(
            {"id": self.iri, "type": self.types("RubricCriterionLevel"), "name": self.string},
            {"description": self.string, "level": self.text, "points": self.text},
        )
        return self.node(
            {
                "id": self.iri,
                "type": self.types("ResultDescription"),
                "name": self.string,
                "resultType": st.sampled_from(["LetterGrade", "Percent", "ext:Stars"]),
            },
            {
                "allowedValue": st.lists(self.text, max_size=4),
                "requiredValue": self.text,
                "requiredLevel": self.iri,
                "valueMin": self.text,
                "valueMax": self.text,
                "rubricCriterionLevel": self.some(level),
                "alignment": self.some(self.alignment()),
            },
        )

    def achievement(self) -> st.SearchStrategy[Any]:
        criteria = st.one_of(
            self.node({}, {"narrative": self.text}),
            self.node({"id": self.iri}, {"narrative": self.text}),
            self.iri,
        )
        related = self.node(
            {"id": self.iri, "type": self.types("Related")},
            {"inLanguage": self.text, "version": self.text},
        )
        return self.node(
            {
                "id": self.iri,
                "type": self.types("Achievement"),
                "name": self.string,
                "description": self.string,
                "criteria": criteria,
            },
            {
                "achievementType": st.sampled_from(["MicroCredential", "Course", "ext:Stack"]),
                "alignment": self.some(self.alignment()),
                "creator": self.profile(1),
                "creditsAvailable": self.number,
                "fieldOfStudy": self.string,
                "humanCode": self.text,
                "specialization": self.string,
                "tag": st.lists(self.text, max_size=4),
                "image": self.image(),
                "inLanguage": self.text,
                "otherIdentifier": self.some(self.identifier_entry()),
                "related": self.some(related),
                "resultDescription": self.some(self.result_description(), 2),
                "version": self.text,
            },
        )

    def result(self) -> st.SearchStrategy[Any]:
        return self.node(
            {"type": self.types("Result")},
            {
                "resultDescription": self.iri,
                "value": self.text,
                "achievedLevel": self.iri,
                "status": st.sampled_from(["Completed", "Enrolled", "Failed"]),
                "alignment": self.some(self.alignment()),
            },
        )

    def identity(self) -> st.SearchStrategy[Any]:
        return self.node(
            {
                "type": self.types("IdentityObject"),
                "hashed": st.booleans(),
                "identityHash": self.text,
                "identityType": st.sampled_from(["emailAddress", "name", "ext:badgeNo"]),
            },
            {"salt": self.text},
        )

    def subject(self) -> st.SearchStrategy[Any]:
        optional: dict[str, st.SearchStrategy[Any]] = {
            "activityStartDate": self.date,
            "activityEndDate": self.date,
            "creditsEarned": self.number,
            "result": self.some(self.result()),
            "licenseNumber": self.text,
            "narrative": self.text,
            "role": self.text,
            "term": self.text,
            "source": self.profile(1),
            "image": self.image(),
        }
        required = {"type": self.types("AchievementSubject"), "achievement": self.achievement()}
        with_id = self.node({**required, "id": self.iri}, optional)
        with_identifier = self.node(
            {**required, "identifier": self.some(self.identity())}, optional
        )
        return st.one_of(with_id, with_identifier)

    def proof(self, purpose: str = "assertionMethod") -> st.SearchStrategy[Any]:
        return self.node(
            {
                "type": st.just("DataIntegrityProof"),
                "cryptosuite": st.just("eddsa-rdfc-2022"),
                "created": self.date,
                "verificationMethod": self.iri,
                "proofPurpose": st.just(purpose),
            },
            {
                "proofValue": st.text(
                    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
                ).map(lambda s: "z" + s),
                "id": self.iri,
                "challenge": self.text,
                "domain": self.text,
                "nonce": self.text,
                "expires": self.date,
            },
        )

    def status(self) -> st.SearchStrategy[Any]:
        return self.node(
            {
                "id": self.iri,
                "type": st.just("BitstringStatusListEntry"),
                "statusPurpose": st.sampled_from(["revocation", "suspension", "message"]),
                "statusListIndex": st.integers(0, 2**20).map(str),
                "statusListCredential": self.iri,
            },
            {
                "statusSize": st.integers(1, 8),
                "statusMessage": self.some(
                    self.node({"status": st.just("0x0"), "message": self.text}, {})
                ),
                "statusReference": self.iri,
            },
        )

    def credential(self, *, nested: bool = False) -> st.SearchStrategy[Any]:
        optional: dict[str, st.SearchStrategy[Any]] = {
            "name": self.string,
            "description": self.string,
            "image": self.image(),
            "awardedDate": self.date,
            "validUntil": self.date,
            "evidence": self.some(
                self.node(
                    {"type": self.types("Evidence")},
                    {
                        "id": self.iri,
                        "narrative": self.text,
                        "name": self.string,
                        "description": self.string,
                        "genre": self.text,
                        "audience": self.text,
                    },
                )
            ),
            "credentialSchema": st.just(
                [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}]
            ),
            "credentialStatus": self.status(),
            "refreshService": self.node(
                {"id": self.iri, "type": st.just("1EdTechCredentialRefresh")}, {}
            ),
        }
        if nested:
            optional["proof"] = st.one_of(self.proof(), self.some(self.proof(), 2))
        else:
            optional["endorsement"] = self.some(self.endorsement(), 2)
        return self.node(
            {
                "@context": st.just(OB),
                "id": self.iri,
                "type": self.types("VerifiableCredential", "OpenBadgeCredential"),
                "issuer": st.one_of(self.iri, self.profile()),
                "validFrom": self.date,
                "credentialSubject": self.subject(),
            },
            optional,
        )

    def endorsement(self) -> st.SearchStrategy[Any]:
        return self.node(
            {
                "@context": st.just(OB),
                "id": self.iri,
                "type": self.types("VerifiableCredential", "EndorsementCredential"),
                "name": self.string,
                "issuer": st.one_of(self.iri, self.profile(1)),
                "validFrom": self.date,
                "credentialSubject": self.node(
                    {"id": self.iri, "type": self.types("EndorsementSubject")},
                    {"endorsementComment": self.text},
                ),
            },
            {"proof": self.some(self.proof(), 1)},
        )

    def clr(self) -> st.SearchStrategy[Any]:
        association = self.node(
            {
                "type": st.just("Association"),
                "associationType": st.sampled_from(["isPartOf", "precedes", "isChildOf"]),
                "sourceId": self.iri,
                "targetId": self.iri,
            },
            {},
        )
        subject = self.node(
            {
                "type": self.types("ClrSubject"),
                "id": self.iri,
                "verifiableCredential": self.some(self.credential(nested=True), 2),
            },
            {
                "achievement": self.some(self.achievement(), 2),
                "association": self.some(association),
            },
        )
        return self.node(
            {
                "@context": st.just(CLR),
                "id": self.iri,
                "type": self.types("VerifiableCredential", "ClrCredential"),
                "name": self.string,
                "issuer": st.one_of(self.iri, self.profile()),
                "validFrom": self.date,
                "credentialSubject": subject,
            },
            {"partial": st.booleans(), "description": self.string, "awardedDate": self.date},
        )

    def presentation(self) -> st.SearchStrategy[Any]:
        return self.node(
            {
                "@context": st.just([VC_V2_CONTEXT]),
                "type": self.types("VerifiablePresentation"),
            },
            {
                "id": self.iri,
                "holder": self.iri,
                "verifiableCredential": self.some(self.credential(nested=True), 2),
                "proof": self.proof("authentication"),
            },
        )

    def status_list(self) -> st.SearchStrategy[Any]:
        return self.node(
            {
                "@context": st.just([VC_V2_CONTEXT]),
                "id": self.iri,
                "type": self.types("VerifiableCredential", "BitstringStatusListCredential"),
                "issuer": self.iri,
                "validFrom": self.date,
                "credentialSubject": self.node(
                    {
                        "id": self.iri,
                        "type": st.just("BitstringStatusList"),
                        "statusPurpose": st.sampled_from(["revocation", "suspension"]),
                        "encodedList": st.just(
                            "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
                        ),
                    },
                    {"ttl": st.integers(0, 10**9)},
                ),
            },
            {"validUntil": self.date, "proof": self.proof()},
        )

    def proof_config(self) -> st.SearchStrategy[Any]:
        return self.proof().map(
            lambda p: {"@context": OB, **{k: v for k, v in p.items() if k != "proofValue"}}
        )

    def document(self) -> st.SearchStrategy[Any]:
        return st.one_of(
            self.credential(),
            self.credential(),
            self.clr(),
            self.presentation(),
            self.status_list(),
            self.proof_config(),
        )


CLEAN = Gen(clean=True)
HOSTILE = Gen(clean=False)

HAZARD_KEYS = [
    "favouriteColour",
    "ext:custom",
    "https://example.org/prop",
    "@reverse",
    "@nest",
    "@included",
    "@index",
    "@graph",
    "@list",
    "@set",
    "@direction",
    "@context",
    "@id",
    "@type",
    "@value",
    "@language",
    "@json",
    "@foo",
    "id",
    "type",
    "proof",
    "verifiableCredential",
    "allowedValue",
]
HAZARD_VALUES: list[Any] = [
    "x",
    None,
    [],
    {},
    [[1, 2]],
    {"@value": "x"},
    {"@list": ["a"]},
    {"name": "n"},
    {"@vocab": "https://example.org/"},
    ["https://www.w3.org/ns/credentials/v2"],
    "https://example.org/unbundled-context",
    {"id": "https://uni.example/only-id"},
    5,
    True,
    {"@value": "x", "@direction": "rtl"},
    {"@value": 1, "@language": "en"},
]


def _objects(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


@st.composite
def hostile_documents(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(draw(HOSTILE.document()))
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        target = draw(st.sampled_from(_objects(document)))
        target[draw(st.sampled_from(HAZARD_KEYS))] = copy.deepcopy(
            draw(st.sampled_from(HAZARD_VALUES))
        )
    return document


def _check_clean(document: dict[str, Any]) -> None:
    _fast.reset_stats()
    fast = check_fast(document)
    assert fast is not None, _fast.stats()


def _check_hostile(document: dict[str, Any]) -> None:
    fast = check_fast(document)
    if fast is None:
        return
    assert reference(document) == fast


@FAST
@given(CLEAN.document())
def test_clean_documents_take_the_fast_path_and_match(document: dict[str, Any]) -> None:
    _check_clean(document)


@FAST
@given(hostile_documents())
def test_hostile_documents_match_or_are_declined(document: dict[str, Any]) -> None:
    _check_hostile(document)


def _require_slow(request: pytest.FixtureRequest) -> None:
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("long property run: select it with -m slow")


@pytest.mark.slow
def test_clean_documents_many(request: pytest.FixtureRequest) -> None:
    _require_slow(request)
    SLOW(given(CLEAN.document())(_check_clean))()


@pytest.mark.slow
def test_hostile_documents_many(request: pytest.FixtureRequest) -> None:
    _require_slow(request)
    SLOW(given(hostile_documents())(_check_hostile))()
