from django.urls import path

from incidents import api

urlpatterns = [
    path("incidents/", api.IncidentListCreate.as_view(), name="api-incidents"),
    path("incidents/<str:ref>/", api.IncidentDetail.as_view(), name="api-incident"),
    path("incidents/<str:ref>/transitions/<str:name>/", api.IncidentTransition.as_view(), name="api-incident-transition"),
    path("incidents/<str:ref>/audit/", api.IncidentAudit.as_view(), name="api-incident-audit"),
    path("incidents/<str:ref>/assessment/", api.IncidentAssessment.as_view(), name="api-incident-assessment"),
    path(
        "incidents/<str:ref>/no-harm-determination/", api.IncidentNoHarmDetermination.as_view(),
        name="api-incident-no-harm-determination",
    ),
    path("incidents/<str:ref>/obligations/", api.IncidentObligations.as_view(), name="api-incident-obligations"),
    path(
        "incidents/<str:ref>/law-enforcement-delays/", api.IncidentLawEnforcementDelays.as_view(),
        name="api-incident-law-enforcement-delays",
    ),
    path("incidents/<str:ref>/legal-hold/", api.IncidentLegalHold.as_view(), name="api-incident-legal-hold"),
    path(
        "incidents/<str:ref>/law-enforcement-delays/<int:pk>/confirm/", api.LawEnforcementDelayConfirm.as_view(),
        name="api-incident-law-enforcement-delay-confirm",
    ),
    path("obligations/plan/", api.ObligationsPlan.as_view(), name="api-obligations-plan"),
    path("obligations/<int:pk>/met/", api.ObligationStatusChange.as_view(change="met"), name="api-obligation-met"),
    path(
        "obligations/<int:pk>/exempt/", api.ObligationStatusChange.as_view(change="exempt"),
        name="api-obligation-exempt",
    ),
    path("organisation/", api.OrganisationProfileView.as_view(), name="api-organisation"),
]
