"""JSON schemas of the request bodies (unknown properties refused, as the product's validator does).

Booleans may be sent as strings (``"true"``), as the spec's own examples do; ``occurrences`` may be a numeric
string (``"5"``). Read-only properties a client may echo back from a GET (``selector``, ``owner``,
``creationTime``, ``configurations.timeframeStatus``...) are accepted and ignored.
"""

BOOLEAN = {"type": ["boolean", "string"], "enum": [True, False, "true", "false", "True", "False"]}
DATE = {"type": "string", "pattern": "^[0-9]{8}$"}
TIME = {"type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$"}
UUIDISH = {"type": "string", "maxLength": 64}

TIMEFRAME = {
    "type": "object",
    "additionalProperties": False,
    "required": ["startDate", "startTime", "endTime", "endsOn", "recurrencePattern"],
    "properties": {
        "startDate": DATE,
        "startTime": TIME,
        "endTime": TIME,
        "endsOn": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "endDate": DATE,
                "occurrences": {"type": ["integer", "string"], "pattern": "^[0-9]{1,5}$", "minimum": 1},
                "never": BOOLEAN,
            },
        },
        "recurrencePattern": {
            "type": "object",
            "additionalProperties": False,
            "required": ["recurrence"],
            "properties": {
                "recurrence": {"type": "string", "enum": ["oneTime", "daily", "weekly", "monthly"]},
                "details": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "days": {"type": "string", "enum": ["all", "excludeWeekends"]},
                        "daysOfWeek": {
                            "type": ["array", "string"],
                            "maxItems": 31,
                            "maxLength": 100,
                            "items": {"type": ["integer", "string"], "maxLength": 20},
                        },
                        "dates": {
                            "type": ["array", "string"],
                            "maxItems": 62,
                            "maxLength": 200,
                            "items": {"type": ["integer", "string"], "maxLength": 20},
                        },
                    },
                },
            },
        },
        "timeZone": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"id": {"type": "string", "maxLength": 64}, "offset": {"type": "string", "maxLength": 16}},
        },
    },
}

POLICY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "executionOrder", "eventSelectorCriteria", "configurations"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": {"type": "string", "maxLength": 2000},
        "executionOrder": {"type": "integer", "minimum": 0, "maximum": 9999},
        "eventSelectorCriteria": {"type": "string", "minLength": 1, "maxLength": 4000},
        "enabled": BOOLEAN,
        # read-only properties of a GET answer, accepted and ignored
        "selector": {"type": "string"},
        "timeframes": {"type": "array"},
        "owner": {"type": "string"},
        "readOnly": BOOLEAN,
        "creationTime": {"type": "integer"},
        "modificationTime": {"type": "integer"},
        "configurations": {
            "type": "object",
            "additionalProperties": False,
            "required": ["definition"],
            "properties": {
                "definition": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["timeframeDetails"],
                    "properties": {
                        "timeframeDetails": TIMEFRAME,
                        "processing_action": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {"blackoutExistingEvents": BOOLEAN, "resetStatusOnBlackoutEnd": BOOLEAN},
                        },
                    },
                },
                "timeframeStatus": {"type": "string"},
                "timeframeStatusDetails": {"type": "object"},
                "tenantId": {"type": "string"},
                "policyId": {"type": "string"},
                "id": {"type": "string"},
                "configOrder": {"type": "integer"},
                "creationTime": {"type": "integer"},
                "modificationTime": {"type": "integer"},
            },
        },
    },
}

IDS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ids"],
    "properties": {"ids": {"type": ["array", "null"], "maxItems": 1000, "items": UUIDISH}},
}

SEARCH = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "searchString": {"type": "string", "maxLength": 255},
        "pageIndex": {"type": "integer", "minimum": 1, "maximum": 1000000},
        "recordsPerPage": {"type": "integer", "minimum": 1, "maximum": 1000},
        "sortCriteria": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "attribute": {
                    "type": "string",
                    "enum": ["name", "description", "executionOrder", "enabled", "creationTime", "modificationTime"],
                },
                "order": {"type": "string", "enum": ["ASC", "DESC", "asc", "desc"]},
            },
        },
    },
}

EVENT = {
    "type": "object",
    "additionalProperties": {"type": ["string", "number", "boolean"], "maxLength": 4000},
    "properties": {
        "class": {"type": "string", "minLength": 1, "maxLength": 128},
        "msg": {"type": "string", "maxLength": 4000},
        "severity": {"type": "string", "enum": ["CRITICAL", "MAJOR", "MINOR", "WARNING", "INFO", "OK", "UNKNOWN"]},
        "status": {"type": "string", "enum": ["OPEN", "ACK", "ASSIGNED", "CLOSED"]},
        "_identifier": {"type": "string", "maxLength": 255},
        "source_hostname": {"type": "string", "maxLength": 255},
        "source_identifier": {"type": "string", "maxLength": 255},
        "repeat_count": {"type": "integer", "minimum": 0, "maximum": 2147483647},
        "slots": {
            "type": "object",
            "maxProperties": 100,
            "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_.]{0,63}$"},
            "additionalProperties": {"type": ["string", "number", "boolean"], "maxLength": 4000},
        },
    },
    "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_.]{0,63}$"},
    "maxProperties": 100,
}

EVENTS = {"type": "array", "minItems": 1, "maxItems": 10000, "items": EVENT}
