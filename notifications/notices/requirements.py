"""Which content elements a notice must carry, and why: the union of its obligations' rules.

Element codes are the rules data's (``incidents.rules.schema.CONTENT_ELEMENTS``);
``alert`` is ours: the short, detail-free text of SMS and push messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, gettext_noop

from incidents.models import Audience
from incidents.rules.schema import CONTENT_ELEMENTS

ALERT = "alert"
ELEMENT_CODES: tuple[str, ...] = (*CONTENT_ELEMENTS, ALERT)
ALERT_LABEL = gettext_noop("Short alert for SMS and push: no detail of the breach, only that a notice is waiting")

# The rules' labels, marked for translation here (the rules package stays free of Django).
_TRANSLATABLE_LABELS = (
    gettext_noop("What happened: the nature of the breach"),
    gettext_noop("Date, estimated date or date range of the breach and of its discovery"),
    gettext_noop("Categories of personal data involved"),
    gettext_noop("Approximate numbers of people and of records concerned"),
    gettext_noop("Likely consequences / possible harm"),
    gettext_noop("Measures taken or proposed, including mitigation"),
    gettext_noop("Steps the individual can take to protect themselves"),
    gettext_noop("Contact point (DPO or other) for more information"),
    gettext_noop("The cause of the breach, where known"),
    gettext_noop("Toll-free numbers and addresses of the major credit bureaus"),
    gettext_noop("Free identity-theft prevention and mitigation services offered"),
    gettext_noop("Whether notice was delayed at law enforcement's request"),
    gettext_noop("Reasons for a notice later than the deadline"),
    gettext_noop("Material impact or reasonably likely material impact on the registrant"),
    gettext_noop("How and when the breach was discovered"),
    gettext_noop("How long the data were exposed, and whether access or exfiltration is confirmed, suspected or ruled out"),
    gettext_noop("How passwords and other secrets were protected (hashing, encryption)"),
    gettext_noop("Chronological account of the steps taken since the breach was discovered"),
    gettext_noop("Whether and when the affected people were or will be told"),
    gettext_noop("Representative in the Union (GDPR Art. 27) or in China (PIPL Art. 53)"),
    gettext_noop("Grade of the incident (较大, 重大, 特别重大) under the CAC Grading Guide"),
    gettext_noop("How the incident may develop and the further harm it may cause"),
    gettext_noop("Leads for the investigation: the attacker, the attack path, vulnerabilities"),
    gettext_noop("Preservation of the scene and of evidence"),
    gettext_noop("Further measures planned and support requested"),
    gettext_noop("Accountability established after the incident"),
    gettext_noop("Rectification carried out after the incident"),
    gettext_noop("Lessons learned from the incident"),
)

# What the organisation promised every affected person, whatever the law: what happened and when,
# the possible impact, what was done, what the person can do, and whom to ask.
INDIVIDUAL_BASE = ("nature", "dates", "consequences", "measures_taken", "what_you_can_do", "contact")
REGULATOR_BASE = ("nature", "dates", "data_involved", "numbers", "consequences", "measures_taken", "contact")
BASE_SOURCE = gettext_noop("Breachline standard for notices to individuals")

# California asks for credit-bureau contacts and identity protection only when these were exposed
# (Cal. Civ. Code 1798.82(d)(2)(E), (G)).
IDENTITY_DOCUMENTS = frozenset({"ssn", "drivers_license"})
CONDITIONAL = {
    "credit_bureaus": (IDENTITY_DOCUMENTS, gettext_noop("only when a Social Security number or driver's licence / state ID was exposed")),
    "identity_protection_offer": (IDENTITY_DOCUMENTS, gettext_noop("only when a Social Security number or driver's licence / state ID was exposed")),
}


EU = "EU"
LATE_SOURCE = gettext_noop("A report later than its deadline gives the reasons for the delay (e.g. GDPR Art. 33(1), "
                           "PDPC reg. 5(2))")
REPRESENTATIVE_SOURCE = gettext_noop("GDPR Art. 27 and 33(3)(b): a controller not established in the Union "
                                     "names its representative")


def _late(facts: dict) -> bool:
    """True when one of the notice's deadlines has passed (a report drafted or approved after its deadline)."""
    now = timezone.now()
    return any((due := parse_datetime(o["due_at"] or "")) is not None and due < now
               for o in facts.get("obligations", []))


def element_label(code: str) -> str:
    """Return the element's label in the active language."""
    return gettext(ALERT_LABEL if code == ALERT else CONTENT_ELEMENTS.get(code, code))


@dataclass(frozen=True)
class Requirement:
    code: str
    sources: tuple[str, ...]
    applies: bool
    condition: str = ""


def element_requirements(*, audience: str, obligations: list[tuple[str, list[str]]], facts: dict) -> list[Requirement]:
    """Return every element some obligation (or the standard) asks for, in element order.

    ``obligations`` is ``[(source label, content codes)]``. A conditional element
    whose condition the facts do not meet is listed with ``applies=False``.
    """
    sources: dict[str, list[str]] = {}
    if audience == Audience.INDIVIDUALS:
        for code in INDIVIDUAL_BASE:
            sources.setdefault(code, []).append(gettext(BASE_SOURCE))
    for label, content in obligations:
        for code in content:
            sources.setdefault(code, []).append(label)
    if audience != "individuals" and _late(facts):
        sources.setdefault("reasons_for_delay", []).append(gettext(LATE_SOURCE))
    if audience == "regulator" and EU in facts.get("jurisdictions", []) and not facts.get(
            "organisation", {}).get("eu_main_establishment"):
        sources.setdefault("representative", []).append(gettext(REPRESENTATIVE_SOURCE))
    categories = set(facts.get("data_categories", []))
    result = []
    for code in ELEMENT_CODES:
        if code not in sources:
            continue
        trigger, wording = CONDITIONAL.get(code, (None, ""))
        applies = trigger is None or bool(trigger & categories)
        result.append(Requirement(code, tuple(sources[code]), applies, gettext(wording) if wording else ""))
    return result


def drafted_codes(*, audience: str, requirements: list[Requirement]) -> list[str]:
    """The elements a new draft starts with: the applicable requirements, plus the standard set."""
    base = INDIVIDUAL_BASE + (ALERT,) if audience == Audience.INDIVIDUALS else REGULATOR_BASE
    wanted = {req.code for req in requirements if req.applies} | set(base)
    return [code for code in ELEMENT_CODES if code in wanted]
