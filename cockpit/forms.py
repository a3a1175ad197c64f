"""Forms of the cockpit's own pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cockpit.small_case import SmallCasePerson

# One reminder time: days, hours and minutes, each optional, in either language ("1 d 12 h", "90 min", "2小时").
_SPAN = re.compile(
    r"^(?:(?P<days>\d+)\s*(?:d|day|days|天))?\s*(?:(?P<hours>\d+)\s*(?:h|hour|hours|小时))?"
    r"\s*(?:(?P<minutes>\d+)\s*(?:m|min|mins|minutes|分钟))?$", re.IGNORECASE)


def span_minutes(text: str) -> int | None:
    """Return the minutes "1 d 6 h", "6 h", "15 min" or "2小时" stand for; None when it is none of these."""
    match = _SPAN.match(text.strip())
    if not match or not any(match.groupdict().values()):
        return None
    days, hours, minutes = (int(match[name] or 0) for name in ("days", "hours", "minutes"))
    return (days * 24 + hours) * 60 + minutes


def span_text(minutes: int) -> str:
    """Write minutes back the way people type them: "1 d 6 h", "6 h", "1 h 30 min", "15 min"."""
    days, rest = divmod(int(minutes), 24 * 60)
    hours, rest = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{rest} min" if rest else ""]
    return " ".join(part for part in parts if part)


class ReminderTimesField(forms.CharField):
    """A comma-separated list of times before a deadline, e.g. "24 h, 6 h, 1 h", as minutes, largest first."""

    def __init__(self, *, longest_minutes: int, **kwargs) -> None:
        self.longest_minutes = longest_minutes
        super().__init__(max_length=200, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(span_text(minutes) for minutes in value)
        return value

    def to_python(self, value) -> Any:  # a list of minutes, where CharField's value is one str
        entries = [entry for entry in re.split(r"[,，;；]", super().to_python(value) or "") if entry.strip()]
        minutes, wrong = [], []
        for entry in entries:
            parsed = span_minutes(entry)
            if parsed is None or not 1 <= parsed <= self.longest_minutes:
                wrong.append(entry.strip())
            else:
                minutes.append(parsed)
        if wrong:
            raise ValidationError(_("Not a time before the deadline between 1 min and %(longest)s: %(wrong)s "
                                    "(write e.g. 24 h, 6 h, 1 h 30 min, 15 min).") % {
                                        "longest": span_text(self.longest_minutes), "wrong": ", ".join(wrong)})
        if not minutes:
            raise ValidationError(_("Give at least one time, e.g. 24 h."))
        if len(set(minutes)) > 10:
            raise ValidationError(_("At most 10 reminder times."))
        return sorted(set(minutes), reverse=True)


class ReminderSettingsForm(forms.Form):
    """The organisation's reminder times before a deadline; overdue alerts always go out."""

    reminder_minutes = ReminderTimesField(
        label=gettext_lazy("Reminders before a deadline"), longest_minutes=30 * 24 * 60,
        help_text=gettext_lazy("Comma-separated, e.g. 24 h, 6 h, 1 h."))
    short_clock_hours = forms.IntegerField(
        label=gettext_lazy("A short clock is at most this many hours long"), min_value=1, max_value=72,
        help_text=gettext_lazy("A 4-hour CAC report is a short clock; a 72-hour GDPR report is not."))
    short_clock_reminder_minutes = ReminderTimesField(
        label=gettext_lazy("Reminders before a short clock's deadline"), longest_minutes=24 * 60,
        help_text=gettext_lazy("Comma-separated, e.g. 2 h, 1 h, 15 min."))


class SmallCaseForm(forms.Form):
    """Each affected person's name and e-mail address (and residence, when the incident has more than one)."""

    def __init__(self, *args, size: int, jurisdictions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.size = size
        for number in range(1, size + 1):
            self.fields[f"name_{number}"] = forms.CharField(
                label=_("Person %(number)s: name") % {"number": number}, max_length=200)
            self.fields[f"email_{number}"] = forms.EmailField(
                label=_("Person %(number)s: e-mail address") % {"number": number}, max_length=254)
            if len(jurisdictions) > 1:
                self.fields[f"jurisdiction_{number}"] = forms.ChoiceField(
                    label=_("Person %(number)s: lives in") % {"number": number},
                    choices=[(code, code) for code in jurisdictions])
        self.only_jurisdiction = jurisdictions[0] if len(jurisdictions) == 1 else ""

    def people(self) -> list[SmallCasePerson]:
        """The people typed, in order."""
        return [SmallCasePerson(
            name=self.cleaned_data[f"name_{number}"], email=self.cleaned_data[f"email_{number}"],
            jurisdiction=self.cleaned_data.get(f"jurisdiction_{number}", self.only_jurisdiction))
            for number in range(1, self.size + 1)]


def small_case_form(*, incident, size: int, data=None) -> SmallCaseForm:
    """The small-case form for ``size`` people of ``incident`` (bound to ``data`` when given)."""
    return SmallCaseForm(data, size=size, jurisdictions=sorted(incident.affected_counts()), prefix="small")
