from django.urls import path

from incidents import checklist_views, ownership, views

urlpatterns = [
    path("incidents/", views.incident_list, name="incident-list"),
    path("preferences/", views.preferences, name="preferences"),
    path("organisation/", views.organisation_profile, name="organisation-profile"),
    path("preferences/language/", views.language_switch, name="language-switch"),
    path("incidents/new/", views.incident_create, name="incident-create"),
    path("incidents/<str:ref>/", views.incident_detail, name="incident-detail"),
    path("incidents/<str:ref>/edit/", views.incident_edit, name="incident-edit"),
    path("incidents/<str:ref>/owner/", ownership.incident_owner, name="incident-owner"),
    path("incidents/<str:ref>/delete-drill/", ownership.drill_delete, name="drill-delete"),
    path("incidents/<str:ref>/checklist/", checklist_views.incident_checklist, name="incident-checklist"),
    path("incidents/<str:ref>/checklist/<int:pk>/<str:action>/", checklist_views.checklist_item_action,
         name="checklist-item"),
    path("incidents/<str:ref>/assessment/", views.incident_assess, name="incident-assess"),
    path("incidents/<str:ref>/assessment/override/", views.incident_risk_override, name="incident-risk-override"),
    path("incidents/<str:ref>/no-harm-determination/", views.incident_no_harm, name="incident-no-harm"),
    path("incidents/<str:ref>/law-enforcement-delays/", views.law_enforcement_delay, name="incident-delay"),
    path("incidents/<str:ref>/legal-hold/", views.legal_hold_place, name="incident-legal-hold"),
    path("incidents/<str:ref>/legal-hold/release/", views.legal_hold_release, name="incident-legal-hold-release"),
    path("incidents/<str:ref>/law-enforcement-delays/<int:pk>/confirm/", views.law_enforcement_delay_confirm,
         name="incident-delay-confirm"),
    path("incidents/<str:ref>/transitions/<str:name>/", views.incident_transition, name="incident-transition"),
    path("obligations/<int:pk>/met/", views.obligation_met, name="obligation-met"),
    path("obligations/<int:pk>/exempt/", views.obligation_exempt, name="obligation-exempt"),
]
