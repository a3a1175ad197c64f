"""Jurisdiction codes that incident facts may use, and the groups rule files refer to.

People are counted by where they live: an ISO 3166-1 alpha-2 country code (``DE``,
``CN``, ``SG``) or, for the United States and Canada, an ISO 3166-2 subdivision code
(``US-CA``, ``US-DC``, ``US-PR``, ``CA-QC``, ``CA-AB``): both countries have state or
provincial breach laws beside the federal one. Which rule files cover a code is decided
by the rule files themselves (their ``[applies] residence`` lists); this module only
knows what a valid code is and which codes form the groups those lists may name.
"""

from __future__ import annotations

from functools import cache

import pycountry

EU_MEMBER_STATES: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)
# The EEA EFTA states, where the GDPR applies through the EEA Agreement (Annex XI, as
# amended by EEA Joint Committee Decision No 154/2018, in force 20 July 2018).
EEA_EFTA_STATES: frozenset[str] = frozenset({"IS", "LI", "NO"})
EEA_MEMBER_STATES: frozenset[str] = EU_MEMBER_STATES | EEA_EFTA_STATES

# Territories with their own ISO 3166-1 code that are also US subdivisions: a count
# under either code is the same people, and US rules name both.
US_TERRITORY_ALIASES: dict[str, str] = {
    "PR": "US-PR", "GU": "US-GU", "VI": "US-VI", "AS": "US-AS", "MP": "US-MP", "UM": "US-UM",
}

GROUPS: dict[str, frozenset[str]] = {"EU": EU_MEMBER_STATES, "EEA": EEA_MEMBER_STATES}

# Countries whose ISO 3166-2 subdivisions are residence codes; ``US-*`` / ``CA-*`` name them all.
SUBDIVIDED_COUNTRIES = ("US", "CA")


@cache
def _countries() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def subdivisions(country: str) -> frozenset[str]:
    """Return the ISO 3166-2 codes of a subdivided country (US: the states, DC and the
    territories; CA: the provinces and territories)."""
    return frozenset(sub.code for sub in pycountry.subdivisions.get(country_code=country))


def us_subdivisions() -> frozenset[str]:
    """Return the ISO 3166-2 codes of the US states, DC and the territories."""
    return subdivisions("US")


@cache
def _subdivision_codes() -> frozenset[str]:
    return frozenset().union(*(subdivisions(country) for country in SUBDIVIDED_COUNTRIES))


@cache
def known_codes() -> frozenset[str]:
    """Return every residence code: the ISO 3166-1 countries and the US and Canadian subdivisions."""
    return _countries() | _subdivision_codes()


def is_known_jurisdiction(code: str) -> bool:
    """Return True for an ISO 3166-1 alpha-2 code or an ISO 3166-2 US or Canadian subdivision code."""
    return isinstance(code, str) and code in known_codes()


def _all_of(code: str) -> str | None:
    """Return the country a ``XX-*`` pattern names, or None."""
    country, _, star = code.partition("-")
    return country if star == "*" and country in SUBDIVIDED_COUNTRIES else None


def expand(codes: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Return the residence codes a rule's list names: group names (``EU``, ``EEA``) are
    expanded, ``US-*`` / ``CA-*`` stand for every subdivision of the country, ``*`` for
    every code, and US territories get their ISO 3166-1 alias too."""
    result: set[str] = set()
    for code in codes:
        if code in GROUPS:
            result |= GROUPS[code]
        elif country := _all_of(code):
            result |= subdivisions(country)
        elif code == "*":
            result |= known_codes()
        else:
            result.add(code)
    for alias, subdivision in US_TERRITORY_ALIASES.items():
        if subdivision in result:
            result.add(alias)
    return frozenset(result)


def is_valid_pattern(code: str) -> bool:
    """Return True if ``code`` may appear in a rule's residence list."""
    return code in GROUPS or code == "*" or _all_of(code) is not None or is_known_jurisdiction(code)
