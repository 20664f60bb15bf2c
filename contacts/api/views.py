"""``/rest/apis/customer/v-model/customerContact/{externalCCId}``: PUT (create or update) and GET."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.errors import DomainError
from core.wire import oracle
from core.wire.fields import text_problem

from .. import selectors, services
from ..models import CustomerContact
from .errors import DOMAIN_ERROR_CODES, renamed
from .serializers import MODEL_TO_WIRE, C1CreUpdCCSerializer, CustomerContactSerializer, contact_to_wire

EXTERNAL_ID_MAX = 120

PATH_PARAMETER = OpenApiParameter(
    "externalCCId",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Customer Contact External Reference (at most 120 characters)",
)

SPEC_EXAMPLE = {
    "accountId": "1589809012",
    "personId": "0023939882",
    "contactId": "0023939882",
    "deliveryChannel": "SMS ",
    "deliveryValue": "+14155552671",
    "eventCapturedDateTime": "2025-02-06T10:00:00Z",
    "externalCCId": "NP-2025-000123",
    "notificationInstanceId": "NI-7781",
    "notificationPreferenceId": "CP-100200",
    "notificationType": "OUTAGE_RESTORED",
    "origin": "NMS ",
    "status": "C1DV",
    "reason": "Delivered to handset",
    "customerContactIdentifier": [{"externalRefId": "NP-2025-000123", "identifierType": "C1NS"}],
    "templateData": [{"key": "eta", "value": "18:30"}, {"key": "area", "value": "Springfield North"}],
}
RESPONSE_EXAMPLE = {**SPEC_EXAMPLE, "ccId": "4829103375"}
REQUEST_EXAMPLE = SPEC_EXAMPLE


class CustomerContactView(oracle.OracleAPIView):
    """Create Update Customer Contact (``C1CreUpdCC``) and read it back."""

    xml_root_name = "C1CreUpdCC"
    request_serializer_class = CustomerContactSerializer
    permission_model = CustomerContact
    domain_error_codes = DOMAIN_ERROR_CODES

    def handle_exception(self, exc):
        if isinstance(exc, DomainError):
            exc = renamed(exc, MODEL_TO_WIRE)  # the domain names model fields; the wire answers with its own
        return super().handle_exception(exc)

    @staticmethod
    def _check_path(external_cc_id: str) -> None:
        """The path's id follows the body field's rules: at most 120 characters, no NUL or control character."""
        if len(external_cc_id) > EXTERNAL_ID_MAX:
            raise serializers.ValidationError(
                {"externalCCId": [f"Ensure this field has no more than {EXTERNAL_ID_MAX} characters."]}
            )
        if problem := text_problem(external_cc_id):
            raise serializers.ValidationError({"externalCCId": [problem]})

    @extend_schema(
        operation_id="customerContact_read",
        summary="Read a customer contact",
        parameters=[PATH_PARAMETER],
        responses={200: C1CreUpdCCSerializer, **oracle.error_responses(404)},
        examples=[OpenApiExample("Contact", value=RESPONSE_EXAMPLE, response_only=True)],
        tags=["contacts"],
    )
    def get(self, request, externalCCId: str):
        self._check_path(externalCCId)
        contact = selectors.contact_get(external_cc_id=externalCCId)
        return Response(contact_to_wire(contact))

    @extend_schema(
        operation_id="customerContact_createUpdate",
        summary="Create Update Customer Contact",
        description=(
            "Creates the contact when `externalCCId` is new, updates it otherwise, and answers the whole record "
            "with its system-assigned `ccId`. A status whose `eventCapturedDateTime` is older than the contact's "
            "is recorded in the status history but changes nothing else (out-of-order delivery reports). "
            "The body may also carry `deliveryChannel` (`EMAI`, `FAX `, `IVR `, `SMS `, compared trimmed) and "
            "`deliveryValue` (at most 254 characters), which must fit the channel sent or stored: an e-mail "
            "address for `EMAI`, a phone number for `SMS `, `IVR `, `FAX ` (else 400 naming `deliveryValue`); "
            "`externalCCId` (at most 120 characters; it must equal the path's, else 400) "
            "and `ccId` (the system assigns it; if sent it must be this contact's, else 400). "
            "The same body is accepted as `application/xml` (any root element, arrays as repeated elements, "
            "e.g. `<templateData><key>eta</key><value>18:30</value></templateData>`; every value is text: an "
            "empty element is an empty string, never null); the answer follows "
            "`?format=`, then `Accept`, then the request's own media type."
        ),
        parameters=[PATH_PARAMETER],
        # JSON and XML, the family's parsers: the same fields (in XML every value is text; see the description).
        request=CustomerContactSerializer,
        # 404 too: DRF answers an unknown ?format= with Not Found.
        responses={200: C1CreUpdCCSerializer, **oracle.error_responses(404)},
        examples=[
            OpenApiExample("SMS delivered", value=REQUEST_EXAMPLE, request_only=True),
            OpenApiExample("Contact", value=RESPONSE_EXAMPLE, response_only=True),
        ],
        tags=["contacts"],
    )
    def put(self, request, externalCCId: str):
        self._check_path(externalCCId)
        serializer = self.get_request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        body_id = serializer.validated_data.get("externalCCId")
        if body_id and body_id != externalCCId:
            raise serializers.ValidationError(
                {"externalCCId": [f'"{body_id}" differs from the path\'s externalCCId "{externalCCId}".']}
            )
        result = services.contact_upsert(external_cc_id=externalCCId, **serializer.service_arguments())
        return Response(contact_to_wire(selectors.contact_with_lists(result.contact)))
