"""API shapes. The incident's keys and shapes are the obligations planner's input keys."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from incidents.audit import AuditEvent
from incidents.models import Incident
from incidents.obligations import incident_no_harm_determination
from incidents.rules.facts import EARLIEST_YEAR, LATEST_YEAR
from incidents.services import NOTICE_FACTS


class OffsetDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset (``2026-03-27T10:00:00+01:00`` or ``...Z``), between 1990 and 2100.

    DRF would read a naive time in the server's zone: a legal clock an hour or more off, silently.
    """

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # well formed but impossible, such as minute 61
                self.fail("invalid", format="ISO 8601 with an offset, e.g. 2026-03-27T10:00:00+01:00")
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive", value=value)
        moment = super().to_internal_value(value)
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            self.fail("window", value=value)
        return moment

    default_error_messages = {
        "naive": "{value!r} has no time zone offset: write ISO 8601 with one, e.g. 2026-03-27T10:00:00+01:00 "
                 "or 2026-03-27T09:00:00Z.",
        "window": f"{{value!r}} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}.",
    }


class AffectedField(serializers.DictField):
    """``{"DE": 1200, "US-CA": 501}``: jurisdiction code to number of people."""

    child = serializers.IntegerField()

    def to_representation(self, value):
        return {row.jurisdiction: row.count for row in value.all()}


class MeasureSerializer(serializers.Serializer):
    """One measure taken: when (ISO 8601 with an offset) and what was done."""

    at = OffsetDateTimeField()
    text = serializers.CharField(max_length=2000)


class IncidentSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.DateTimeField: OffsetDateTimeField}
    affected = AffectedField(required=False)
    data_categories = serializers.ListField(child=serializers.CharField(), required=False)
    risk = serializers.SerializerMethodField()
    no_harm_determination = serializers.SerializerMethodField()
    measures = MeasureSerializer(many=True, required=False)

    class Meta:
        model = Incident
        fields = [
            "ref", "state", "title", "description", "systems_affected", "occurred_at", "aware_at",
            "determined_at", "materiality_determined_at", "individual_notice_sent_at", "contained_at", "assessed_at", "closed_at", "affected", "data_categories", "encrypted",
            "encrypted_in_transit", "key_compromised", "redacted", "no_harm_determination", "role",
            "containment_summary", "closure_reason", "risk", "created_at", "updated_at",
            "legal_hold_reason", "legal_hold_at", "contacts_purged_at", *NOTICE_FACTS,
        ]
        read_only_fields = [
            "legal_hold_reason", "legal_hold_at", "contacts_purged_at",
            "ref", "state", "contained_at", "assessed_at", "closed_at", "closure_reason", "risk",
            "created_at", "updated_at",
        ]

    def get_risk(self, incident: Incident) -> str | None:
        assessment = getattr(incident, "risk_assessment", None)
        return assessment.level or None if assessment else None

    def get_no_harm_determination(self, incident: Incident) -> dict | None:
        """``{"by", "at", "reason"}``: the planner's key, as recorded by legal; null when none."""
        determination = incident_no_harm_determination(incident)
        if determination is None:
            return None
        return {"by": determination.by, "at": determination.at, "reason": determination.reason}


class NoHarmDeterminationSerializer(serializers.Serializer):
    reason = serializers.CharField()


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = AuditEvent
        fields = ["seq", "actor", "action", "from_state", "to_state", "created_at", "payload", "prev_hash", "hash"]


class AssessmentSerializer(serializers.Serializer):
    """The planner's ``assessment`` keys, plus legal's override of the resulting level."""

    ease_of_identification = serializers.CharField()
    confidentiality = serializers.CharField()
    integrity = serializers.CharField()
    availability = serializers.CharField()
    volume = serializers.CharField(required=False, default="normal")
    malicious = serializers.BooleanField(default=False)
    risk_override = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class RiskAssessmentSerializer(serializers.Serializer):
    ease_of_identification = serializers.CharField()
    confidentiality = serializers.CharField()
    integrity = serializers.CharField()
    availability = serializers.CharField()
    volume = serializers.CharField()
    malicious = serializers.BooleanField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    computed_level = serializers.CharField()
    risk_override = serializers.CharField()
    override_reason = serializers.CharField()
    level = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)


