"""Each person's own notice: which of their data was involved, what they can do about it, and local help.

Built from the person's own data categories (stored per person at import) and their
residence, in the active language (call under ``translation.override``). The
incident-wide texts of a notice stay for readers without a record (the public
announcement); a person's copy gets these instead. Approval hashes every fragment a
copy can be built from (``fragments``), so a person's copy is as approved as the notice.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext, gettext_noop

from incidents.rules import categories
from notifications.notices import languages

HELP_FILE = Path(__file__).with_name("local_help.toml")
UNITED_STATES = "US"

# Internal labels of the vocabulary that mean nothing to a reader, and their reader-facing words.
READER_LABELS = {
    "username": (gettext_noop("Username"), "用户名"),
    "device_identifier": (gettext_noop("Device identifier"), "设备标识符"),
    "database_metadata": (gettext_noop("Names of our databases"), "数据库名称"),
}
PASSWORDS = frozenset({"password", "security_qa", "private_key"})
SIGN_IN = frozenset({"username"})
PHONE = frozenset({"phone_number"})
EMAIL = frozenset({"email_address"})
MONEY = frozenset({"account_number", "payment_card", "access_code", "income"})
IDENTITY_NUMBERS = frozenset({"ssn", "drivers_license", "passport_number", "national_id", "tax_id", "military_id",
                              "tribal_id", "identity_protection_pin"})
DEVICE = frozenset({"device_identifier", "ip_address", "os_type", "running_processes"})
CONTACT = EMAIL | PHONE | frozenset({"postal_address"})
SPECIAL = frozenset(code for code, category in categories.BY_CODE.items() if category.group == "special")


@dataclass(frozen=True)
class LocalHelp:
    code: str
    places: tuple[str, ...]
    categories: frozenset[str]
    texts: dict[str, str]
    source: str
    status: str
    names: tuple[str, ...] = ()

    def serves(self, place: str | None, data: frozenset[str]) -> bool:
        country = (place or "").split("-")[0]
        return bool({place, country} & set(self.places)) and (not self.categories or bool(self.categories & data))

    def text(self, language: str) -> str:
        return self.texts.get(language) or self.texts["en"]


@cache
def local_help() -> tuple[LocalHelp, ...]:
    """The local help entries of ``local_help.toml``; raises ValueError naming a broken entry."""
    entries = []
    for number, raw in enumerate(tomllib.loads(HELP_FILE.read_text(encoding="utf-8"))["help"], start=1):
        try:
            entries.append(LocalHelp(
                code=raw["code"], places=tuple(raw["places"]), categories=frozenset(raw.get("categories", ())),
                texts=dict(raw["text"]), source=raw["source"], status=raw["status"],
                names=tuple(raw.get("names", ()))))
        except KeyError as missing:
            raise ValueError(f"{HELP_FILE.name}: help entry {number} lacks {missing}") from None
        unknown = categories.unknown_codes(sorted(entries[-1].categories))
        if unknown or "en" not in entries[-1].texts:
            raise ValueError(f"{HELP_FILE.name}: help entry {raw['code']} has unknown categories {unknown} "
                             "or no English text")
    return tuple(entries)


def _language() -> str:
    return languages.active()


def reader_label(code: str) -> str:
    """The category's name for a reader, in the active language."""
    if code in READER_LABELS:
        english, chinese = READER_LABELS[code]
        return chinese if languages.is_chinese() else gettext(english)
    return languages.category_label(code)


join = languages.join


def domain_of(url: str) -> str:
    return (urlsplit(url if "//" in url else f"//{url}").hostname or "").removeprefix("www.")


# The steps: each a function of the organisation's facts and the reader's residence.

def _password_steps(organisation: dict, place: str | None) -> list[str]:
    return [
        gettext("Change your password on %(site)s. Type the address yourself. Do not use a link in a message.")
        % {"site": domain_of(organisation.get("website", "")) or organisation.get("legal_name", "")},
        gettext("If you used the same password on other sites, change it there too."),
    ]


