"""ENISA severity of a personal-data breach, pure arithmetic.

Method: ENISA, "Recommendations for a methodology of the assessment of severity of
personal data breaches", working document v1.0, December 2013. Severity is
``SE = DPC x EI + CB``: the data-processing-context base score (1 simple,
2 behavioural, 3 financial, 4 sensitive; the highest of the categories involved,
kept within 1..4) times the ease of identification, plus the circumstances of the
breach. Bands: low < 2 <= medium < 3 <= high < 4 <= very high.

Reading a band as a legal test is a product heuristic, not ENISA's or the EDPB's:
see ``LEGAL_READING``. Two answers go beyond the 2013 tables, calibrated on the EDPB's
Guidelines 01/2021 (the cases and the table that checks them are in
``tests/rules/edpb_01_2021.toml``):

- confidentiality ``untrusted``: data went to a known recipient whose intentions are
  unknown or hostile (case 08, a former employee copying client contacts). ENISA's +0.25
  for known recipients assumes they can be relied on; the EDPB says a controller with no
  reassurance on the recipient's intentions cannot treat the risk as low, so it scores
  like an unknown number of recipients (+0.5).
- volume ``large``: so many people, or so much about each, that the data allow profiling
  or harm many at once (case 11, 100,000 customers' names, addresses and dates of birth on
  an unprotected stolen laptop). It raises the data-processing-context score by one, as
  ENISA does for simple data whose volume enables profiling. Absent, it is ``normal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from incidents.rules import categories

EASE_OF_IDENTIFICATION: dict[str, Decimal] = {
    "negligible": Decimal("0.25"),
    "limited": Decimal("0.5"),
    "significant": Decimal("0.75"),
    "maximum": Decimal("1"),
}
CONFIDENTIALITY: dict[str, Decimal] = {
    "none": Decimal("0"), "limited": Decimal("0.25"), "untrusted": Decimal("0.5"), "public": Decimal("0.5"),
}
INTEGRITY: dict[str, Decimal] = {"none": Decimal("0"), "recoverable": Decimal("0.25"), "unrecoverable": Decimal("0.5")}
AVAILABILITY: dict[str, Decimal] = {"none": Decimal("0"), "temporary": Decimal("0.25"), "permanent": Decimal("0.5")}
VOLUME: dict[str, int] = {"normal": 0, "large": 1}
MALICIOUS = Decimal("0.5")

LEVELS: tuple[str, ...] = ("low", "medium", "high", "very_high")
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}

ASSESSMENT_FIELDS: dict[str, dict[str, Decimal]] = {
    "ease_of_identification": EASE_OF_IDENTIFICATION,
    "confidentiality": CONFIDENTIALITY,
    "integrity": INTEGRITY,
    "availability": AVAILABILITY,
}

LEGAL_READING: dict[str, str] = {
    "low": "unlikely to result in a risk to individuals",
    "medium": "likely to result in a risk to individuals",
    "high": "likely to result in a high risk / significant harm / serious harm",
    "very_high": "likely to result in a high risk / significant harm / serious harm",
}
HEURISTIC_NOTE = (
    "Product heuristic: ENISA bands are read as legal tests (low = unlikely to result in a risk; "
    "medium = risk; high and very high = high risk, significant harm, serious harm). Neither ENISA "
    "nor the EDPB defines this mapping."
)


class AssessmentError(ValueError):
    """An assessment value outside the method's vocabulary; ``field`` names the key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Severity:
    score: Decimal
    level: str
    dpc: int
    ease_of_identification: Decimal
    circumstances: Decimal
    breakdown: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "score": str(self.score),
            "level": self.level,
            "dpc": self.dpc,
            "ease_of_identification": str(self.ease_of_identification),
            "circumstances": str(self.circumstances),
            "breakdown": list(self.breakdown),
            "legal_reading": LEGAL_READING[self.level],
            "heuristic_note": HEURISTIC_NOTE,
        }


def level_for_score(score: Decimal) -> str:
    """Return the ENISA band; each band includes its lower bound."""
    if score < 2:
        return "low"
    if score < 3:
        return "medium"
    if score < 4:
        return "high"
    return "very_high"


def dpc_base(data_categories: list[str] | tuple[str, ...]) -> tuple[int, str]:
    """Return the DPC base score (highest category score, within 1..4) and the sentence explaining it."""
    known = [categories.BY_CODE[code] for code in data_categories if code in categories.BY_CODE]
    if not known:
        return 1, "DPC 1: no data categories given, scored as simple data"
    top = max(known, key=lambda category: category.dpc)
    score = min(4, max(1, top.dpc))
    return score, f"DPC {score}: highest-scoring category is {top.label} ({top.code})"


def _choice(assessment: dict, key: str) -> Decimal:
    value = assessment.get(key)
    table = ASSESSMENT_FIELDS[key]
    if not isinstance(value, str) or value not in table:
        raise AssessmentError(key, f"must be one of {', '.join(table)}, got {value!r}")
    return table[value]


def severity_assess(*, data_categories: list[str] | tuple[str, ...], assessment: dict) -> Severity:
    """Return the ENISA severity of a breach, with a breakdown a lawyer can follow.

    ``assessment`` holds the planner's keys: ease_of_identification, confidentiality,
    integrity, availability (vocabularies above), malicious (bool) and, optionally,
    volume (``normal`` when absent). Raises AssessmentError naming the first bad key.
    """
    dpc, dpc_line = dpc_base(data_categories)
    volume = assessment.get("volume", "normal")
    if not isinstance(volume, str) or volume not in VOLUME:
        raise AssessmentError("volume", f"must be one of {', '.join(VOLUME)}, got {volume!r}")
    if VOLUME[volume]:
        dpc = min(4, dpc + VOLUME[volume])
        dpc_line += f"; raised to {dpc}: large volume (profiling or harm to many is possible)"
    ei = _choice(assessment, "ease_of_identification")
    parts = {key: _choice(assessment, key) for key in ("confidentiality", "integrity", "availability")}
    malicious = assessment.get("malicious", False)
    if not isinstance(malicious, bool):
        raise AssessmentError("malicious", f"must be true or false, got {malicious!r}")
    cb = sum(parts.values(), Decimal("0")) + (MALICIOUS if malicious else Decimal("0"))
    score = Decimal(dpc) * ei + cb
    level = level_for_score(score)
    breakdown = [
        dpc_line,
        f"EI {ei}: ease of identification {assessment['ease_of_identification']}",
        *(f"CB +{value}: {key} {assessment[key]}" for key, value in parts.items()),
        f"CB +{MALICIOUS if malicious else Decimal('0')}: malicious intent {'yes' if malicious else 'no'}",
        f"SE = {dpc} x {ei} + {cb} = {score} -> {level.replace('_', ' ')}",
    ]
    return Severity(score=score, level=level, dpc=dpc, ease_of_identification=ei, circumstances=cb,
                    breakdown=breakdown)
