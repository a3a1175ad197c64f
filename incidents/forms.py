"""Forms for the server-rendered pages; they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from incidents import labels
from incidents.form_fields import ZonedDateTimeField, grouped_category_choices
from incidents.models import Finding, IncidentType, LawEnforcementDelay, PeopleInformed, Role
from incidents.rules.loader import load_rules
from incidents.zones import zone_names


class ZonedForm(forms.Form):
    """A form whose date-time fields start in the viewer's zone."""

    def __init__(self, *args, zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, ZonedDateTimeField):
                field.set_default_zone(zone)


class IncidentFactsForm(ZonedForm):
    """The facts the rules engine reads, plus the text people read. Affected people come in a formset."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    systems_affected = forms.CharField(
        label=_("Systems affected"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    occurred_at = ZonedDateTimeField(label=_("When it happened"), required=False,
                                     help_text=_("Leave empty when unknown."))
    aware_at = ZonedDateTimeField(label=_("When you became aware"),
                                  help_text=_("Every legal clock starts here."))
    data_categories = forms.MultipleChoiceField(
        label=_("Data involved"), choices=grouped_category_choices, widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    encrypted = forms.BooleanField(required=False, label=_("Affected data encrypted at rest"))
    encrypted_in_transit = forms.BooleanField(required=False, label=_("Affected data encrypted in transit"))
    key_compromised = forms.BooleanField(required=False, label=_("Encryption key compromised"))
    redacted = forms.BooleanField(required=False, label=_("Affected data redacted or truncated"))


class IncidentCreateForm(IncidentFactsForm):
    """The facts, plus what is fixed at creation: whether this is an exercise."""

    is_drill = forms.BooleanField(
        required=False, label=_("This is a drill (an exercise)"),
        help_text=_("Labelled DRILL everywhere, sent only to the test recipients, kept out of the register."),
    )
    drill_alerts = forms.BooleanField(required=False, label=_("Send deadline reminders for this drill"))
    incident_type = forms.ModelChoiceField(
        queryset=IncidentType.objects.all(), required=False, label=_("Kind of incident"),
        empty_label=_("Other (no emergency-plan checklist)"),
        help_text=_("Gives the incident its emergency-plan checklist; every item must be done or waived before "
                    "it is contained."),
    )


class IncidentEditForm(IncidentFactsForm):
    determined_at = ZonedDateTimeField(
        label=_("When a breach was determined"), required=False,
        help_text=_("Some US state clocks start when the organisation determined that a breach occurred."),
    )
    materiality_determined_at = ZonedDateTimeField(
        label=_("When the incident was found material"), required=False,
        help_text=_("SEC Form 8-K Item 1.05: four business days from this determination."),
    )


def _text(label, help_text="", rows: int = 2):
    return forms.CharField(label=label, help_text=help_text, required=False,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _finding(label):
    return forms.ChoiceField(label=label, required=False,
                             choices=[("", _("Not yet established"))] + list(Finding.choices))


class NoticeFactsForm(ZonedForm):
    """What notices and regulators' reports need to say; each stays a missing element until it is given."""

    GROUPS = (
        (_("What happened"), ("cause", "discovery", "discovered_at", "exposure_started_at", "exposure_ended_at",
                              "access_status", "exfiltration_status", "secrets_protection", "records_count")),
        (_("Measures and telling people"), ("measures_planned", "people_informed", "people_informed_at",
                                            "people_informed_reason")),
        (_("For the CAC report"), ("development", "attacker_leads", "evidence_preservation", "support_requested")),
        (_("Closing facts"), ("handling_closed_at", "accountability", "rectification", "lessons")),
    )

    cause = _text(_("Cause"), _("What caused the breach, as far as it is known."))
    discovery = _text(_("How it was discovered"))
    discovered_at = ZonedDateTimeField(label=_("When it was discovered"), required=False,
                                       help_text=_("Leave empty when it is the time you became aware."))
    exposure_started_at = ZonedDateTimeField(label=_("Data exposed from"), required=False)
    exposure_ended_at = ZonedDateTimeField(label=_("Data exposed until"), required=False)
    access_status = _finding(_("Access to the data by someone unauthorised"))
    exfiltration_status = _finding(_("Data copied out (exfiltration)"))
    secrets_protection = _text(_("How passwords or other secrets were protected"),
                               _("The hash algorithm (e.g. bcrypt, cost 12) or the encryption, and where keys were kept."))
    records_count = forms.IntegerField(label=_("Number of records"), min_value=0, required=False,
                                       help_text=_("Only where it differs from the number of people."))
    measures_planned = _text(_("Measures planned"))
    people_informed = forms.ChoiceField(label=_("Telling the affected people"), required=False,
                                        choices=[("", _("Not yet decided"))] + list(PeopleInformed.choices))
    people_informed_at = ZonedDateTimeField(label=_("When they will be told"), required=False)
    people_informed_reason = _text(_("Why they will not be told"))
    development = _text(_("How the incident may develop"))
    attacker_leads = _text(_("Leads on the attacker and the attack path"))
    evidence_preservation = _text(_("How the scene and evidence are preserved"))
    support_requested = _text(_("Further measures planned and support requested"))
    handling_closed_at = ZonedDateTimeField(label=_("When handling of the incident ended"), required=False,
                                            help_text=_("Starts the clock of the CAC closing report."))
    accountability = _text(_("Accountability"))
    rectification = _text(_("Rectification"))
    lessons = _text(_("Lessons learned"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("cause", "discovery", "secrets_protection", "measures_planned", "people_informed_reason",
                     "development", "attacker_leads", "evidence_preservation", "support_requested",
                     "accountability", "rectification", "lessons"):
            data[name] = (data.get(name) or "").strip()
        return data

    def groups(self) -> list[tuple[str | Promise, list]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]


class MeasureRowForm(ZonedForm):
    """One measure taken: when, and what was done."""

    at = ZonedDateTimeField(label=_("When"), required=False)
    text = forms.CharField(label=_("What was done"), max_length=2000, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("text", "").strip() and not data.get("at"):
            self.add_error("at", _("When was it done?"))
        if data.get("at") and not data.get("text", "").strip():
            self.add_error("text", _("What was done?"))
        return data


class BaseMeasureFormSet(forms.BaseFormSet):
    def measures(self) -> list[dict]:
        return [{"at": form.cleaned_data["at"], "text": form.cleaned_data["text"].strip()}
                for form in self.forms if form.cleaned_data.get("at")]


MeasureFormSet = forms.formset_factory(MeasureRowForm, formset=BaseMeasureFormSet, extra=2)


def measure_formset(data=None, *, initial: list[dict] | None = None, zone: str = "UTC"):
    rows = [{"at": parse_datetime(row["at"]), "text": row["text"]} for row in initial or []]
    return MeasureFormSet(data, initial=rows or None, prefix="measures", form_kwargs={"zone": zone})


def _radio(label, choices):
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect)


class AssessmentForm(forms.Form):
    """The ENISA questions, none answered in advance: each must be answered."""

    ease_of_identification = _radio(
        _("How easily can the people be identified from the data?"), labels.EASE_OF_IDENTIFICATION_CHOICES
    )
    confidentiality = _radio(_("Loss of confidentiality"), labels.CONFIDENTIALITY_CHOICES)
    integrity = _radio(_("Loss of integrity"), labels.INTEGRITY_CHOICES)
    availability = _radio(_("Loss of availability"), labels.AVAILABILITY_CHOICES)
    volume = forms.ChoiceField(
        label=_("Volume of the data"), choices=labels.VOLUME_CHOICES, widget=forms.RadioSelect, required=False,
        help_text=_("Leave unanswered for a normal volume."),
    )
    malicious = _radio(_("Was the breach malicious?"), [
        ("yes", _("Yes: intentional, e.g. theft or an attack")),
        ("no", _("No: an accident or an error")),
    ])

    def assessment(self) -> dict:
        data = dict(self.cleaned_data)
        data["malicious"] = data["malicious"] == "yes"
        data["volume"] = data.get("volume") or "normal"
        return data


class RiskOverrideForm(forms.Form):
    risk_override = forms.ChoiceField(
        label=_("Level legal decides on"),
        choices=[("", _("No override: use the assessed level"))] + list(labels.LEVEL_CHOICES),
        required=False,
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ObligationMetForm(ZonedForm):
    met_at = ZonedDateTimeField(label=_("When it was done"))
    reference = forms.CharField(
        label=_("Reference"), max_length=200, required=False,
        help_text=_("The authority's reference number, or where the evidence is kept."),
    )
    reason = forms.CharField(
        label=_("Reason for the delay"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("Required when this is later than the deadline."),
    )


class ObligationExemptForm(forms.Form):
    reason = forms.CharField(label=_("Why it is not owed"), widget=forms.Textarea(attrs={"rows": 2}))


class LawEnforcementDelayForm(ZonedForm):
    agency = forms.CharField(label=_("Agency"), max_length=200)
    official = forms.CharField(label=_("Official"), max_length=200, required=False)
    form = forms.ChoiceField(
        label=_("Form of the request"), widget=forms.RadioSelect,
        choices=[(LawEnforcementDelay.Form.WRITTEN, _("Written statement")),
                 (LawEnforcementDelay.Form.ORAL, _("Oral statement (documented; at most 30 days)"))],
    )
    statement = forms.CharField(label=_("What the agency asked for and why"), widget=forms.Textarea(attrs={"rows": 2}))
    starts_at = ZonedDateTimeField(label=_("Delay starts"))
    ends_at = ZonedDateTimeField(label=_("Delay ends"))


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for keeping the contact details (litigation, regulator inquiry)"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PreferenceForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Your time zone"), choices=lambda: [("", _("The organisation's zone"))] + [(n, n) for n in zone_names()],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=lambda: [("", _("The browser's language"))] + list(settings.LANGUAGES),
        required=False,
    )


class LinesField(forms.CharField):
    """A list of short texts typed one per line (blank lines ignored)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> Any:  # a list of str, where CharField's value is one str
        return [line.strip() for line in (super().to_python(value) or "").splitlines() if line.strip()]


class OrganisationProfileForm(forms.Form):
    """The organisation's own facts used by the planner and every notice, including the default time zone."""

    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    dpo_name = forms.CharField(label=_("Data protection officer / contact point"), max_length=200)
    dpo_email = forms.EmailField(label=_("Contact e-mail"))
    dpo_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    dpo_address = forms.CharField(label=_("Contact address"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    website = forms.URLField(label=_("Privacy website"), required=False, assume_scheme="https")
    eu_main_establishment = forms.CharField(
        label=_("EU main establishment"), max_length=2, required=False,
        help_text=_("ISO code of the EU member state; empty when there is none."))
    regimes = forms.MultipleChoiceField(
        label=_("Sector regimes that apply"), widget=forms.CheckboxSelectMultiple, required=False,
        choices=lambda: [(code, code) for code in sorted(load_rules().regimes)])
    default_role = forms.ChoiceField(label=_("Default role"), choices=Role.choices)
    identity_protection_offer = forms.CharField(
        label=_("Identity-protection offer"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    identity_protection_months = forms.IntegerField(label=_("Months of identity protection"), min_value=0)
    call_centre_phone = forms.CharField(label=_("Call centre phone"), max_length=40, required=False)
    call_centre_hours = forms.CharField(label=_("Call centre hours"), max_length=200, required=False)
    time_zone = forms.ChoiceField(
        label=_("Organisation's time zone"), choices=lambda: [(n, n) for n in zone_names()],
        help_text=_("Pages use it for people who have not chosen their own zone."))
    email_sender = forms.EmailField(
        label=_("E-mail sender"), required=False,
        help_text=_("The From address of every notice e-mail; the notices name it, so people can check it."))
    sms_sender = forms.CharField(
        label=_("SMS sender"), max_length=40, required=False,
        help_text=_("The sender name, number or messaging service our SMS come from (Twilio's "
                    "TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER); the notices name it."))
    sending_domains = LinesField(
        label=_("Sending domains"), required=False, max_length=2000,
        help_text=_("One domain per line (e.g. example.com): the e-mail sender and the links in notices must be "
                    "on one of them."))
    drill_recipients = LinesField(
        label=_("Drill test recipients"), required=False, max_length=5000,
        help_text=_("One e-mail address or phone number (with +country code) per line: the only people a drill "
                    "may import and send to."))