def _sign_in_steps(organisation: dict, place: str | None) -> list[str]:
    return [gettext("Someone may try to sign in with your username. Turn on two-step sign-in if you can.")]


def _phone_steps(organisation: dict, place: str | None) -> list[str]:
    return [gettext("Be careful with calls and text messages about this incident. "
                    "Never tell anyone a code sent to your phone, even if they say they are from us.")]


def _email_steps(organisation: dict, place: str | None) -> list[str]:
    return [gettext("Watch for fake e-mails about this incident. Do not open links or files you did not expect.")]


def _money_steps(organisation: dict, place: str | None) -> list[str]:
    return [gettext("Check your bank and card statements. Tell your bank at once about any payment you did not make.")]


def _identity_number_steps(organisation: dict, place: str | None) -> list[str]:
    if (place or "").split("-")[0] == UNITED_STATES:
        return [gettext("Place a free fraud alert or credit freeze with one of the three credit bureaus. "
                        "A fraud alert tells lenders to check it is really you.")]
    return [gettext("Watch for letters about loans or accounts you did not open. "
                    "If your ID number is misused, tell the office that issued it and the police.")]


def _device_steps(organisation: dict, place: str | None) -> list[str]:
    return [gettext("Keep your device's software up to date. Remove devices you no longer use from your account.")]


STEPS: tuple[tuple[frozenset[str], Callable[[dict, str | None], list[str]]], ...] = (
    (PASSWORDS, _password_steps), (SIGN_IN, _sign_in_steps), (PHONE, _phone_steps),
    (EMAIL, _email_steps), (MONEY, _money_steps), (IDENTITY_NUMBERS, _identity_number_steps),
    (DEVICE, _device_steps),
)


def _harms() -> list[tuple[frozenset[str], str]]:
    """What could happen to the reader, for each kind of data, in the active language."""
    return [
        (PASSWORDS | SIGN_IN, gettext("Someone could try to sign in to your account, or to other accounts where you "
                                      "used the same password.")),
        (CONTACT, gettext("You may receive convincing fraudulent e-mails, messages or calls (phishing) that refer "
                          "to this incident.")),
        (MONEY, gettext("Your payment details could be used for transactions you did not make.")),
        (IDENTITY_NUMBERS, gettext("Your identity documents could be used to open accounts or obtain credit in your "
                                   "name.")),
        (DEVICE, gettext("Your device could be recognised and targeted by further attacks.")),
        (SPECIAL, gettext("Disclosure of sensitive information about you could cause distress or unfair "
                          "treatment.")),
    ]


def consequences(data: list[str]) -> str:
    """The likely consequences of the breach for a person, from their own data only."""
    owned = frozenset(data)
    return "\n".join(text for group, text in _harms() if group & owned)


def data_involved(data: list[str]) -> str:
    if not data:
        return ""
    return gettext("Your information involved: %(labels)s.") % {"labels": join([reader_label(code) for code in data])}


def what_you_can_do(data: list[str], place: str | None, facts: dict) -> str:
    """The steps for the person's own data, then the local help where they live, as a list."""
    owned = frozenset(data)
    organisation = facts.get("organisation", {})
    steps = [step for group, builder in STEPS if group & owned for step in builder(organisation, place)]
    if not steps:
        steps.append(gettext("Be careful with unexpected messages about your account."))
    steps += [entry.text(_language()) for entry in local_help() if entry.serves(place, owned)]
    return "\n".join(f"- {step}" for step in steps)


def _lower_first(label: str) -> str:
    """"Password" -> "password" inside a sentence; "IP address" stays."""
    first = label.split()[0] if label.split() else label
    return label if len(first) > 1 and first.isupper() else label[:1].lower() + label[1:]


