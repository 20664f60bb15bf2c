"""The spec's own example request bodies, as the spec gives them (used by the API docs, tests and demo)."""

import copy


def _policy(name, timeframe, *, description="Blackout Policy 1", criteria=None, enabled=False, order=9999):
    return {
        "name": name,
        "description": description,
        "executionOrder": order,
        "eventSelectorCriteria": criteria or "( class equals 'EVENT' ) AND _identifier within '123'",
        "enabled": enabled,
        "configurations": {
            "definition": {
                "timeframeDetails": timeframe,
                "processing_action": {"blackoutExistingEvents": "true", "resetStatusOnBlackoutEnd": "false"},
            }
        },
    }


AZORES = {"id": "Atlantic/Azores", "offset": "-01:00"}

CREATE_ONE_TIME = _policy(
    "abcd",
    {
        "startDate": "14122020",
        "startTime": "17:27",
        "endTime": "17:27",
        "endsOn": {"endDate": "16122020"},
        "recurrencePattern": {"recurrence": "oneTime"},
        "timeZone": AZORES,
    },
)
CREATE_DAILY = _policy(
    "testpolicy11",
    {
        "startDate": "03022021",
        "startTime": "10:35",
        "endTime": "11:36",
        "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
        "endsOn": {"endDate": "04022021"},
        "timeZone": AZORES,
    },
)
CREATE_WEEKLY_OCCURRENCES = _policy(
    "testpolicy12",
    {
        "startDate": "03022021",
        "startTime": "10:35",
        "endTime": "11:36",
        "endsOn": {"occurrences": "5"},
        "recurrencePattern": {"recurrence": "weekly", "details": {"daysOfWeek": [3]}},
        "timeZone": AZORES,
    },
)
CREATE_WEEKLY_NEVER = _policy(
    "testpolicy14",
    {
        "startDate": "03022021",
        "startTime": "10:35",
        "endTime": "11:36",
        "endsOn": {"never": True},
        "recurrencePattern": {"recurrence": "weekly", "details": {"daysOfWeek": [3, 4, 7]}},
        "timeZone": AZORES,
    },
)
CREATE_MONTHLY = _policy(
    "testpolicy13",
    {
        "startDate": "03022021",
        "startTime": "10:35",
        "endTime": "11:36",
        "endsOn": {"never": True},
        "recurrencePattern": {"recurrence": "monthly", "details": {"dates": "1-15"}},
        "timeZone": AZORES,
    },
)
CREATE_DAILY_WEEKDAYS = _policy(
    "testpolicy15",
    {
        "startDate": "03022021",
        "startTime": "10:35",
        "endTime": "11:36",
        "endsOn": {"never": True},
        "recurrencePattern": {"recurrence": "daily", "details": {"days": "excludeWeekends"}},
        "timeZone": AZORES,
    },
)
CREATE_BODIES = [
    CREATE_ONE_TIME,
    CREATE_DAILY,
    CREATE_WEEKLY_OCCURRENCES,
    CREATE_WEEKLY_NEVER,
    CREATE_MONTHLY,
    CREATE_DAILY_WEEKDAYS,
]

UPDATE_BODY = {
    "name": "testpolicy3",
    "description": "Policy Updated 12334",
    "executionOrder": 466,
    "eventSelectorCriteria": "( class equals 'EVENT' ) AND ( msg contains 'Test Message' )",
    "enabled": True,
    "configurations": {
        "definition": {
            "timeframeDetails": {
                "endsOn": {"endDate": "25012021"},
                "recurrencePattern": {"recurrence": "oneTime", "details": {}},
                "timeZone": {"offset": "+05:30", "id": "Asia/Kolkata"},
                "startTime": "17:46",
                "endTime": "17:51",
                "startDate": "25012021",
            },
            "processing_action": {"resetStatusOnBlackoutEnd": False, "blackoutExistingEvents": True},
        }
    },
}

BULK_DELETE_BODY = {"ids": ["7c5a83b0-cee6-11ed-a01b-5f2f15df7a90", "d8f98b9a-cef7-11ed-84eb-834516d7c42b"]}
ENABLE_BODY = {"ids": ["d6d8863c-3df8-11eb-9812-a972fa20cf57", "d32fc78e-3558-11eb-9812-c3cbbc933af7"]}
SEARCH_BODY = {
    "searchString": "test",
    "pageIndex": 1,
    "recordsPerPage": 25,
    "sortCriteria": {"attribute": "modificationTime", "order": "ASC"},
}


def body(example: dict, **changes) -> dict:
    """A deep copy of an example, with top-level changes."""
    out = copy.deepcopy(example)
    out.update(changes)
    return out
