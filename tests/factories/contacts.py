"""Factories of the contacts app."""

import factory
from django.utils import timezone

from contacts.models import ContactStatus, ContactStatusEvent, CustomerContact, DeliveryChannel, Origin
from contacts.services import cc_id_generate


class CustomerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerContact

    external_cc_id = factory.Sequence(lambda n: f"EXT-{n:06d}")
    cc_id = factory.LazyFunction(cc_id_generate)
    account_id = factory.Sequence(lambda n: f"{1589810000 + n % 10000}")
    person_id = factory.Sequence(lambda n: f"{23939882 + n:010d}")
    delivery_channel = DeliveryChannel.EMAIL
    delivery_value = factory.Sequence(lambda n: f"customer{n}@example.com")
    notification_type = "OUTAGE_START"
    origin = Origin.NMS
    status = ContactStatus.SENT
    event_captured_at = factory.LazyFunction(timezone.now)


class ContactStatusEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactStatusEvent

    contact = factory.SubFactory(CustomerContactFactory)
    status = ContactStatus.SENT
    event_captured_at = factory.LazyFunction(timezone.now)
