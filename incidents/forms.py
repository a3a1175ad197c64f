"""Forms for the server-rendered pages; they parse input, the services decide."""

from __future__ import annotations

import json

from django import forms

from incidents import risk
from incidents.rules import categories


class IncidentForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    systems_affected = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    occurred_at = forms.DateTimeField(required=False, help_text="ISO 8601 with offset, e.g. 2026-03-26T08:00+01:00")
    aware_at = forms.DateTimeField(help_text="When the organisation became aware: every legal clock starts here.")
    affected = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text='People per jurisdiction as JSON, e.g. {"DE": 1200, "US-CA": 501}',
    )
    data_categories = forms.MultipleChoiceField(
        choices=[(category.code, category.label) for category in categories.CATEGORIES],
        widget=forms.CheckboxSelectMultiple, required=False,
    )
    encrypted = forms.BooleanField(required=False, label="Affected data encrypted at rest")
    key_compromised = forms.BooleanField(required=False, label="Encryption key compromised")
    redacted = forms.BooleanField(required=False, label="Affected data redacted or truncated")

    def clean_affected(self) -> dict[str, int]:
        raw = self.cleaned_data["affected"].strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg}.") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError('Write an object such as {"DE": 1200}.')
        return value


class AssessmentForm(forms.Form):
    ease_of_identification = forms.ChoiceField(choices=risk.EASE_OF_IDENTIFICATION_CHOICES)
    confidentiality = forms.ChoiceField(choices=risk.CONFIDENTIALITY_CHOICES)
    integrity = forms.ChoiceField(choices=risk.INTEGRITY_CHOICES)
    availability = forms.ChoiceField(choices=risk.AVAILABILITY_CHOICES)
    malicious = forms.BooleanField(required=False, label="Malicious intent")
