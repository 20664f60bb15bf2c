"""What an enrollment request says, in the domain's words (not the Digital Asset JSON).

The doors build these — the wire's request serializers (``service_arguments()``), the admin, the demo loader — and
the services and selectors take them: who the customer is, where the service point is, the installed device and
the appointment slots offered for a crew visit.
"""

from dataclasses import dataclass
from datetime import datetime

from .keys import ADDRESS_KEY_FIELDS


@dataclass(frozen=True)
class CustomerQuery:
    """Who a request names: by CIS account and/or person id (both must match when both are given), else by name
    (case and spacing ignored)."""

    account_id: str = ""
    person_id: str = ""
    name: str = ""


@dataclass(frozen=True)
class LocationQuery:
    """Where a request's service point is: by CIS service point id, else every one at the CIS premise, else at
    the address (lines, city, state and postal code compared by their key, ``keys.address_key``)."""

    service_point_id: str = ""
    premise_id: str = ""
    address1: str = ""
    address2: str = ""
    address3: str = ""
    address4: str = ""
    city: str = ""
    state: str = ""
    postal: str = ""

    def address(self) -> dict[str, str]:
        """The parts of the address key."""
        return {name: getattr(self, name) for name in ADDRESS_KEY_FIELDS}


@dataclass(frozen=True)
class DeviceInstalled:
    """The device an enrollment installs (recorded when it has a serial number)."""

    serial_number: str = ""
    asset_type: str = ""
    asset_ownership: str = ""


@dataclass(frozen=True)
class AppointmentSlot:
    """A slot offered for the crew visit of a utility removal (``None`` times: the slot cannot be booked)."""

    start: datetime | None = None
    end: datetime | None = None
    activity_type: str = ""
    crew_id: str = ""
    crew_shift_id: str = ""
    work_availability_hours: float | None = None
