"""Activate the signed-in person's own time zone and language for the pages."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone, translation

from incidents.models import OrganisationProfile, UserPreference


def preferences_middleware(get_response):
    """Pages show times in the person's zone (else the organisation's) and speak the language they chose.

    The API is left alone: it always answers UTC with an offset, whoever asks.
    """

    def middleware(request):
        if request.path.startswith("/api/"):
            return get_response(request)
        user = getattr(request, "user", None)
        preference = None
        if user is not None and user.is_authenticated:
            preference = UserPreference.objects.filter(user=user).first()
        zone_name = (preference and preference.time_zone) or OrganisationProfile.current().time_zone or "UTC"
        request.zone_name = zone_name
        timezone.activate(zoneinfo.ZoneInfo(zone_name))
        language = (preference and preference.language) or translation.get_language()
        request.LANGUAGE_CODE = language
        # override() puts the thread's language back afterwards: the next request or task run by this
        # thread must not speak the last person's language.
        try:
            with translation.override(language):
                return get_response(request)
        finally:
            timezone.deactivate()

    return middleware
