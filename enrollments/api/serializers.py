"""Wire documents of the Digital Asset program enrollment API (field names and lengths as the spec).

Names carry a ``DA`` prefix so the OpenAPI components cannot collide with other apps' ``customerInfo``.
"""

from datetime import UTC

from rest_framework import serializers

from core.wire.fields import (
    CodeField,
    StrictCharField,
    StrictFloatField,
    WireDateTimeField,
    is_xml_request,
)

from ..domain import AppointmentSlot, CustomerQuery, DeviceInstalled, LocationQuery
from ..keys import ADDRESS_KEY_FIELDS
from ..models import AssetOwnership, RemovalMethod, UnenrollReason
from ..services import request_fingerprint
from .errors import EXPANDED_MAX, exception_block

MAX_SLOTS = 50


class SlotDateTimeField(WireDateTimeField):
    """A slot's date-time, bounded as the family says, then read in UTC: the booked appointment is answered in
    UTC on the POST as on every later read, and one instant sent with two offsets is one request."""

    def to_internal_value(self, value):
        return super().to_internal_value(value).astimezone(UTC)


def _text(max_length: int, help_text: str = "", **kwargs) -> serializers.CharField:
    return StrictCharField(max_length=max_length, required=False, allow_blank=True, help_text=help_text, **kwargs)


class DACustomerInfoSerializer(serializers.Serializer):
    cisAccountId = _text(30, "CIS account id. Optional if name is provided.")
    cisPersonId = _text(30, "CIS person id. Optional if name is provided.")
    name = _text(254, "Customer name; used when neither id is sent (case and spacing ignored).")


class DALocationInfoSerializer(serializers.Serializer):
    address1 = _text(254)
    address2 = _text(254)
    address3 = _text(254)
    address4 = _text(254)
    cisPremiseId = _text(60, "CIS premise id. Optional if address information is provided.")
    cisServicePointID = _text(60, "CIS service point id. Optional if address information is provided.")
    city = _text(90)
    country = _text(3)
    county = _text(90)
    division = _text(30)
    postal = _text(12)
    state = _text(6)
    timeZone = _text(10)


class DAUnenrollProgramInfoSerializer(serializers.Serializer):
    programId = StrictCharField(max_length=12)
    endDate = serializers.DateField(required=False, help_text="Desired date of unenrollment; today when absent.")


class DAAssetInfoSerializer(serializers.Serializer):
    assetOwnership = CodeField(choices=AssetOwnership.choices, required=False)
    removalMethod = CodeField(choices=RemovalMethod.choices, required=False)


class DAAppointmentSlotSerializer(serializers.Serializer):
    activityType = _text(30)
    crewId = _text(12)
    crewShiftId = _text(14)
    endDateTime = SlotDateTimeField(required=False)
    startDateTime = SlotDateTimeField(required=False)
    workAvailabilityDuration = StrictFloatField(required=False, min_value=0, max_value=99999999999.99)


class DAAppointmentSlotListSerializer(serializers.ListSerializer):
    """A list of slots. In XML, ``<appointmentSlots><items>..</items></appointmentSlots>`` (the spec's nested
    ``items``) is read as the slots it holds; JSON must send the list the schema describes."""

    def to_internal_value(self, data):
        if is_xml_request(self) and isinstance(data, list):
            slots = []
            for item in data:
                inner = item["items"] if isinstance(item, dict) and set(item) == {"items"} else item
                slots.extend(inner if isinstance(inner, list) else [inner])
            data = slots
        return super().to_internal_value(data)


def appointment_slots(**kwargs):
    return DAAppointmentSlotListSerializer(
        child=DAAppointmentSlotSerializer(), max_length=MAX_SLOTS, required=False, **kwargs
    )


class DAUnenrollRequestSerializer(serializers.Serializer):
    """Request of ``POST .../programEnrollments/unenroll``."""

    transactionId = _text(120, "External transaction id; a repeat returns the same unenrollment.")
    unenrollReason = serializers.ChoiceField(choices=UnenrollReason.choices, required=False)
    customerInfo = DACustomerInfoSerializer()
    locationInfo = DALocationInfoSerializer()
    programInfo = DAUnenrollProgramInfoSerializer()
    assetInfo = DAAssetInfoSerializer(required=False)
    appointmentSlots = appointment_slots()

    def service_arguments(self) -> dict:
        """The validated document as ``unenrollment_request`` keyword arguments (with the document itself and its
        fingerprint, which the record keeps)."""
        data = self.validated_data
        asset_info = data.get("assetInfo") or {}
        return {
            "customer": customer_query(data["customerInfo"]),
            "location": location_query(data["locationInfo"]),
            "program_id": data["programInfo"]["programId"],
            "end_date": data["programInfo"].get("endDate"),
            "reason": data.get("unenrollReason") or "",
            "removal_method": asset_info.get("removalMethod") or "",
            "asset_ownership": asset_info.get("assetOwnership") or "",
            "slots": [appointment_slot(slot) for slot in data.get("appointmentSlots") or []],
            "transaction_id": data.get("transactionId") or "",
            "request_hash": request_fingerprint(data),
            "request_body": data,
        }


def customer_query(info: dict) -> CustomerQuery:
    """``customerInfo`` in the domain's words."""
    return CustomerQuery(
        account_id=info.get("cisAccountId") or "", person_id=info.get("cisPersonId") or "", name=info.get("name") or ""
    )


