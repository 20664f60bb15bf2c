"""Demo data of the change log (``manage.py load_demo``): a subscription to a receiver that is not there, disabled,
with the demo's outage events queued for it. Point it at your own receiver and enable it: they go out."""

from .models import Change, Subscription
from .recording import backfill
from .subscriptions import subscription_create

# After the domain apps' demo data (manage.py load_demo): it queues their outage events for the subscription.
ORDER = 100
DEMO_NAME = "Demo receiver (disabled: point it at yours)"


def load(stdout=None) -> str:
    if Subscription.objects.filter(name=DEMO_NAME).exists():
        return "already loaded"
    sub = subscription_create(
        name=DEMO_NAME,
        target_url="https://receiver.example.com/backoffice-events",
        event_types=["outage.created", "outage.updated", "outage.etr_changed", "outage.restored"],
        enabled=False,
    )
    sub.disabled_reason = "Demo: no receiver listens there. Set your receiver's URL and enable it."
    sub.save(update_fields=["disabled_reason"])
    queued = backfill(subscription=sub, changes=Change.objects.filter(object_type="outages.outageevent").order_by("id"))
    return f"1 subscription, {queued} deliveries queued"
