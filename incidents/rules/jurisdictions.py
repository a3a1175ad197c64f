"""Jurisdiction codes that incident facts may use, and the groups rule files refer to.

People are counted by where they live: an ISO 3166-1 alpha-2 country code (``DE``,
``CN``, ``SG``) or, for the United States, an ISO 3166-2 subdivision code
(``US-CA``, ``US-DC``, ``US-PR``). Which rule files cover a code is decided by the
rule files themselves (their ``[applies] residence`` lists); this module only knows
what a valid code is and which codes form the groups those lists may name.
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

# Territories with their own ISO 3166-1 code that are also US subdivisions: a count
# under either code is the same people, and US rules name both.
US_TERRITORY_ALIASES: dict[str, str] = {
    "PR": "US-PR", "GU": "US-GU", "VI": "US-VI", "AS": "US-AS", "MP": "US-MP", "UM": "US-UM",
}

GROUPS: dict[str, frozenset[str]] = {"EU": EU_MEMBER_STATES}


@cache
def _countries() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def us_subdivisions() -> frozenset[str]:
    """Return the ISO 3166-2 codes of the US states, DC and the territories."""
    return frozenset(sub.code for sub in pycountry.subdivisions.get(country_code="US"))


def is_known_jurisdiction(code: str) -> bool:
    """Return True for an ISO 3166-1 alpha-2 code or an ISO 3166-2 US subdivision code."""
    return isinstance(code, str) and (code in _countries() or code in us_subdivisions())


def expand(codes: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Return the residence codes a rule's list names: group names (``EU``) are expanded,
    ``US-*`` stands for every US subdivision, ``*`` for every code, and territories get
    their ISO 3166-1 alias too."""
    result: set[str] = set()
    for code in codes:
        if code in GROUPS:
            result |= GROUPS[code]
        elif code == "US-*":
            result |= us_subdivisions()
        elif code == "*":
            result |= _countries() | us_subdivisions()
        else:
            result.add(code)
    for alias, subdivision in US_TERRITORY_ALIASES.items():
        if subdivision in result:
            result.add(alias)
    return frozenset(result)


def is_valid_pattern(code: str) -> bool:
    """Return True if ``code`` may appear in a rule's residence list."""
    return code in GROUPS or code in ("US-*", "*") or is_known_jurisdiction(code)
