"""Regulator documents whose contents a law or an authority defines: data (title, items) plus a template.

A regulator duty names its builder in its rule file (``report = "cn_cac_initial"``, SCHEMA.md);
a duty without one gets the common regulator template, one heading per element its law
requires. Each item lists the element codes it carries; an element the duty requires that
no item names is kept under "Other information", so a report never drops what the law asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from incidents.rules.loader import load_rules

OTHER = gettext_noop("Other information")


@dataclass(frozen=True)
class Item:
    heading: str  # msgid, translated when rendered
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    key: str
    title: str  # msgid
    basis: str  # the instrument and article, as cited on the document (a msgid, or the Chinese citation)
    items: tuple[Item, ...]
    # The California Attorney General receives a sample copy of the residents' notice (1798.82(f)).
    sample_of_individual_notice: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for item in self.items for code in item.codes)


_BUILDERS = (
    Report(
        "cn_cac_initial", gettext_noop("Cybersecurity incident report (initial report)"),
        "国家网络安全事件报告管理办法 第四条、第七条",
        (
            Item(gettext_noop("1. The reporting unit and the facility, system or platform affected"),
                 ("nature",)),
            Item(gettext_noop("2. Time and place of discovery, type and grade of the incident, its impact and harm, "
                              "measures taken and their effect"),
                 ("discovery", "dates", "incident_grade", "data_involved", "numbers", "consequences", "measures_taken")),
            Item(gettext_noop("3. Preliminary analysis of the cause"), ("cause",)),
            Item(gettext_noop("4. How the incident may develop and the further harm it may cause"), ("development",)),
            Item(gettext_noop("5. Leads for the investigation: the attacker, the attack path, vulnerabilities"),
                 ("attacker_leads",)),
            Item(gettext_noop("6. Further measures planned and support requested"), ("support_requested",)),
            Item(gettext_noop("7. Preservation of the scene and of evidence"), ("evidence_preservation",)),
            Item(gettext_noop("Contact"), ("contact", "representative")),
        ),
    ),
    Report(
        "cn_cac_closing", gettext_noop("Cybersecurity incident closing report"),
        "国家网络安全事件报告管理办法 第八条",
        (
            Item(gettext_noop("1. Analysis of the causes"), ("cause",)),
            Item(gettext_noop("2. Response measures taken"), ("timeline", "measures_taken")),
            Item(gettext_noop("3. Harm caused"), ("incident_grade", "numbers", "consequences")),
            Item(gettext_noop("4. Accountability"), ("accountability",)),
            Item(gettext_noop("5. Rectification"), ("rectification",)),
            Item(gettext_noop("6. Lessons learned"), ("lessons",)),
            Item(gettext_noop("Contact"), ("contact",)),
        ),
    ),
    Report(
        "cn_pipl_57", gettext_noop("Report of a personal information leak"),
        "中华人民共和国个人信息保护法 第五十七条",
        (
            Item(gettext_noop("1. The categories of personal information involved, the cause and the possible harm"),
                 ("nature", "dates", "data_involved", "numbers", "cause", "consequences")),
            Item(gettext_noop("2. Remedial measures taken, and measures individuals can take to reduce the harm"),
                 ("measures_taken", "what_you_can_do")),
            Item(gettext_noop("3. Contact details of the personal information processor"),
                 ("contact", "representative")),
        ),
    ),
    Report(
        "sg_pdpc", gettext_noop("Notification of a data breach to the Personal Data Protection Commission"),
        gettext_noop("Personal Data Protection Act 2012 s 26D; Personal Data Protection (Notification of Data "
                     "Breaches) Regulations 2021 reg 5"),
        (
            Item(gettext_noop("Date and circumstances in which the organisation first became aware of the breach"),
                 ("discovery", "dates")),
            Item(gettext_noop("Chronological account of the steps taken after becoming aware, including the "
                              "assessment"), ("timeline",)),
            Item(gettext_noop("How the breach occurred"), ("nature", "cause", "exposure")),
            Item(gettext_noop("Number of affected individuals"), ("numbers",)),
            Item(gettext_noop("Personal data or classes of personal data affected"),
                 ("data_involved", "secrets_protection")),
            Item(gettext_noop("Potential harm to the affected individuals"), ("consequences",)),
            Item(gettext_noop("Remedial actions taken or to be taken"), ("measures_taken",)),
            Item(gettext_noop("Notification of the affected individuals"), ("people_informed",)),
            Item(gettext_noop("Reasons for a late notification"), ("reasons_for_delay",)),
            Item(gettext_noop("Contact person authorised by the organisation"), ("contact",)),
        ),
    ),
    Report(
        "eu_gdpr_33", gettext_noop("Notification of a personal data breach to the supervisory authority"),
        gettext_noop("Regulation (EU) 2016/679, Art. 33(3) and Art. 27"),
        (
            Item(gettext_noop("(a) Nature of the breach, categories and approximate numbers of data subjects and "
                              "of records concerned"),
                 ("nature", "dates", "discovery", "cause", "exposure", "data_involved", "secrets_protection",
                  "numbers")),
            Item(gettext_noop("(b) Data protection officer or other contact point, and the representative in the "
                              "Union"), ("contact", "representative")),
            Item(gettext_noop("(c) Likely consequences"), ("consequences",)),
            Item(gettext_noop("(d) Measures taken or proposed, including mitigation"), ("measures_taken",)),
            Item(gettext_noop("Communication to the data subjects (Art. 34)"), ("people_informed",)),
            Item(gettext_noop("Reasons for the delay (Art. 33(1))"), ("reasons_for_delay",)),
        ),
    ),
    Report(
        "gb_ico", gettext_noop("Personal data breach report to the Information Commissioner's Office"),
        gettext_noop("UK GDPR Art. 33(3)"),
        (
            Item(gettext_noop("What happened, and how and when you found out"),
                 ("nature", "dates", "discovery", "cause", "exposure")),
            Item(gettext_noop("Personal data and people concerned"),
                 ("data_involved", "secrets_protection", "numbers")),
            Item(gettext_noop("Likely consequences"), ("consequences",)),
            Item(gettext_noop("Measures taken or proposed"), ("measures_taken",)),
            Item(gettext_noop("Telling the people concerned"), ("people_informed",)),
            Item(gettext_noop("Contact details"), ("contact",)),
            Item(gettext_noop("Reasons for the delay (Art. 33(1))"), ("reasons_for_delay",)),
        ),
    ),
    Report(
        "us_ca_ag_sample", gettext_noop("Notice of Data Breach"), "Cal. Civ. Code 1798.82(f)", (),
        sample_of_individual_notice=True,
    ),
)
BUILDERS: dict[str, Report] = {report.key: report for report in _BUILDERS}


def report_for(rule_codes: list[str]) -> Report | None:
    """Return the builder the first of the obligations' duties names (``CODE:duty``), or None."""
    rules = load_rules()
    for rule_code in rule_codes:
        code, _, duty_id = rule_code.partition(":")
        rule = rules.get(code)
        for duty in rule.duties if rule else ():
            if duty.id == duty_id and duty.report:
                return BUILDERS[duty.report]
    return None
