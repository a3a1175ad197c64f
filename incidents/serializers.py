"""API shapes. The incident's keys and shapes are the obligations planner's input keys."""

from __future__ import annotations

from rest_framework import serializers

from incidents.audit import AuditEvent
from incidents.models import Incident


class AffectedField(serializers.DictField):
    """``{"DE": 1200, "US-CA": 501}``: jurisdiction code to number of people."""

    child = serializers.IntegerField()

    def to_representation(self, value):
        return {row.jurisdiction: row.count for row in value.all()}


class IncidentSerializer(serializers.ModelSerializer):
    affected = AffectedField(required=False)
    data_categories = serializers.ListField(child=serializers.CharField(), required=False)
    risk = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "ref", "state", "title", "description", "systems_affected", "occurred_at", "aware_at",
            "contained_at", "assessed_at", "closed_at", "affected", "data_categories", "encrypted",
            "encrypted_in_transit", "key_compromised", "role", "containment_summary", "closure_reason",
            "risk", "created_at", "updated_at",
        ]
        read_only_fields = [
            "ref", "state", "contained_at", "assessed_at", "closed_at", "closure_reason", "risk",
            "created_at", "updated_at",
        ]

    def get_risk(self, incident: Incident) -> str | None:
        assessment = getattr(incident, "risk_assessment", None)
        return assessment.level or None if assessment else None


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = AuditEvent
        fields = ["seq", "actor", "action", "from_state", "to_state", "created_at", "payload", "prev_hash", "hash"]