def data_short(data: list[str]) -> str:
    """A few category words for SMS and push, the most sensitive first: words, never values.

    Three in English, two in Chinese (an SMS in Chinese holds 134 characters in two parts, not 306).
    """
    ranked = sorted(data, key=lambda code: -(categories.BY_CODE[code].dpc if code in categories.BY_CODE else 0))
    if languages.is_chinese():
        return join([reader_label(code) for code in ranked[:2]]) + ("等" if len(ranked) > 2 else "")
    # English writes category words in lower case inside a sentence; German nouns keep their capital.
    words = [_lower_first(reader_label(code)) if _language() == languages.ENGLISH else reader_label(code)
             for code in ranked[:3]]
    return join(words + ([gettext("other data")] if len(ranked) > 3 else []))


def action_short(data: list[str], facts: dict) -> str:
    """The one most useful step, for SMS and push."""
    owned = set(data)
    site = domain_of(facts.get("organisation", {}).get("website", ""))
    if owned & PASSWORDS:
        return gettext("Change your password at %(site)s.") % {"site": site} if site else gettext(
            "Change your password.")
    if owned & PHONE:
        return gettext("Never share a code sent to your phone.")
    if owned & (IDENTITY_NUMBERS | MONEY):
        return gettext("Check your bank and credit records.")
    return gettext("Read the notice.")


def own_texts(data: list[str], place: str | None, facts: dict, conditional: dict[str, str]) -> dict[str, str]:
    """The placeholders that follow from the person's data and residence (people alike share them):
    the data involved, its likely consequences, what they can do, the one-line versions for SMS and push, and the
    credit-bureau text (``conditional["credit_bureaus"]``) only for US readers whose identity numbers
    were exposed."""
    us_identity = (place or "").split("-")[0] == UNITED_STATES and bool(IDENTITY_NUMBERS & set(data))
    return {
        "data_involved": data_involved(data),
        "consequences": consequences(data),
        "what_you_can_do": what_you_can_do(data, place, facts),
        "credit_bureaus": conditional.get("credit_bureaus", "") if us_identity else "",
        "data_short": data_short(data),
        "action_short": action_short(data, facts),
    }


def own_categories(recipient, facts: dict) -> list[str]:
    """The person's categories; the incident's for a reader without a record of their own."""
    own = list(getattr(recipient, "data_categories", None) or [])
    return own or list(facts.get("data_categories", []))


def reader_note(recipient, *, child_fallback: str, template: str) -> str:
    """For a minor's notice, read by the guardian: who the notice is about and why they receive it."""
    if not getattr(recipient, "is_minor", False):
        return ""
    return template % {"child": getattr(recipient, "name", "") or child_fallback}


def guardian_template() -> str:
    return gettext("You receive this notice as the parent or guardian of %(child)s. It is about your child's "
                   "information. Please help them follow the steps below.")


def reader_name(recipient, *, customer: str, guardian: str) -> str:
    """The name to greet: the guardian's for a minor (the guardian reads the notice), else the person's."""
    if getattr(recipient, "is_minor", False):
        return getattr(recipient, "guardian_name", "") or guardian
    return getattr(recipient, "name", "") or customer


def fragments(facts: dict, places: list[str]) -> dict:
    """Every fragment a person's copy can be built from, in the active language: each category's
    label and steps per residence, the local help texts and the guardian's note (what approval hashes)."""
    organisation = facts.get("organisation", {})
    return {
        "labels": {code: reader_label(code) for code in categories.BY_CODE},
        "steps": {place: [builder(organisation, place) for _, builder in STEPS] for place in places},
        "short": [action_short(sorted(group), facts) for group, _ in STEPS] + [gettext("other data")],
        "harms": [text for _group, text in _harms()],
        "help": {entry.code: entry.text(_language()) for entry in local_help()},
        "reader": [guardian_template(), gettext("Parent or guardian"), gettext("your child"), gettext("Customer")],
    }
