from django.urls import path

from incidents import api

urlpatterns = [
    path("incidents/", api.IncidentListCreate.as_view(), name="api-incidents"),
    path("incidents/<str:ref>/", api.IncidentDetail.as_view(), name="api-incident"),
    path("incidents/<str:ref>/transitions/<str:name>/", api.IncidentTransition.as_view(), name="api-incident-transition"),
    path("incidents/<str:ref>/audit/", api.IncidentAudit.as_view(), name="api-incident-audit"),
]
