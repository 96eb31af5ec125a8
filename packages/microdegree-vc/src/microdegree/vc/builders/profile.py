"""Profile (issuer, creator, source, recipient details) and Address."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from microdegree.vc.builders import _common as c
from microdegree.vc.builders.achievement import IdentifierEntry, Image
from microdegree.vc.errors import BuildError

_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, kw_only=True)
class Address:
    address_country: str | None = None
    address_country_code: str | None = None
    address_region: str | None = None
    address_locality: str | None = None
    street_address: str | None = None
    post_office_box_number: str | None = None
    postal_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.address_country_code is not None and not _COUNTRY_CODE.match(
            self.address_country_code
        ):
            raise BuildError(
                "addressCountryCode must be an ISO 3166-1 alpha-2 code such as 'NL' "
                f"(got {self.address_country_code!r}).",
                code="BUILD_INVALID_VALUE",
            )
        return c.drop_none({
            "type": ["Address"],
            "addressCountry": self.address_country,
            "addressCountryCode": self.address_country_code,
            "addressRegion": self.address_region,
            "addressLocality": self.address_locality,
            "streetAddress": self.street_address,
            "postOfficeBoxNumber": self.post_office_box_number,
            "postalCode": self.postal_code,
        })


@dataclass(frozen=True, kw_only=True)
class Profile:
    """An OB Profile: an institution (issuer, creator, QA body) or a person."""

    id: str
    name: str | None = None
    url: str | None = None
    phone: str | None = None
    email: str | None = None
    description: str | None = None
    image: Image | str | None = None
    address: Address | None = None
    other_identifier: Sequence[IdentifierEntry] = ()
    official: str | None = None
    parent_org: Profile | None = None
    given_name: str | None = None
    family_name: str | None = None
    family_name_prefix: str | None = None
    additional_name: str | None = None
    patronymic_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None
    date_of_birth: str | None = None
    endorsement: Sequence[Mapping[str, Any]] = ()

    def to_dict(self) -> dict[str, Any]:
        c.check_iri(self.id, "Profile id")
        if self.url is not None:
            c.check_iri(self.url, "Profile url")
        if self.email is not None and (
            not isinstance(self.email, str) or "@" not in self.email or " " in self.email
        ):
            raise BuildError(f"Profile email is not an e-mail address ({self.email!r}).",
                             code="BUILD_INVALID_VALUE")
        if self.date_of_birth is not None and not _DATE.match(self.date_of_birth):
            raise BuildError("dateOfBirth must be a date YYYY-MM-DD "
                             f"(got {self.date_of_birth!r}).", code="BUILD_INVALID_DATE")
        return c.drop_none({
            "id": self.id,
            "type": ["Profile"],
            "name": self.name,
            "url": self.url,
            "phone": self.phone,
            "email": self.email,
            "description": self.description,
            "image": c.image(self.image),
            "address": self.address.to_dict() if self.address is not None else None,
            "otherIdentifier": [o.to_dict() for o in self.other_identifier],
            "official": self.official,
            "parentOrg": self.parent_org.to_dict() if self.parent_org is not None else None,
            "givenName": self.given_name,
            "familyName": self.family_name,
            "familyNamePrefix": self.family_name_prefix,
            "additionalName": self.additional_name,
            "patronymicName": self.patronymic_name,
            "honorificPrefix": self.honorific_prefix,
            "honorificSuffix": self.honorific_suffix,
            "dateOfBirth": self.date_of_birth,
            "endorsement": [dict(e) for e in self.endorsement],
        })


def profile_ref(value: Profile | Mapping[str, Any] | str, field: str) -> dict[str, Any] | str:
    """An issuer/creator/source value: a Profile (as a dict) or a bare id URL."""
    if isinstance(value, str):
        return c.check_iri(value, field)
    result = c.as_dict(value, field)
    c.check_iri(result.get("id"), f"{field} id")
    return result
