"""What the enrollments app tells the change log (``core.changes``), registered in its ``ready()``."""

from core import changes


def _enrollment_events(action: str, diff: dict) -> list[str]:
    status = diff.get("status", [None, None])[1]
    if action == "created" and status == "ENROLLED":
        return ["enrollment.enrolled"]
    if action == "started":
        return ["enrollment.enrolled"]
    if action == "unenrolled":
        return ["enrollment.unenrolled"]
    return []


def _enrollment_key(e) -> str:
    return f"{e.program.program_id}/{e.customer.cis_account_id}/{e.service_point.cis_service_point_id}"


def register() -> None:
    from .models import Customer, Device, Enrollment, Premise, Program, ServicePoint, Unenrollment

    changes.event_types(
        **{
            "enrollment.enrolled": "a customer's service point is enrolled in a program (from its start date)",
            "enrollment.unenrolled": "a customer left a program (its unenrollment completed)",
        }
    )
    changes.track(Enrollment, natural_key=_enrollment_key, events=_enrollment_events)
    changes.track(Unenrollment, natural_key=lambda u: u.transaction_id or f"unenrollment {u.pk}")
    changes.track(Program, natural_key=lambda p: p.program_id)
    changes.track(Customer, natural_key=lambda c: c.cis_account_id or c.cis_person_id or c.name)
    changes.track(Premise, natural_key=lambda p: p.cis_premise_id)
    changes.track(ServicePoint, natural_key=lambda s: s.cis_service_point_id)
    changes.track(Device, natural_key=lambda d: d.serial_number)
