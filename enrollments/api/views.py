"""Oracle Utilities Digital Asset program enrollment endpoints: enroll, unenroll, and reading each back."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.errors import DomainError
from core.wire.oracle import OracleAPIView, error_responses

from .. import selectors, services
from ..models import Enrollment, Unenrollment
from . import errors
from .serializers import (
    DAEnrollRequestSerializer,
    DAEnrollResponseSerializer,
    DAUnenrollRequestSerializer,
    DAUnenrollResponseSerializer,
)

TAG = "Enrollments (Oracle Utilities Digital Asset)"
UNENROL_ROOT = "X1-DAUnenrol"
ENROL_ROOT = "X1-DAEnrol"
XML_NOTE = (
    "The same document is accepted as `application/xml` (any root element; a list is its element repeated) "
    "and answered in XML. In XML every value is text: an empty element is an empty string (never null), an "
    "empty list cannot be written, and numbers and booleans are read from their text."
)
ID_MAX_DIGITS = 18  # a BigAutoField fits; anything longer cannot exist

UNENROLL_EXAMPLE = {
    "transactionId": "DERMS-2025-000123",
    "unenrollReason": "CUSTOMEROPTOUT",
    "customerInfo": {"cisAccountId": "1589809012", "cisPersonId": "0023939882", "name": "Jane Doe"},
    "locationInfo": {
        "cisPremiseId": "5000000001",
        "cisServicePointID": "2486945183",
        "address1": "1 Main Street",
        "city": "Springfield",
        "state": "CA",
        "postal": "94000",
        "country": "USA",
    },
    "programInfo": {"programId": "DEMO-BYOT", "endDate": "2025-12-31"},
    "assetInfo": {"assetOwnership": "W1OW", "removalMethod": "X1UR"},
    "appointmentSlots": [
        {
            "activityType": "DEVREMOVAL",
            "crewId": "CREW01",
            "crewShiftId": "SHIFT0001",
            "startDateTime": "2025-12-15T09:00:00Z",
            "endDateTime": "2025-12-15T12:00:00Z",
            "workAvailabilityDuration": 3,
        }
    ],
}
UNENROLL_ANSWER = {
    "unenrollmentId": "1042",
    "status": "PENDING",
    "transactionId": "DERMS-2025-000123",
    "appointmentSlots": UNENROLL_EXAMPLE["appointmentSlots"],
}
UNENROLL_ERROR_ANSWER = {
    "unenrollmentId": "1043",
    "status": "ERROR",
    "transactionId": "DERMS-2025-000124",
    "appointmentSlots": [],
    "exception": {
        "messageCategory": "90000",
        "messageNumber": "10101",
        "expandedMessage": "No customer with cisAccountId 9999999999",
    },
}
ENROLL_EXAMPLE = {
    "transactionId": "PORTAL-2025-000777",
    "customerInfo": {"cisAccountId": "1589809012", "cisPersonId": "0023939882"},
    "locationInfo": {"address1": "1 Main Street", "city": "Springfield", "state": "CA", "postal": "94000"},
    "programInfo": {"programId": "DEMO-EV", "startDate": "2025-06-01"},
    "assetInfo": {"assetOwnership": "W1CO", "assetType": "EVCHARGER", "serialNumber": "EVC-0001"},
}
ENROLL_ANSWER = {
    "enrollmentId": "2001",
    "status": "ENROLLED",
    "transactionId": "PORTAL-2025-000777",
    "programId": "DEMO-EV",
    "startDate": "2025-06-01",
}


def _parse_id(value: str) -> int:
    if not value.isdigit() or len(value) > ID_MAX_DIGITS:
        raise exceptions.NotFound(f"No record with id {value[:40]}.")
    return int(value)


class DigitalAssetView(OracleAPIView):
    """The family base view of the Digital Asset endpoints (``permission_model`` set by each)."""

    domain_error_codes = errors.DOMAIN_ERROR_CODES

    def perform_content_negotiation(self, request, force=False):
        # ``?format=`` (empty) would silently mean "no format"; like an unknown format it is a 404.
        if not force and request.query_params.get(api_settings.URL_FORMAT_OVERRIDE) == "":
            raise exceptions.NotFound("Unknown format ''.")
        return super().perform_content_negotiation(request, force=force)


class ProgramUnenrollView(DigitalAssetView):
    """``POST /rest/apis/cross/digitalAssets/programEnrollments/unenroll`` (Create Program Unenrollment)."""

    xml_root_name = UNENROL_ROOT
    request_serializer_class = DAUnenrollRequestSerializer
    permission_model = Unenrollment

    @extend_schema(
        tags=[TAG],
        operation_id="createProgramUnenrollment",
        summary="Create Program Unenrollment",
        description=(
            "Resolves the customer (cisAccountId / cisPersonId, else name) and the service point "
            "(cisServicePointID, else cisPremiseId, else address), then unenrolls the active enrollment in "
            "programId on endDate (today or earlier: COMPLETED now; later: PENDING until that day). "
            "A request that cannot be resolved is recorded with status ERROR and an `exception`. "
            "The same transactionId returns the same unenrollment; with another body it is a 409. " + XML_NOTE
        ),
        request=DAUnenrollRequestSerializer,  # JSON and XML, the family's parsers
        responses={200: DAUnenrollResponseSerializer, **error_responses(404, 409)},
        examples=[
            OpenApiExample("Unenroll with utility removal", value=UNENROLL_EXAMPLE, request_only=True),
            OpenApiExample("Scheduled", value=UNENROLL_ANSWER, response_only=True, status_codes=["200"]),
            OpenApiExample("Not resolved", value=UNENROLL_ERROR_ANSWER, response_only=True, status_codes=["200"]),
        ],
    )
    def post(self, request):
        serializer = self.get_request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unenrollment = services.unenrollment_request(**serializer.service_arguments(), requested_by=request.user)
        return Response(DAUnenrollResponseSerializer(unenrollment).data)


class ProgramUnenrollDetailView(DigitalAssetView):
    """``GET .../programEnrollments/unenroll/{unenrollmentId}``: an unenrollment's current state."""

    xml_root_name = UNENROL_ROOT
    permission_model = Unenrollment

    @extend_schema(
        tags=[TAG],
        operation_id="readProgramUnenrollment",
        summary="Read Program Unenrollment",
        parameters=[OpenApiParameter("unenrollmentId", str, OpenApiParameter.PATH, description="System id.")],
        responses={200: DAUnenrollResponseSerializer, **error_responses(404)},
        examples=[OpenApiExample("Scheduled", value=UNENROLL_ANSWER, response_only=True, status_codes=["200"])],
    )
    def get(self, request, unenrollmentId: str):
        unenrollment = selectors.unenrollment_detail(unenrollment_id=_parse_id(unenrollmentId))
        if unenrollment is None:
            raise exceptions.NotFound(f"No unenrollment {unenrollmentId}.")
        return Response(DAUnenrollResponseSerializer(unenrollment).data)


