"""Who our messages come from: what a notice promises and what the transports really send from.

The organisation profile names its sender identities (``email_sender``, ``sms_sender``,
``sending_domains``); a notice tells people to trust only those ("We only write to you
from ..."). The transports send from the configuration: e-mail from ``DEFAULT_FROM_EMAIL``,
SMS through Twilio from ``TWILIO_FROM_NUMBER``, and every link goes to
``BREACHLINE_BASE_URL``. Approval is refused, naming the profile's field, where the two
disagree, so a message never comes from somewhere its own text warns against.
"""

from __future__ import annotations

from email.utils import parseaddr
from ipaddress import ip_address
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


def email_from() -> str:
    """The address e-mail goes out from."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


def sms_from() -> str:
    """The sender SMS go out from through Twilio ("" when a Messaging Service picks it, or none is set)."""
    return settings.TWILIO_FROM_NUMBER or ""


def link_host() -> str:
    return (urlsplit(settings.BREACHLINE_BASE_URL).hostname or "").lower()


def promised_email(organisation: dict) -> str:
    """The address the notice names: the profile's ``email_sender``, else the one mail goes out from."""
    return (organisation.get("email_sender") or "").strip().lower() or email_from()


def promised_sms(organisation: dict) -> str:
    """The SMS sender the notice names: the profile's ``sms_sender``, else the configured one."""
    return (organisation.get("sms_sender") or "").strip() or sms_from()


def _within(host: str, domains: list[str]) -> bool:
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)


def _development_host(host: str) -> bool:
    """A loopback host: a development server's, whose links reach nobody else."""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def sender_problems(organisation: dict, channels: list[str]) -> list[str]:
    """Each disagreement between the identities the notice promises and those it is sent from."""
    problems = []
    email_sender = (organisation.get("email_sender") or "").strip().lower()
    if "email" in channels and email_sender and email_sender != email_from():
        problems.append(_("The notice says our e-mail comes from %(promised)s (organisation profile, email_sender), "
                          "but e-mail is sent from %(actual)s (DEFAULT_FROM_EMAIL): make them the same.") % {
            "promised": email_sender, "actual": email_from()})
    sms_sender = (organisation.get("sms_sender") or "").strip()
    if "sms" in channels and sms_sender and sms_from() and sms_sender != sms_from():
        problems.append(_("The notice says our text messages come from %(promised)s (organisation profile, "
                          "sms_sender), but SMS are sent from %(actual)s (TWILIO_FROM_NUMBER): make them the same.")
                        % {"promised": sms_sender, "actual": sms_from()})
    domains = [domain.lower() for domain in organisation.get("sending_domains") or []]
    if not domains:
        return problems
    if "email" in channels and not _within(promised_email(organisation).rpartition("@")[2], domains):
        problems.append(_("E-mail is sent from %(address)s, which is not on the organisation's sending domains "
                          "(organisation profile, sending_domains: %(domains)s).") % {
            "address": promised_email(organisation), "domains": ", ".join(domains)})
    host = link_host()
    if not _within(host, domains) and not _development_host(host):
        problems.append(_("Our links go to %(host)s (BREACHLINE_BASE_URL), which is not on the organisation's "
                          "sending domains (organisation profile, sending_domains: %(domains)s).") % {
            "host": host, "domains": ", ".join(domains)})
    return problems