def location_query(info: dict) -> LocationQuery:
    """``locationInfo`` in the domain's words (country, county, division and time zone do not locate)."""
    return LocationQuery(
        service_point_id=info.get("cisServicePointID") or "",
        premise_id=info.get("cisPremiseId") or "",
        **{name: info.get(name) or "" for name in ADDRESS_KEY_FIELDS},
    )


def appointment_slot(slot: dict) -> AppointmentSlot:
    """One ``appointmentSlots[]`` item in the domain's words."""
    return AppointmentSlot(
        start=slot.get("startDateTime"),
        end=slot.get("endDateTime"),
        activity_type=slot.get("activityType") or "",
        crew_id=slot.get("crewId") or "",
        crew_shift_id=slot.get("crewShiftId") or "",
        work_availability_hours=slot.get("workAvailabilityDuration"),
    )


class DAExceptionSerializer(serializers.Serializer):
    messageCategory = serializers.CharField(max_length=5)
    messageNumber = serializers.CharField(max_length=5)
    expandedMessage = serializers.CharField(max_length=EXPANDED_MAX)


def _without_none(document: dict) -> dict:
    return {key: value for key, value in document.items() if value is not None}


class DAUnenrollResponseSerializer(serializers.Serializer):
    """``X1-DAUnenrol``: the answer to an unenrollment request and its later reads."""

    unenrollmentId = serializers.CharField(help_text="System-assigned id (longer than the spec's 4 characters).")
    status = serializers.CharField(max_length=12, help_text="PENDING, COMPLETED or ERROR.")
    transactionId = serializers.CharField(max_length=120, required=False)
    appointmentSlots = DAAppointmentSlotSerializer(many=True, required=False, help_text="The booked slot (X1UR).")
    exception = DAExceptionSerializer(required=False, help_text="Present when status is ERROR.")

    def to_representation(self, instance):
        appointment = getattr(instance, "appointment", None) if instance.removal_method == "X1UR" else None
        slots = []
        if appointment is not None:
            slot = {
                "activityType": appointment.activity_type,
                "crewId": appointment.crew_id,
                "crewShiftId": appointment.crew_shift_id,
                "endDateTime": appointment.end,
                "startDateTime": appointment.start,
                "workAvailabilityDuration": appointment.work_availability_hours,
            }
            slots = [DAAppointmentSlotSerializer().to_representation(slot)]
        return _without_none(
            {
                "unenrollmentId": str(instance.pk),
                "status": instance.status,
                "transactionId": instance.transaction_id or None,
                "appointmentSlots": slots,
                "exception": exception_block(code=instance.error_code, message=instance.expanded_message),
            }
        )


# --- Enroll ---------------------------------------------------------------------------------------


class DAEnrollProgramInfoSerializer(serializers.Serializer):
    programId = StrictCharField(max_length=12)
    startDate = serializers.DateField(required=False, help_text="Start of enrollment; today if absent.")
    endDate = serializers.DateField(required=False, help_text="Planned end, if known (not before startDate).")


class DAEnrollAssetInfoSerializer(serializers.Serializer):
    assetOwnership = CodeField(choices=AssetOwnership.choices, required=False)
    assetType = _text(30, "Device type (thermostat, battery, EV charger...).")
    serialNumber = _text(60, "Device serial number; a device is recorded when given.")


class DAEnrollRequestSerializer(serializers.Serializer):
    """Request of ``POST .../programEnrollments/enroll``: the unenroll blocks, with a start date."""

    transactionId = _text(120, "External transaction id; a repeat returns the same enrollment.")
    customerInfo = DACustomerInfoSerializer()
    locationInfo = DALocationInfoSerializer()
    programInfo = DAEnrollProgramInfoSerializer()
    assetInfo = DAEnrollAssetInfoSerializer(required=False)

    def service_arguments(self) -> dict:
        """The validated document as ``enrollment_request`` keyword arguments (with its fingerprint)."""
        data = self.validated_data
        program_info = data["programInfo"]
        asset_info = data.get("assetInfo") or {}
        return {
            "customer": customer_query(data["customerInfo"]),
            "location": location_query(data["locationInfo"]),
            "program_id": program_info["programId"],
            "start_date": program_info.get("startDate"),
            "end_date": program_info.get("endDate"),
            "device": DeviceInstalled(
                serial_number=asset_info.get("serialNumber") or "",
                asset_type=asset_info.get("assetType") or "",
                asset_ownership=asset_info.get("assetOwnership") or "",
            ),
            "transaction_id": data.get("transactionId") or "",
            "request_hash": request_fingerprint(data),
        }


class DAEnrollResponseSerializer(serializers.Serializer):
    """``X1-DAEnrol``: the answer to an enrollment request and its later reads."""

    enrollmentId = serializers.CharField(required=False, help_text="System-assigned id; absent on ERROR.")
    status = serializers.CharField(
        max_length=16, help_text="PENDING, ENROLLED, PENDING_UNENROLL, UNENROLLED, or ERROR (nothing recorded)."
    )
    transactionId = serializers.CharField(max_length=120, required=False)
    programId = serializers.CharField(max_length=12, required=False)
    startDate = serializers.DateField(required=False)
    endDate = serializers.DateField(required=False)
    exception = DAExceptionSerializer(required=False, help_text="Present when status is ERROR.")

    def to_representation(self, instance):
        return _without_none(
            {
                "enrollmentId": str(instance.pk),
                "status": instance.status,
                "transactionId": instance.transaction_id or None,
                "programId": instance.program.program_id,
                "startDate": instance.start_date.isoformat(),
                "endDate": instance.end_date.isoformat() if instance.end_date else None,
            }
        )