class ProgramEnrollView(DigitalAssetView):
    """``POST /rest/apis/cross/digitalAssets/programEnrollments/enroll``."""

    xml_root_name = ENROL_ROOT
    request_serializer_class = DAEnrollRequestSerializer
    permission_model = Enrollment

    @extend_schema(
        tags=[TAG],
        operation_id="createProgramEnrollment",
        summary="Create Program Enrollment",
        description=(
            "Resolves exactly one customer and one service point as unenroll does, and enrolls them in "
            "programId from startDate (today when absent; later: PENDING). A customer already actively "
            "enrolled there answers status ERROR with an `exception` and nothing is recorded. The same "
            "transactionId returns the same enrollment; with another body it is a 409. " + XML_NOTE
        ),
        request=DAEnrollRequestSerializer,  # JSON and XML, the family's parsers
        responses={200: DAEnrollResponseSerializer, **error_responses(404, 409)},
        examples=[
            OpenApiExample("Enroll an EV charger", value=ENROLL_EXAMPLE, request_only=True),
            OpenApiExample("Enrolled", value=ENROLL_ANSWER, response_only=True, status_codes=["200"]),
        ],
    )
    def post(self, request):
        serializer = self.get_request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        arguments = serializer.service_arguments()
        try:
            enrollment = services.enrollment_request(**arguments)
        except DomainError as error:
            if not errors.is_business(error):
                raise  # answered by the family's envelope (a reused transactionId is a 409)
            return Response(errors.enroll_error_document(error, transaction_id=arguments["transaction_id"]))
        return Response(DAEnrollResponseSerializer(enrollment).data)


class ProgramEnrollDetailView(DigitalAssetView):
    """``GET .../programEnrollments/enroll/{enrollmentId}``: an enrollment's current state."""

    xml_root_name = ENROL_ROOT
    permission_model = Enrollment

    @extend_schema(
        tags=[TAG],
        operation_id="readProgramEnrollment",
        summary="Read Program Enrollment",
        parameters=[OpenApiParameter("enrollmentId", str, OpenApiParameter.PATH, description="System id.")],
        responses={200: DAEnrollResponseSerializer, **error_responses(404)},
        examples=[OpenApiExample("Enrolled", value=ENROLL_ANSWER, response_only=True, status_codes=["200"])],
    )
    def get(self, request, enrollmentId: str):
        enrollment = Enrollment.objects.select_related("program").filter(pk=_parse_id(enrollmentId)).first()
        if enrollment is None:
            raise exceptions.NotFound(f"No enrollment {enrollmentId}.")
        return Response(DAEnrollResponseSerializer(enrollment).data)
