"""Factories of the enrollments app; defaults build Jane Doe's service point from the specs' example ids."""

from datetime import timedelta

import factory
from django.utils import timezone

from enrollments.models import (
    Customer,
    Device,
    Enrollment,
    EnrollmentStatus,
    Premise,
    Program,
    ServiceAgreement,
    ServicePoint,
)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("program_id",)

    program_id = factory.Sequence(lambda n: f"PRG-{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Program {o.program_id}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    cis_account_id = factory.Sequence(lambda n: f"{1700000000 + n}")
    cis_person_id = factory.Sequence(lambda n: f"{40000000 + n:010d}")
    name = factory.Sequence(lambda n: f"Customer {n}")


class PremiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Premise

    cis_premise_id = factory.Sequence(lambda n: f"{6000000000 + n}")
    address1 = factory.Sequence(lambda n: f"{n + 2} Side Street")
    city = "Springfield"
    county = "Sangamon"
    state = "CA"
    postal = "94001"
    country = "USA"


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    cis_service_point_id = factory.Sequence(lambda n: f"{3000000000 + n}")
    premise = factory.SubFactory(PremiseFactory)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    customer = factory.SubFactory(CustomerFactory)
    service_point = factory.SubFactory(ServicePointFactory)
    program = factory.SubFactory(ProgramFactory)
    status = EnrollmentStatus.ENROLLED
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    enrollment = factory.SubFactory(EnrollmentFactory)
    serial_number = factory.Sequence(lambda n: f"DEV-{n:06d}")
    asset_type = "THERMOSTAT"
    asset_ownership = "W1OW"


class ServiceAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAgreement

    customer = factory.SubFactory(CustomerFactory)
    service_point = factory.SubFactory(ServicePointFactory)


def jane_doe_enrollment(program_id: str = "DEMO-BYOT", **kwargs) -> Enrollment:
    """Jane Doe (the specs' example ids) with service at 1 Main Street, Springfield CA 94000, enrolled in
    ``program_id`` there."""
    customer = Customer.objects.filter(cis_account_id="1589809012").first() or CustomerFactory(
        cis_account_id="1589809012", cis_person_id="0023939882", name="Jane Doe"
    )
    service_point = ServicePoint.objects.filter(cis_service_point_id="2486945183").first() or ServicePointFactory(
        cis_service_point_id="2486945183",
        premise=PremiseFactory(
            cis_premise_id="5000000001", address1="1 Main Street", city="Springfield", state="CA", postal="94000"
        ),
    )
    ServiceAgreement.objects.get_or_create(customer=customer, service_point=service_point)
    return EnrollmentFactory(
        customer=customer, service_point=service_point, program=ProgramFactory(program_id=program_id), **kwargs
    )
