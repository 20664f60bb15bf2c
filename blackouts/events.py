"""What the blackouts app tells the change log (``core.changes``), registered in ``BlackoutsConfig.ready()``:
its tracked models and events. How a policy's event is rendered for the wire is the door's
(``blackouts/api/events.py``)."""

from core import changes

from . import timeframe_text

# Schedule bookkeeping the tick rewrites; the window's edges are recorded as window_opened/window_closed.
_EXCLUDE = frozenset(
    {"created_at", "modified_at", "window_start", "window_end", "applied_start", "applied_end", "applied_edge"}
)


def _policy_events(action: str, diff: dict) -> list[str]:
    return {"window_opened": ["blackout.window_opened"], "window_closed": ["blackout.window_closed"]}.get(action, [])


def register() -> None:
    from .models import BlackoutPolicy, Event

    changes.event_types(
        **{
            "blackout.window_opened": "a blackout policy's window opened (events blacked out, with the count)",
            "blackout.window_closed": "a blackout policy's window closed (events given back, with the count)",
        }
    )
    changes.track(BlackoutPolicy, natural_key=lambda p: p.name, events=_policy_events, exclude=_EXCLUDE)
    changes.register_field_display(BlackoutPolicy, "timeframe", timeframe_text.describe)  # History: a sentence
    changes.track(Event, natural_key=lambda e: e.identifier or str(e.pk))
