"""How blackout policy events are rendered for the wire (the door's part of ``blackouts/events.py``): ``data.object``
of a window event is the policy in BMC's field names, with the window it applied. Rendered by the delivery worker,
from the policy as it was at the change (``core.changes.rendering``); registered in ``BlackoutsConfig.ready()``."""

from core import changes

from ..models import BlackoutPolicy


def policy_wire(policy: BlackoutPolicy) -> dict:
    return {
        "id": str(policy.pk),
        "name": policy.name,
        "enabled": policy.enabled,
        "eventSelectorCriteria": policy.selector_criteria,
        "executionOrder": policy.execution_order,
        "windowStart": policy.applied_start,
        "windowEnd": policy.applied_end,
    }


def register() -> None:
    changes.register_renderer(BlackoutPolicy, wire=policy_wire)
