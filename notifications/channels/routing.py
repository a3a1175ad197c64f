"""Which SMS providers carry a number, in order: the organisation's routing table, read as plain data.

A route is ``{"country": "CN", "prefix": "+861", "providers": ["sms_tencent", "sms_aliyun", "sms_twilio"]}``;
the first route whose prefix starts the number wins, and a number no route matches goes through
Twilio. The first provider is tried first; the next ones are the fallback when it fails.
"""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext_lazy

DEFAULT_ROUTE = ("sms_twilio",)
# Providers that send only templates registered with them beforehand.
TEMPLATE_PROVIDERS = ("sms_tencent", "sms_aliyun")
PROVIDER_LABELS = {
    "sms_tencent": gettext_lazy("Tencent Cloud SMS"),
    "sms_aliyun": gettext_lazy("Alibaba Cloud SMS"),
    "sms_twilio": gettext_lazy("Twilio"),
}


def sms_route(number: str, routes: list[dict]) -> tuple[str, ...]:
    """The providers for ``number`` (E.164), in the order to try them."""
    for route in routes:
        if number.startswith(route["prefix"]):
            return tuple(route["providers"])
    return DEFAULT_ROUTE


def route_country(route: dict) -> str:
    """The country a route serves: its ``country``, else the one its calling code belongs to."""
    if route.get("country"):
        return route["country"]
    digits = route["prefix"].lstrip("+")
    for length in (3, 2, 1):
        region = phonenumbers.region_code_for_country_code(int(digits[:length] or 0))
        if region != "ZZ":
            return region
    return ""
