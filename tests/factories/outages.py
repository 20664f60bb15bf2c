"""Factories of the outages app."""

import factory
from django.utils import timezone

from outages.models import ExternalSystem, OutageCustomer, OutageEvent, OutageState, OutageType


class ExternalSystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalSystem
        django_get_or_create = ("name",)

    name = "CCB-NMS integration"
    description = "Network management system"
    is_active = True


class OutageEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutageEvent

    external_system = factory.SubFactory(ExternalSystemFactory)
    external_outage_id = factory.Sequence(lambda n: f"OUT-{n:06d}")
    outage_type = OutageType.UNPLANNED
    message_reference = "1"
    start_date_time = factory.LazyFunction(timezone.now)
    state = OutageState.ACTIVE
    impacted_customers = 0


class OutageCustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutageCustomer

    event = factory.SubFactory(OutageEventFactory)
    account_id = factory.Sequence(lambda n: f"{1000000000 + n}")
    sp_id = factory.Sequence(lambda n: f"{2000000000 + n}")
