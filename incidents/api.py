"""REST API for incidents: thin views over the services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents import selectors, services
from incidents.serializers import AuditEventSerializer, IncidentSerializer, TransitionSerializer


class IncidentListCreate(ListAPIView):
    serializer_class = IncidentSerializer

    def get_queryset(self):
        return selectors.incident_list(user=self.request.user)

    @extend_schema(request=IncidentSerializer, responses={201: IncidentSerializer})
    def post(self, request):
        serializer = IncidentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_create(actor=request.user, **serializer.validated_data)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetail(APIView):
    serializer_class = IncidentSerializer

    def get(self, request, ref: str):
        return Response(IncidentSerializer(selectors.incident_get(user=request.user, ref=ref)).data)

    @extend_schema(request=IncidentSerializer, responses=IncidentSerializer)
    def patch(self, request, ref: str):
        incident = selectors.incident_get(user=request.user, ref=ref)
        serializer = IncidentSerializer(incident, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_update(actor=request.user, incident=incident, **serializer.validated_data)
        return Response(IncidentSerializer(incident).data)


class IncidentTransition(APIView):
    serializer_class = TransitionSerializer

    @extend_schema(request=TransitionSerializer, responses=IncidentSerializer)
    def post(self, request, ref: str, name: str):
        incident = selectors.incident_get(user=request.user, ref=ref)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"] or serializer.validated_data["summary"]
        incident = services.incident_transition(actor=request.user, incident=incident, name=name, reason=reason)
        return Response(IncidentSerializer(incident).data)


class IncidentAudit(ListAPIView):
    serializer_class = AuditEventSerializer
    pagination_class = None

    def get_queryset(self):
        incident = selectors.incident_get(user=self.request.user, ref=self.kwargs["ref"])
        return selectors.incident_audit_events(user=self.request.user, incident=incident)
