"""The dashboard's search and filters (django-filter): every choice is a query-string key, so a URL shares it."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, IncidentState, Obligation
from incidents.ownership import possible_owners


def _open_duties():
    return Obligation.objects.filter(incident=OuterRef("pk"), applies=True, status__in=Obligation.UNFINISHED)


def _jurisdiction_choices() -> list[tuple[str, str]]:
    codes = (Obligation.objects.filter(applies=True, status__in=Obligation.UNFINISHED)
             .exclude(incident__state=IncidentState.CLOSED)
             .order_by("jurisdiction").values_list("jurisdiction", flat=True).distinct())
    return [(code, code) for code in codes]


class DashboardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or reference"), method="filter_text")
    state = django_filters.ChoiceFilter(label=_("State"), choices=IncidentState.choices, empty_label=_("Any open"))
    jurisdiction = django_filters.ChoiceFilter(
        label=_("Jurisdiction of an open duty"), choices=_jurisdiction_choices, method="filter_jurisdiction",
        empty_label=_("Any"))
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=possible_owners(), empty_label=_("Anyone"))
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput)

    class Meta:
        model = Incident
        fields = ["q", "state", "jurisdiction", "owner", "overdue"]

    def filter_queryset(self, queryset):
        """Closed incidents appear only when that state is asked for."""
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.exclude(state=IncidentState.CLOSED)
        return super().filter_queryset(queryset)

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(ref__icontains=value.strip()))

    def filter_jurisdiction(self, queryset, name, value):
        return queryset.filter(Exists(_open_duties().filter(jurisdiction=value)))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(_open_duties().filter(due_at__lt=timezone.now())))


class RegisterFilter(django_filters.FilterSet):
    """The register's filters, shared by its page, its API and nothing else."""

    q = django_filters.CharFilter(label=_("Title or reference"), method="filter_text")
    state = django_filters.ChoiceFilter(label=_("State"), choices=IncidentState.choices, empty_label=_("Any"))
    jurisdiction = django_filters.CharFilter(label=_("Where affected people live (code)"),
                                             field_name="affected__jurisdiction", distinct=True)
    aware_after = django_filters.DateFilter(label=_("Aware on or after"), field_name="aware_at", lookup_expr="date__gte",
                                            widget=forms.DateInput(attrs={"type": "date"}))
    aware_before = django_filters.DateFilter(label=_("Aware on or before"), field_name="aware_at",
                                             lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"}))
    not_notifiable = django_filters.BooleanFilter(label=_("Closed as not notifiable only"), method="filter_not_notifiable",
                                                  widget=forms.CheckboxInput)

    class Meta:
        model = Incident
        fields = ["q", "state", "jurisdiction", "aware_after", "aware_before", "not_notifiable"]

    filter_text = DashboardFilter.filter_text

    def filter_not_notifiable(self, queryset, name, value):
        return queryset.exclude(closure_reason="") if value else queryset
