"""The first draft of each content element, in plain language, from the incident's facts.

Every function takes the facts snapshot (see ``drafting.incident_snapshot``) and
returns text in the active language (call under ``translation.override``). An
element for which the facts say nothing is left empty, so the checklist shows it
missing until a person writes it. ``[[occurred_at]]`` and ``[[aware_at]]`` are
placeholders filled with each reader's local date when the notice is rendered.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from notifications.notices import fact_text, people, senders
from notifications.notices.languages import category_label, join, number

CONTACT_DETAILS = frozenset({"email_address", "phone_number", "postal_address"})
DEVICE_DATA = frozenset({"device_identifier", "os_type", "running_processes", "ip_address"})
CREDENTIALS = frozenset({"username", "password", "security_qa", "private_key"})
FINANCIAL = frozenset({"account_number", "payment_card", "access_code", "income"})
GOVERNMENT_IDS = frozenset({"ssn", "drivers_license", "passport_number", "national_id", "tax_id"})
SPECIAL = people.SPECIAL

# The nationwide US consumer reporting agencies (Cal. Civ. Code 1798.82(d)(2)(E) asks for their
# toll-free numbers and addresses). Published contact points; legal re-checks them before approval.
CREDIT_BUREAUS = (
    ("Equifax", "1-888-298-0045", "P.O. Box 105069, Atlanta, GA 30348-5069", "www.equifax.com"),
    ("Experian", "1-888-397-3742", "P.O. Box 9554, Allen, TX 75013", "www.experian.com"),
    ("TransUnion", "1-800-916-8800", "P.O. Box 2000, Chester, PA 19016", "www.transunion.com"),
)


def _has(facts: dict, group: frozenset[str]) -> bool:
    return bool(group & set(facts.get("data_categories", [])))


def _covers_us(facts: dict) -> bool:
    return any(code.startswith("US") for code in facts.get("jurisdictions", []))


def nature(facts: dict) -> str:
    parts = [facts.get("description", "").strip()]
    if facts.get("systems_affected", "").strip():
        parts.append(_("Systems affected: %(systems)s") % {"systems": facts["systems_affected"].strip()})
    return "\n\n".join(part for part in parts if part)


def dates(facts: dict) -> str:
    if facts.get("occurred_at"):
        return _("The incident took place on or about [[occurred_at]]. We discovered it on [[aware_at]].")
    return _("We discovered the incident on [[aware_at]]; when it began is still being investigated.")


def data_involved(facts: dict) -> str:
    labels = [category_label(code) for code in facts.get("data_categories", [])]
    if not labels:
        return ""
    return _("The information involved: %(labels)s.") % {"labels": join(labels)}


def numbers(facts: dict) -> str:
    counts = facts.get("counts", {})
    if not counts:
        return ""
    per_place = join([f"{code}: {number(count)}" for code, count in sorted(counts.items())])
    if facts.get("records_count") is not None:
        return _("Approximately %(total)s people are concerned (%(per_place)s), with approximately %(records)s "
                 "records.") % {"total": number(facts.get("total", 0)), "per_place": per_place,
                                "records": number(facts["records_count"])}
    return _(
        "Approximately %(total)s people are concerned (%(per_place)s), with approximately %(total)s records: "
        "one account record per person."
    ) % {"total": number(facts.get("total", 0)), "per_place": per_place}


def _harms_to_the_people() -> list[tuple[frozenset[str], str]]:
    return [
        (CREDENTIALS, _("Account takeover: the affected people's accounts, and other accounts where they reused the password, could be accessed.")),
        (CONTACT_DETAILS, _("Targeted phishing: the affected people may receive convincing fraudulent messages referring to this incident.")),
        (FINANCIAL, _("Financial loss: payment details could be used for unauthorised transactions.")),
        (GOVERNMENT_IDS, _("Identity theft: identity documents could be used to open accounts or obtain credit in the affected people's names.")),
        (DEVICE_DATA, _("Further attacks: the affected people's devices could be recognised and targeted.")),
        (SPECIAL, _("Distress or discrimination: disclosure of sensitive information could cause distress or unfair treatment.")),
    ]


def consequences(facts: dict) -> str:
    """The likely harms, addressed to the reader (each person's copy has their own, ``people.consequences``;
    this text serves the public page and the sample copy) and described in the third person to authorities."""
    if facts.get("audience", "individuals") == "individuals":
        return people.consequences(list(facts.get("data_categories", [])))
    return "\n".join(text for group, text in _harms_to_the_people() if _has(facts, group))


def measures_taken(facts: dict) -> str:
    """What was done (each measure with its time), what is planned, and the filings made so far with their
    dates: a report to an authority is only claimed once it was made."""
    parts = [facts.get("containment_summary", "").strip()]
    parts.append("\n".join(f"- {fact_text.when(facts, m['at'])}: {m['text']}" for m in facts.get("measures", [])))
    if facts.get("measures_planned", "").strip():
        parts.append(_("Planned: %(planned)s") % {"planned": facts["measures_planned"].strip()})
    parts.append("\n".join(
        _("We reported the breach to %(authority)s on %(when)s.") % {
            "authority": filing["authority"], "when": fact_text.when(facts, filing["met_at"])}
        for filing in facts.get("filings", [])))
    return "\n\n".join(part for part in parts if part)


def _credential_steps(facts: dict) -> list[str]:
    steps = [
        _("Change your password for our service, and anywhere else you used the same or a similar password."),
        _("Turn on two-factor sign-in (a code from an app or a text message in addition to your password)."),
    ]
    if "security_qa" in facts.get("data_categories", []):
        steps.append(_("Change your security questions and answers wherever you used the same ones."))
    return steps


def _financial_steps(facts: dict) -> list[str]:
    steps = [
        _("Check your bank and card statements for transactions you do not recognise, and report them to your bank at once."),
        _("Ask your bank to replace your card if card details were involved."),
    ]
    if _covers_us(facts):
        steps.append(_("If you live in the United States, you can place a free fraud alert or security freeze on your credit file with the nationwide credit bureaus."))
    return steps


def _government_id_steps(facts: dict) -> list[str]:
    steps = [_("Watch for letters about accounts, loans or tax matters you do not recognise, and tell the issuing authority if your identity number is misused.")]
    if _covers_us(facts):
        steps.append(_("If you live in the United States, place a fraud alert with one of the nationwide credit bureaus: it tells lenders to verify your identity before opening credit in your name."))
    return steps


def _contact_steps(facts: dict) -> list[str]:
    organisation = facts.get("organisation", {})
    return [
        _("Expect phishing: be careful with e-mails, messages and calls that mention this incident, and do not open links or attachments you did not expect."),
        _("We will only contact you from %(email)s or through %(website)s. We will never ask you for your password, card details or verification codes.") % {
            "email": senders.promised_email(organisation), "website": senders.link_host(),
        },
    ]


def _device_steps(facts: dict) -> list[str]:
    return [_("Check your device for apps and profiles you do not recognise, keep its operating system up to date, and remove access for devices you no longer use in your account settings.")]


def what_you_can_do(facts: dict) -> str:
    """Every step for the incident's data, for authorities and the sample copy a regulator gets (it has a
    ``report``); each person's own steps come from ``notifications.notices.people``, so their notice
    carries only what applies to everyone."""
    if facts.get("audience", "individuals") == "individuals" and not facts.get("report"):
        return _("If anything in this notice is unclear, or you see something unusual, contact us. "
                 "The details are below.")
    steps = []
    for group, builder in (
        (CREDENTIALS, _credential_steps), (FINANCIAL, _financial_steps), (GOVERNMENT_IDS, _government_id_steps),
        (CONTACT_DETAILS, _contact_steps), (DEVICE_DATA, _device_steps),
    ):
        if _has(facts, group):
            steps.extend(builder(facts))
    if not steps:
        steps.append(_("Stay alert to unexpected messages about your account, and contact us with any question."))
    return "\n".join(f"- {step}" for step in steps)


def contact(facts: dict) -> str:
    organisation = facts.get("organisation", {})
    lines = [organisation.get("dpo_name", ""), organisation.get("legal_name", "")]
    if organisation.get("dpo_email"):
        lines.append(_("E-mail: %(email)s") % {"email": organisation["dpo_email"]})
    if organisation.get("dpo_phone"):
        lines.append(_("Telephone: %(phone)s") % {"phone": organisation["dpo_phone"]})
    if organisation.get("call_centre_phone"):
        lines.append(_("Call centre: %(phone)s (%(hours)s)") % {
            "phone": organisation["call_centre_phone"], "hours": organisation.get("call_centre_hours") or "—"})
    if organisation.get("dpo_address"):
        lines.append(_("Address: %(address)s") % {"address": organisation["dpo_address"]})
    if organisation.get("website"):
        lines.append(organisation["website"])
    return "\n".join(line for line in lines if line) if organisation.get("dpo_email") else ""


def credit_bureaus(facts: dict) -> str:
    intro = _("You can contact the nationwide credit bureaus free of charge to place a fraud alert or a security freeze:")
    return "\n".join([intro, *(f"- {name}: {phone}, {address}, {site}" for name, phone, address, site in CREDIT_BUREAUS)])


def identity_protection_offer(facts: dict) -> str:
    organisation = facts.get("organisation", {})
    if not organisation.get("identity_protection_offer"):
        return ""
    return _("We are offering %(offer)s for %(months)s months, free of charge. To enrol, contact us as shown below.") % {
        "offer": organisation["identity_protection_offer"], "months": organisation.get("identity_protection_months") or 12,
    }


def law_enforcement_delay(facts: dict) -> str:
    delays = facts.get("law_enforcement_delays", [])
    if not delays:
        return _("This notice was not delayed at the request of law enforcement.")
    agencies = join([delay["agency"] for delay in delays])
    return _("This notice was delayed at the request of law enforcement (%(agencies)s), so as not to impede its investigation.") % {
        "agencies": agencies}


def alert(facts: dict) -> str:
    """The short text of SMS and push: who writes, what happened in category words (each person's
    own, ``[[data_short]]``), the one step to take, and that we never ask for secrets."""
    return _("%(organisation)s: a data breach involved your [[data_short]]. [[action_short]] "
             "We never ask for passwords or codes.") % {
        "organisation": facts.get("organisation", {}).get("legal_name", "")}


BUILDERS = {
    "nature": nature, "dates": dates, "data_involved": data_involved, "numbers": numbers,
    "consequences": consequences, "measures_taken": measures_taken, "what_you_can_do": what_you_can_do,
    "contact": contact, "credit_bureaus": credit_bureaus, "identity_protection_offer": identity_protection_offer,
    "law_enforcement_delay": law_enforcement_delay, "alert": alert,
}
