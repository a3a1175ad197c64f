"""Django admin for every incidents model; transitions run through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from incidents import services
from incidents.audit import AuditEvent
from incidents.errors import Conflict
from incidents.models import (
    AffectedPopulation,
    ChecklistTemplateItem,
    Incident,
    IncidentType,
    LawEnforcementDelay,
    Obligation,
    OrganisationProfile,
    RiskAssessment,
)


def _transition_action(name: str):
    @admin.action(description=f"Transition: {name.replace('_', ' ')}")
    def action(modeladmin, request, queryset):
        for incident in queryset:
            try:
                services.incident_transition(actor=request.user, incident=incident, name=name)
            except (Conflict, PermissionDenied, ValidationError) as exc:
                modeladmin.message_user(request, f"{incident.ref}: {exc}", level=messages.ERROR)
            else:
                modeladmin.message_user(request, f"{incident.ref}: {name.replace('_', ' ')} recorded.")

    action.__name__ = f"transition_{name}"
    return action


class AffectedPopulationInline(admin.TabularInline):
    """Read-only here: counts change through the API or imports, which audit them."""

    model = AffectedPopulation
    extra = 0
    can_delete = False
    readonly_fields = ["jurisdiction", "declared_count", "identified_count"]

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence is shown, never added, edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["ref", "title", "state", "aware_at", "created_by"]
    list_filter = ["state"]
    search_fields = ["ref", "title"]
    readonly_fields = ["ref", "state", "contained_at", "assessed_at", "closed_at", "created_by", "created_at"]
    inlines = [AffectedPopulationInline]
    actions = [_transition_action(name) for name in Incident.TRANSITIONS]

    def save_model(self, request, obj, form, change):
        """Route admin edits through the services so they are validated and audited."""
        fields = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            services.incident_update(actor=request.user, incident=obj, **fields)
        else:
            created = services.incident_create(actor=request.user, **fields)
            obj.pk, obj.ref = created.pk, created.ref


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["incident", "seq", "action", "actor_name", "from_state", "to_state", "created_at"]
    list_filter = ["action"]
    search_fields = ["incident__ref", "action", "actor_name"]


@admin.register(Obligation)
class ObligationAdmin(admin.ModelAdmin):
    list_display = ["incident", "jurisdiction", "audience", "authority", "due_at", "status", "rule_status"]
    list_filter = ["status", "audience", "rule_status"]
    search_fields = ["incident__ref", "jurisdiction", "authority"]
    readonly_fields = [field.name for field in Obligation._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = ["incident", "score", "computed_level", "risk_override", "completed_at"]
    readonly_fields = [field.name for field in RiskAssessment._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "dpo_email", "eu_main_establishment", "default_role"]

    def save_model(self, request, obj, form, change):
        """Route edits through the service: audited, and every open incident is re-planned."""
        fields = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS if name in form.cleaned_data}
        obj.pk = services.organisation_profile_update(actor=request.user, **fields).pk

    def has_add_permission(self, request):
        return not OrganisationProfile.objects.exists() and super().has_add_permission(request)


@admin.register(LawEnforcementDelay)
class LawEnforcementDelayAdmin(admin.ModelAdmin):
    list_display = ["incident", "agency", "form", "starts_at", "ends_at", "recorded_by"]
    readonly_fields = [field.name for field in LawEnforcementDelay._meta.fields]

    def has_add_permission(self, request):
        return False


class ChecklistTemplateItemInline(admin.TabularInline):
    model = ChecklistTemplateItem
    extra = 1


@admin.register(IncidentType)
class IncidentTypeAdmin(admin.ModelAdmin):
    """The emergency plan per kind of incident: new incidents of the type get these items."""

    list_display = ["name", "code"]
    inlines = [ChecklistTemplateItemInline]
