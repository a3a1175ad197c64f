from django.urls import path

from incidents import views

urlpatterns = [
    path("", views.incident_list, name="incident-list"),
    path("incidents/new/", views.incident_create, name="incident-create"),
    path("incidents/<str:ref>/", views.incident_detail, name="incident-detail"),
    path("incidents/<str:ref>/assessment/", views.incident_assess, name="incident-assess"),
    path("incidents/<str:ref>/transitions/<str:name>/", views.incident_transition, name="incident-transition"),
]
