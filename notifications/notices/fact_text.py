"""First drafts of the elements regulators ask for, from the incident facts typed for them.

Like ``element_text``, each function takes the facts snapshot and returns text in the
active language, or "" when the facts say nothing: the checklist then counts the element
missing until the fact is given or a person writes the text. Times are shown in the zone
of the text's readers (``local_time.text_zone``). A filing or a sending is only claimed once it
happened, with its date.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from notifications.notices.languages import number
from notifications.notices.local_time import format_when, text_zone

CN = "CN"
# CAC Measures, Annex (Grading Guide): personal information of this many people or more leaked.
CAC_GRADES = ((100_000_000, "特别重大"), (10_000_000, "重大"), (1_000_000, "较大"))


def _language() -> str:
    return get_language() or "en"


def when(facts: dict, value: str | None) -> str:
    return format_when(value, zone=text_zone(facts), language=_language())


def _status_label(status: str) -> str:
    return {"confirmed": _("confirmed"), "suspected": _("suspected"), "ruled_out": _("ruled out")}.get(status, "")


def discovery(facts: dict) -> str:
    how = facts.get("discovery", "").strip()
    if not how:
        return ""
    moment = facts.get("discovered_at") or facts.get("aware_at")
    return _("Discovered on %(when)s: %(how)s") % {"when": when(facts, moment), "how": how}


def exposure(facts: dict) -> str:
    lines = []
    if facts.get("exposure_started_at"):
        end = facts.get("exposure_ended_at")
        lines.append(_("The data were exposed from %(start)s to %(end)s.") % {
            "start": when(facts, facts["exposure_started_at"]),
            "end": when(facts, end) if end else _("a time not yet established")})
    access = _status_label(facts.get("access_status", ""))
    if access:
        lines.append(_("Access by an unauthorised person: %(status)s.") % {"status": access})
    exfiltration = _status_label(facts.get("exfiltration_status", ""))
    if exfiltration:
        lines.append(_("Copying of the data out of our systems (exfiltration): %(status)s.") % {"status": exfiltration})
    return "\n".join(lines) if facts.get("exposure_started_at") and access and exfiltration else ""


def secrets_protection(facts: dict) -> str:
    return facts.get("secrets_protection", "").strip()


def timeline(facts: dict) -> str:
    steps = [(facts.get("discovered_at") or facts.get("aware_at"), _("Breach discovered."))]
    steps += [(measure["at"], measure["text"]) for measure in facts.get("measures", [])]
    steps += [(filing["met_at"], _("Reported to %(authority)s.") % {"authority": filing["authority"]})
              for filing in facts.get("filings", [])]
    if not facts.get("measures"):
        return ""
    return "\n".join(f"- {when(facts, at)}: {text}" for at, text in sorted(steps, key=lambda step: step[0] or ""))


def people_informed(facts: dict) -> str:
    sent = facts.get("individual_notice_sent_at")
    if sent:
        return _("The affected people were told on %(when)s.") % {"when": when(facts, sent)}
    plan, planned_at = facts.get("people_informed", ""), facts.get("people_informed_at")
    if plan == "will_inform" and planned_at:
        return _("The affected people will be told by %(when)s.") % {"when": when(facts, planned_at)}
    if plan == "will_not_inform" and facts.get("people_informed_reason", "").strip():
        return _("The affected people will not be told: %(reason)s") % {"reason": facts["people_informed_reason"].strip()}
    return ""


def representative(facts: dict) -> str:
    organisation = facts.get("organisation", {})
    lines = []
    if organisation.get("eu_representative", "").strip():
        lines.append(_("Representative in the Union (GDPR Art. 27): %(who)s") % {"who": organisation["eu_representative"].strip()})
    if CN in facts.get("counts", {}) and organisation.get("pipl_representative", "").strip():
        lines.append(_("Representative in China (PIPL Art. 53): %(who)s") % {"who": organisation["pipl_representative"].strip()})
    return "\n".join(lines)


def incident_grade(facts: dict) -> str:
    people = facts.get("counts", {}).get(CN, 0)
    for floor, grade in CAC_GRADES:
        if people >= floor:
            return _("%(grade)s: personal information of %(people)s people in China leaked (%(floor)s or more, "
                     "Grading Guide annexed to the Measures).") % {
                "grade": grade, "people": number(people), "floor": number(floor)}
    return ""


def _typed(key: str):
    def build(facts: dict) -> str:
        return facts.get(key, "").strip()

    build.__name__ = key
    return build


BUILDERS = {
    "discovery": discovery, "exposure": exposure, "secrets_protection": secrets_protection, "timeline": timeline,
    "people_informed": people_informed, "representative": representative, "incident_grade": incident_grade,
    "cause": _typed("cause"), "development": _typed("development"), "attacker_leads": _typed("attacker_leads"),
    "evidence_preservation": _typed("evidence_preservation"), "support_requested": _typed("support_requested"),
    "accountability": _typed("accountability"), "rectification": _typed("rectification"),
    "lessons": _typed("lessons"),
}