class DueChangeSerializer(serializers.Serializer):
    previous_due_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    actor = serializers.CharField(source="actor_name")
    changed_at = serializers.DateTimeField()


class ObligationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    jurisdiction = serializers.CharField()
    audience = serializers.CharField()
    authority = serializers.CharField()
    clock_start = serializers.CharField()
    clock_started_at = serializers.DateTimeField(allow_null=True)
    clock_fact = serializers.CharField()
    clock_asserted_by = serializers.CharField()
    clock_asserted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    timing = serializers.CharField()
    basis = serializers.CharField()
    rule_status = serializers.CharField()
    content = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()
    status = serializers.CharField()
    status_reason = serializers.CharField()
    met_at = serializers.DateTimeField(allow_null=True)
    met_reference = serializers.CharField()
    applies = serializers.BooleanField()
    law_enforcement_delay_allowed = serializers.BooleanField()
    details = serializers.JSONField()
    due_changes = DueChangeSerializer(many=True)


class ObligationStatusSerializer(serializers.Serializer):
    met_at = OffsetDateTimeField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class LawEnforcementDelaySerializer(serializers.Serializer):
    agency = serializers.CharField()
    official = serializers.CharField(required=False, allow_blank=True, default="")
    form = serializers.CharField()
    statement = serializers.CharField()
    starts_at = OffsetDateTimeField()
    ends_at = OffsetDateTimeField()
    id = serializers.IntegerField(read_only=True)
    confirmed_by = serializers.CharField(source="confirmed_by.username", read_only=True, allow_null=True)
    confirmed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class OrganisationProfileSerializer(serializers.Serializer):
    legal_name = serializers.CharField(required=False)
    dpo_name = serializers.CharField(required=False)
    dpo_email = serializers.EmailField(required=False)
    dpo_phone = serializers.CharField(required=False, allow_blank=True)
    dpo_address = serializers.CharField(required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    eu_main_establishment = serializers.CharField(required=False, allow_blank=True)
    regimes = serializers.ListField(child=serializers.CharField(), required=False)
    default_role = serializers.CharField(required=False)
    identity_protection_offer = serializers.CharField(required=False, allow_blank=True)
    identity_protection_months = serializers.IntegerField(required=False, min_value=0)
    call_centre_phone = serializers.CharField(required=False, allow_blank=True)
    call_centre_hours = serializers.CharField(required=False, allow_blank=True)
    time_zone = serializers.CharField(required=False)
    sms_routes = serializers.ListField(child=serializers.DictField(), required=False)
    contact_retention_days = serializers.IntegerField(required=False, min_value=1, max_value=36500)
    eu_representative = serializers.CharField(required=False, allow_blank=True)
    pipl_representative = serializers.CharField(required=False, allow_blank=True)
    sending_domains = serializers.ListField(child=serializers.CharField(), required=False)
    email_sender = serializers.EmailField(required=False, allow_blank=True)
    sms_sender = serializers.CharField(required=False, allow_blank=True, max_length=40)
    reminder_minutes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=30 * 24 * 60), required=False, max_length=10)
    short_clock_reminder_minutes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=24 * 60), required=False, max_length=10)
    short_clock_hours = serializers.IntegerField(required=False, min_value=1, max_value=72)
    drill_recipients = serializers.ListField(
        child=serializers.CharField(max_length=254), required=False, max_length=100,
        help_text="The only e-mail addresses and phone numbers (E.164) a drill may import and send to.")


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=8, required=False, default="",
        help_text="The current code from the authenticator app (legal and admin users when 2FA is required).",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as 'Authorization: Token <token>'.")
    expiry = serializers.DateTimeField(help_text="The token stops working at this time.")
