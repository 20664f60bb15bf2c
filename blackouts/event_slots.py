"""What the slot names of a blackout policy's ``eventSelectorCriteria`` read on an ``Event``: the declaration the
criteria library (``core.criteria``) is given by every blackouts caller, and the ingest's wire attributes.

A slot named here is a column (``Event.as_selector_input`` holds the same names); any other is a free slot of
``Event.slots``. ``repeat_count`` is the one numeric slot (the only one the ordering operators apply to).
"""

from core import criteria

EVENT_SLOTS = criteria.Slots(
    text={
        "class": "event_class",
        "msg": "msg",
        "severity": "severity",
        "status": "status",
        "_identifier": "identifier",
        "source_hostname": "source_hostname",
        "source_identifier": "source_identifier",
    },
    numeric={"repeat_count": "repeat_count"},
    free="slots",
)
