"""The route of each SMS: the providers the organisation's routing table names for the number, with what each sends.

Read once per batch: the routing table and each provider's approved template per
language. A template-only provider (Tencent Cloud, Alibaba Cloud) gets its
registered template filled with the incident reference, the person's link key
and the breach's date; Twilio gets the notice's own SMS text. A template-only
provider with no approved template (approval requires one, but a template can
be withdrawn later) is left out, so the next provider carries the message.
"""

from __future__ import annotations

from incidents.models import OrganisationProfile
from notifications.channels.base import RouteStep
from notifications.channels.routing import TEMPLATE_PROVIDERS, sms_route
from notifications.models import Delivery, ProviderTemplate
from notifications.notices.provider_templates import (
    approved_template,
    fill_template,
    link_key,
    template_values,
)


class SmsRoutes:
    def __init__(self) -> None:
        self._routes = OrganisationProfile.current().sms_routes or []
        self._templates: dict[tuple[str, str], ProviderTemplate | None] = {}
        self._shared: dict[tuple[int, str], dict[str, str]] = {}

    def route_for(self, delivery: Delivery, number: str) -> tuple[RouteStep, ...]:
        """The steps for ``number``, in the order to try them."""
        steps = []
        for provider in sms_route(number, self._routes):
            if provider not in TEMPLATE_PROVIDERS:
                steps.append(RouteStep(provider))
                continue
            template = self._template(provider, delivery.language)
            if template is not None:
                filled = fill_template(template, self._values(delivery))
                steps.append(RouteStep(provider, filled.code, filled.params, filled.text))
        return tuple(steps)

    def _template(self, provider: str, language: str) -> ProviderTemplate | None:
        if (provider, language) not in self._templates:
            self._templates[provider, language] = approved_template(provider, language)
        return self._templates[provider, language]

    def _values(self, delivery: Delivery) -> dict[str, str]:
        """Reference and date are the same for everyone of a version and language; the link key is the person's."""
        key = (delivery.version_id, delivery.language)
        if key not in self._shared:
            self._shared[key] = template_values(delivery.version, personal_url="", language=delivery.language)
        return {**self._shared[key], "link": link_key(delivery.recipient.personal_url)}
