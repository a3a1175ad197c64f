"""REST API for incidents: thin views over the services and selectors."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents import access, obligations, selectors, services
from incidents.rules.answer import plan_answer, split_options
from incidents.rules.facts import FactsError
from incidents.serializers import (
    AssessmentSerializer,
    AuditEventSerializer,
    IncidentSerializer,
    LawEnforcementDelaySerializer,
    NoHarmDeterminationSerializer,
    ObligationSerializer,
    ObligationStatusSerializer,
    OrganisationProfileSerializer,
    RiskAssessmentSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    TransitionSerializer,
)


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


class IncidentAssessment(APIView):
    serializer_class = AssessmentSerializer

    @extend_schema(request=AssessmentSerializer, responses=RiskAssessmentSerializer)
    def put(self, request, ref: str):
        incident = selectors.incident_get(user=request.user, ref=ref)
        serializer = AssessmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        override, reason = data.pop("risk_override"), data.pop("override_reason")
        record = services.risk_assessment_update(
            actor=request.user, incident=incident, assessment=data, risk_override=override, override_reason=reason
        )
        return Response(RiskAssessmentSerializer(record).data)


class IncidentNoHarmDetermination(APIView):
    """Legal's determination that harm is not reasonably likely: PUT records it, DELETE withdraws it."""

    serializer_class = NoHarmDeterminationSerializer

    @extend_schema(request=NoHarmDeterminationSerializer, responses=IncidentSerializer)
    def put(self, request, ref: str):
        incident = selectors.incident_get(user=request.user, ref=ref)
        serializer = NoHarmDeterminationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_no_harm_determine(
            actor=request.user, incident=incident, reason=serializer.validated_data["reason"]
        )
        return Response(IncidentSerializer(incident).data)

    @extend_schema(request=None, responses=IncidentSerializer)
    def delete(self, request, ref: str):
        incident = selectors.incident_get(user=request.user, ref=ref)
        incident = services.incident_no_harm_withdraw(actor=request.user, incident=incident)
        return Response(IncidentSerializer(incident).data)


class IncidentObligations(ListAPIView):
    serializer_class = ObligationSerializer
    pagination_class = None

    def get_queryset(self):
        incident = selectors.incident_get(user=self.request.user, ref=self.kwargs["ref"])
        return selectors.incident_obligations(user=self.request.user, incident=incident)


class ObligationStatusChange(APIView):
    """``met/`` records when the duty was fulfilled; ``exempt/`` records why it need not be."""

    serializer_class = ObligationStatusSerializer
    change: str = "met"

    @extend_schema(request=ObligationStatusSerializer, responses=ObligationSerializer)
    def post(self, request, pk: int):
        obligation = selectors.obligation_get(user=request.user, pk=pk)
        serializer = ObligationStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        if self.change == "exempt":
            obligation = obligations.obligation_exempt(actor=request.user, obligation=obligation, reason=reason)
        else:
            met_at = serializer.validated_data.get("met_at") or timezone.now()
            obligation = obligations.obligation_mark_met(
                actor=request.user, obligation=obligation, met_at=met_at, reason=reason,
                reference=serializer.validated_data["reference"],
            )
        return Response(ObligationSerializer(obligation).data)


class IncidentLawEnforcementDelays(APIView):
    serializer_class = LawEnforcementDelaySerializer

    @extend_schema(request=LawEnforcementDelaySerializer, responses=LawEnforcementDelaySerializer)
    def post(self, request, ref: str):
        incident = selectors.incident_get(user=request.user, ref=ref)
        serializer = LawEnforcementDelaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delay = services.law_enforcement_delay_record(
            actor=request.user, incident=incident, **serializer.validated_data
        )
        return Response(LawEnforcementDelaySerializer(delay).data, status=status.HTTP_201_CREATED)


class LawEnforcementDelayConfirm(APIView):
    """Legal confirms a delay a responder recorded: only then do the deadlines it pauses move."""

    @extend_schema(request=None, responses={200: LawEnforcementDelaySerializer, 403: OpenApiTypes.OBJECT,
                                            409: OpenApiTypes.OBJECT})
    def post(self, request, ref: str, pk: int):
        delay = selectors.law_enforcement_delay_get(user=request.user, ref=ref, pk=pk)
        delay = services.law_enforcement_delay_confirm(actor=request.user, delay=delay)
        return Response(LawEnforcementDelaySerializer(delay).data)


class LegalHoldSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class IncidentLegalHold(APIView):
    """PUT places a legal hold on the affected people's contact details (with its reason); DELETE releases it."""

    @extend_schema(request=LegalHoldSerializer, responses={200: IncidentSerializer, 403: OpenApiTypes.OBJECT})
    def put(self, request, ref: str):
        serializer = LegalHoldSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_legal_hold_place(
            actor=request.user, incident=selectors.incident_get(user=request.user, ref=ref), **serializer.validated_data
        )
        return Response(IncidentSerializer(incident).data)

    @extend_schema(request=None, responses={200: IncidentSerializer, 403: OpenApiTypes.OBJECT})
    def delete(self, request, ref: str):
        incident = services.incident_legal_hold_release(
            actor=request.user, incident=selectors.incident_get(user=request.user, ref=ref)
        )
        return Response(IncidentSerializer(incident).data)


class ObligationsPlan(APIView):
    """The planner: facts in, plan out; ``explain`` adds each decision's trace, ``what_if`` the changes
    one fact would make. Nothing is stored."""

    @extend_schema(request=dict, responses=dict)
    def post(self, request):
        try:
            facts, options = split_options(request.data)
            return Response(plan_answer(facts, **options))
        except FactsError as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc


class OrganisationProfileView(APIView):
    serializer_class = OrganisationProfileSerializer

    def get(self, request):
        return Response(OrganisationProfileSerializer(selectors.organisation_profile(user=request.user)).data)

    @extend_schema(request=OrganisationProfileSerializer, responses=OrganisationProfileSerializer)
    def patch(self, request):
        serializer = OrganisationProfileSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.organisation_profile_update(actor=request.user, **serializer.validated_data)
        return Response(OrganisationProfileSerializer(profile).data)


class ApiToken(APIView):
    """Trade a user name and password for an expiring token; DELETE revokes the token used."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = access.api_token_create(request=request._request, **serializer.validated_data)
        if issued is None:
            if getattr(request._request, "axes_locked_out", False):
                return Response({"detail": access.lockout_message(), "code": "locked_out"}, status=429)
            raise ValidationError({"non_field_errors": ["Unable to log in with the user name and password given."]})
        key, token = issued
        return Response(TokenSerializer({"token": key, "expiry": token.expiry}).data)

    @extend_schema(request=None, responses={204: None, 401: OpenApiTypes.OBJECT})
    def delete(self, request):
        if not isinstance(request.auth, AuthToken):
            raise NotAuthenticated("Send the token to revoke in the Authorization header.")
        access.api_token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
