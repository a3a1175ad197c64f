"""Form fields whose input cannot be misread: a wall-clock time with its zone, a jurisdiction code, labels by language."""

from __future__ import annotations

import gettext
import re
import zoneinfo
from datetime import datetime
from functools import cache
from typing import Any

import pycountry
from django import forms
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.rules import categories, jurisdictions
from incidents.zones import LocalTimeError, is_known_zone, local_to_aware, zone_names

# What a datetime-local control sends: nothing else is read, so "05/12/2026" is never guessed at.
_LOCAL_INPUT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")


def _chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


class ZoneSelect(forms.Select):
    """The time-zone select, its ~600 options written as one string instead of one template per option:
    a page with a dozen date fields (the obligations table) otherwise spends seconds on them."""

    template_name = "incidents/widgets/zone_select.html"

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)
        selected = str(context["widget"]["value"][0]) if context["widget"]["value"] else ""
        context["widget"]["options_html"] = _zone_options(selected)
        return context


@cache
def _all_zone_options() -> str:
    return "".join(format_html('<option value="{}">{}</option>', name, name) for name in zone_names())


def _zone_options(selected: str) -> str:
    options = _all_zone_options()
    chosen = format_html('<option value="{}">', selected)
    return mark_safe(options.replace(chosen, chosen[:-1] + " selected>", 1))  # noqa: S308 (built with format_html)


