"""SMS for people whose route goes through a mainland Chinese provider: the registered template, filled.

Such a provider sends only a template the organisation registered with it, so
the SMS such a person gets is not the notice's own SMS text: it is the approved
template of that provider in the person's language, with its parameters filled
from the incident reference, the person's link key and the breach's date.
Approval is refused while a provider the routing table uses for the notice's
people has no approved template (``template_problems``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from incidents.models import OrganisationProfile
from notifications.channels.routing import PROVIDER_LABELS, TEMPLATE_PROVIDERS, route_country
from notifications.models import ProviderTemplate, TemplateStatus
from notifications.models.provider_template import link_prefix
from notifications.notices import languages
from notifications.notices.local_time import format_when, zone_for


@dataclass(frozen=True)
class FilledTemplate:
    provider: str
    code: str
    params: dict[str, str]
    text: str


def _countries(notice) -> set[str]:
    return {jurisdiction.split("-")[0] for jurisdiction in notice.jurisdictions}


def providers_needing_templates(notice, routes: list[dict]) -> list[tuple[str, str]]:
    """(country, provider) for each template-only provider the routes use for the notice's countries."""
    if notice.audience != "individuals" or "sms" not in notice.channels:
        return []
    countries = _countries(notice)
    return list(
        dict.fromkeys(
            (route_country(route), provider)
            for route in routes
            if route_country(route) in countries
            for provider in route["providers"]
            if provider in TEMPLATE_PROVIDERS
        )
    )


def template_problems(notice) -> list[str]:
    """Why the notice's SMS cannot go through every provider its route needs, naming the provider."""
    problems = []
    routes = OrganisationProfile.current().sms_routes or []
    registered = list(ProviderTemplate.objects.filter(provider__in=TEMPLATE_PROVIDERS))
    for country, provider in providers_needing_templates(notice, routes):
        label = PROVIDER_LABELS[provider]
        for language in languages.read_in(country, notice.languages):
            mine = [t for t in registered if t.provider == provider and t.language == language]
            approved = [t for t in mine if t.status == TemplateStatus.APPROVED]
            if not mine:
                problems.append(
                    _(
                        "SMS to %(country)s goes through %(provider)s, which sends only registered templates, "
                        "and none is registered in %(language)s: register it under Provider SMS templates."
                    )
                    % {"country": country, "provider": label, "language": language}
                )
            elif not approved:
                problems.append(
                    _(
                        "SMS to %(country)s goes through %(provider)s, whose template %(code)s (%(language)s) is "
                        "still pending the provider's approval."
                    )
                    % {"country": country, "provider": label, "code": mine[0].code, "language": language}
                )
            else:
                template = approved[0]
                problems += [f"{label} {template.code}: {problem}" for problem in template.problems()]
                values = template_values(
                    notice.current_version, personal_url=link_prefix(), language=language
                )
                problems += [
                    _("%(provider)s %(code)s: the %(kind)s (%(value)s) is longer than a variable may be.")
                    % {"provider": label, "code": template.code, "kind": kind, "value": values[kind]}
                    for kind in template.too_long(values)
                ]
    return problems


def approved_template(provider: str, language: str) -> ProviderTemplate | None:
    """The provider's approved template in ``language``, else in any language; None when it has none."""
    approved = ProviderTemplate.objects.filter(provider=provider, status=TemplateStatus.APPROVED)
    return approved.filter(language=language).order_by("pk").first() or approved.order_by("pk").first()


def template_values(version, *, personal_url: str, language: str) -> dict[str, str]:
    """The values of each parameter kind for one person: reference, link key, short date."""
    facts = version.facts
    when = facts.get("occurred_at") or facts.get("aware_at")
    return {
        "reference": facts.get("ref", ""),
        "link": link_key(personal_url),
        "date": format_when(when, zone=zone_for("CN"), language=language, date_only=True),
    }


def link_key(personal_url: str) -> str:
    """The part of a personal link after ``BREACHLINE_BASE_URL/n/``: the one value that differs per person."""
    return personal_url.removeprefix(link_prefix()).rstrip("/")


def fill_template(template: ProviderTemplate, values: dict[str, str]) -> FilledTemplate:
    params, text = template.fill(values)
    return FilledTemplate(provider=template.provider, code=template.code, params=params, text=text)


def template_preview(*, version, provider: str, language: str, personal_url: str) -> str | None:
    """The SMS a person routed to ``provider`` reads, signature aside; None when it has no approved template."""
    template = approved_template(provider, language)
    if template is None:
        return None
    return fill_template(
        template, template_values(version, personal_url=personal_url, language=language)
    ).text