class ZonedDateTimeWidget(forms.MultiWidget):
    """A ``datetime-local`` control and a time-zone select, named ``<name>`` and ``<name>_zone``."""

    template_name = "incidents/widgets/zoned_datetime.html"

    def __init__(self, attrs=None):
        self.default_zone = "UTC"
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "zone": ZoneSelect(),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime):
            local = timezone.localtime(value, zoneinfo.ZoneInfo(self.default_zone))
            return [local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M"), self.default_zone]
        return [None, self.default_zone]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        moment = context["widget"]["subwidgets"][0]
        if isinstance(moment["value"], str) and moment["value"].count(":") == 2:
            # A time with seconds (set through the API) would fail the control's default one-minute step.
            moment["attrs"]["step"] = "1"
        return context

    def value_from_datadict(self, data, files, name):
        moment, zone = super().value_from_datadict(data, files, name)
        return [moment, zone or self.default_zone]


class ZoneChoiceField(forms.ChoiceField):
    """A known IANA zone name, checked against the zone list instead of a copy of its ~600 choices in
    every form."""

    def valid_value(self, value) -> bool:
        return is_known_zone(str(value))


class ZonedDateTimeField(forms.MultiValueField):
    """An aware datetime from a wall-clock time and the zone it was read in; free text is refused."""

    widget = ZonedDateTimeWidget

    def __init__(self, *, required: bool = True, **kwargs):
        fields = (forms.CharField(required=False), ZoneChoiceField())
        super().__init__(fields, required=required, require_all_fields=False, **kwargs)

    def set_default_zone(self, zone_name: str) -> None:
        self.widget.default_zone = zone_name

    def compress(self, data_list):
        if not data_list or not data_list[0]:
            # The zone select always sends a value, so an empty time does not count as "all empty".
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        text, zone_name = data_list[0].strip(), data_list[1] or self.widget.default_zone
        if not _LOCAL_INPUT.match(text):
            raise forms.ValidationError(
                _("%(field)s: “%(value)s” is not read. Pick the date and time with the calendar control "
                  "(year-month-day hour:minute); typed dates such as 05/12/2026 could mean 5 December or "
                  "12 May, so they are never guessed.") % {"field": self.label, "value": text},
                code="free_text",
            )
        try:
            return local_to_aware(datetime.fromisoformat(text), zone_name)
        except ValueError as exc:
            if isinstance(exc, LocalTimeError):
                raise forms.ValidationError(self._dst_message(str(exc), text, zone_name), code="dst") from exc
            raise forms.ValidationError(
                _("%(field)s: “%(value)s” is not a date that exists.") % {"field": self.label, "value": text},
                code="invalid",
            ) from exc

    def _dst_message(self, kind: str, text: str, zone_name: str) -> str:
        if kind == "skipped":
            message = _("%(field)s: %(value)s does not exist in %(zone)s (the clocks skip that hour). "
                        "Give the time in UTC or another zone.")
        else:
            message = _("%(field)s: %(value)s happens twice in %(zone)s (the clocks go back). "
                        "Give the time in UTC so it names one instant.")
        return message % {"field": self.label, "value": text.replace("T", " "), "zone": zone_name}


def category_label(code: str) -> str:
    category = categories.BY_CODE[code]
    return category.label_zh if _chinese() else category.label


def category_group_label(group: str) -> str:
    english, chinese = categories.GROUP_LABELS[group]
    return chinese if _chinese() else english


def grouped_category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the data categories grouped (identity, contact, credentials, ...) in their labels' language."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in categories.CATEGORIES:
        groups.setdefault(category.group, []).append((category.code, category_label(category.code)))
    return [(category_group_label(group), choices) for group, choices in groups.items()]


@cache
def _iso_translation(domain: str, language: str):
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _subdivided_country(code: str) -> str:
    """Return the country name a subdivision code (``US-CA``, ``CA-QC``) is shown with, or ""."""
    country = code.partition("-")[0] if "-" in code else ""
    return {"US": _("United States"), "CA": _("Canada")}.get(country, "")


def jurisdiction_label(code: str) -> str:
    """Return the country, US state or Canadian province name of a residence code, in the active language."""
    suffix = _subdivided_country(code)
    if suffix:
        record, domain = pycountry.subdivisions.get(code=code), "iso3166-2"
        name = record.name if record else code
    else:
        record, domain, suffix = pycountry.countries.get(alpha_2=code), "iso3166-1", ""
        name = getattr(record, "common_name", None) or (record.name if record else code)
    if _chinese():
        name = _iso_translation(domain, "zh_CN").gettext(name)
    return f"{name} ({suffix})" if suffix else name


def jurisdiction_options() -> list[tuple[str, str]]:
    """Return every residence code with its name, for the searchable picker."""
    codes = sorted(jurisdictions.known_codes())
    return [(code, jurisdiction_label(code)) for code in codes]


class AffectedRowForm(forms.Form):
    """One row of affected people: where they live, and how many."""

    jurisdiction = forms.CharField(
        label=gettext_lazy("Where they live"), max_length=10, required=False,
        widget=forms.TextInput(attrs={"list": "jurisdiction-options", "autocomplete": "off", "size": 8}),
        help_text=gettext_lazy(
            "Country code (DE, CN), US state (US-CA) or Canadian province (CA-QC): type a name or code to search."
        ),
    )
    count = forms.IntegerField(label=gettext_lazy("People"), min_value=0, required=False)

    def clean_jurisdiction(self) -> str:
        code = self.cleaned_data["jurisdiction"].strip().split(" ")[0].upper()
        if code and not jurisdictions.is_known_jurisdiction(code):
            raise forms.ValidationError(
                _("Unknown jurisdiction code %(code)s: pick one from the list (ISO 3166-1 alpha-2, US-XX "
                  "for a US state, CA-XX for a Canadian province).") % {"code": code}
            )
        return code

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("jurisdiction") and data.get("count") is None:
            self.add_error("count", _("How many people live there?"))
        return data


class BaseAffectedFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            code = form.cleaned_data.get("jurisdiction")
            if code in seen:
                raise forms.ValidationError(_("%(code)s appears twice: give one row per jurisdiction.") % {"code": code})
            if code:
                seen.add(code)

    def affected(self) -> dict[str, int]:
        return {
            form.cleaned_data["jurisdiction"]: form.cleaned_data["count"]
            for form in self.forms if form.cleaned_data.get("jurisdiction")
        }


AffectedFormSet = forms.formset_factory(AffectedRowForm, formset=BaseAffectedFormSet, extra=3)


def affected_formset(data=None, *, initial: dict[str, int] | None = None):
    rows = [{"jurisdiction": code, "count": count} for code, count in (initial or {}).items()]
    return AffectedFormSet(data, initial=rows or None, prefix="affected")
