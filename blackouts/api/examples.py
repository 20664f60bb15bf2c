"""OpenAPI examples taken from the spec (request bodies as the spec gives them, responses as it shows them)."""

from drf_spectacular.utils import OpenApiExample

from .. import spec_examples as spec

SPEC_POLICY = {
    "name": "testpolicy3",
    "description": "Policy Updated 12334",
    "executionOrder": 466,
    "selector": "689647f8-7b19-11eb-b21b-f16b7b90db83",
    "eventSelectorCriteria": "( class equals 'EVENT' ) AND ( msg contains 'Test Message' )",
    "timeframes": [],
    "owner": "admin",
    "enabled": True,
    "readOnly": False,
    "creationTime": 1614663462432,
    "modificationTime": 1614663944484,
    "configurations": {
        "tenantId": "194864176",
        "policyId": "6898e009-7b19-11eb-b21b-f1af2da78f15",
        "id": "87ed8be3-7b1a-11eb-b21b-2fbe328e0339",
        "configOrder": 0,
        "creationTime": 0,
        "modificationTime": 0,
        "definition": spec.UPDATE_BODY["configurations"]["definition"],
        "timeframeStatus": "EXPIRED,LastRun:1611576960000,NextRun:",
        "timeframeStatusDetails": {
            "state": "EXPIRED",
            "lastRun": 1611576960000,
            "nextRun": None,
            "activeWindowStart": None,
            "activeWindowEnd": None,
        },
    },
}

CREATE_EXAMPLES = [
    OpenApiExample(
        f"Create ({b['configurations']['definition']['timeframeDetails']['recurrencePattern']['recurrence']}"
        f", {b['name']})",
        value=b,
        request_only=True,
    )
    for b in spec.CREATE_BODIES
]
RESOURCE_ID = OpenApiExample(
    "Created", value={"resourceId": ["ed2a0747-5f0d-11eb-aa8a-d76cefcf6197"]}, response_only=True, status_codes=["200"]
)
UPDATE = OpenApiExample("Update", value=spec.UPDATE_BODY, request_only=True)
POLICY_ACTIVE = OpenApiExample(
    "Policy active",
    value={
        "responseTimeStamp": 1659592746962,
        "statusCode": "BLACKOUT_POLICY_ACTIVE",
        "statusMsg": "[Failed to update, policy is in active state]",
    },
    response_only=True,
    status_codes=["409"],
)
GET_FOUND = OpenApiExample(
    "Policy found",
    value={
        "responseTimeStamp": 1614665610722,
        "statusCode": "200",
        "statusMsg": "[Policy found!]",
        "blackoutPolicy": SPEC_POLICY,
    },
    response_only=True,
    status_codes=["200"],
)
GET_NOT_FOUND = OpenApiExample(
    "No policy",
    value={
        "responseTimeStamp": 1614665718058,
        "statusCode": "404",
        "statusMsg": "[No policy found matching input request!]",
        "blackoutPolicy": None,
    },
    response_only=True,
    status_codes=["404"],
)
DELETE_ONE_OK = OpenApiExample(
    "Deleted", value={"resourceId": ["7a53b0e0-5fe0-11eb-aa8a-3b1c79082b69"]}, response_only=True, status_codes=["200"]
)
POLICY_NOT_EXIST = OpenApiExample(
    "Not found",
    value={
        "responseTimeStamp": 1614666222794,
        "statusCode": "POLICY_NOT_EXIST",
        "statusMsg": "[Failed to delete policy, entry doesn't exist in database]",
    },
    response_only=True,
    status_codes=["404"],
)
IDS = OpenApiExample("Ids", value=spec.BULK_DELETE_BODY, request_only=True)
BULK_OK = OpenApiExample(
    "All deleted",
    value={
        "responseTimeStamp": 1680180005003,
        "statusCode": "OK",
        "statusMsg": "[Deleted policies.]",
        "resourceId": spec.BULK_DELETE_BODY["ids"],
    },
    response_only=True,
    status_codes=["200"],
)
BULK_PARTIAL = OpenApiExample(
    "Some deleted",
    value={
        "responseTimeStamp": 1680180465955,
        "statusCode": "PARTIAL_SUCCESS",
        "statusMsg": "[Deleted policies.]",
        "resourceId": ["fed979e8-cef8-11ed-8cc0-4f60774c0857"],
        "failedResource": spec.BULK_DELETE_BODY["ids"],
    },
    response_only=True,
    status_codes=["200"],
)
BULK_NONE = OpenApiExample(
    "None exists",
    value={
        "responseTimeStamp": 1680180730870,
        "statusCode": "POLICY_NOT_EXIST",
        "statusMsg": "[Failed to delete policy, entry doesn't exist in database]",
    },
    response_only=True,
    status_codes=["404"],
)
ENABLE_IDS = OpenApiExample("Ids", value=spec.ENABLE_BODY, request_only=True)
ENABLED = OpenApiExample(
    "Enabled",
    value={"message": "Enabled event policies", "object": ["696447ff-008d-4ef7-a417-2c506abad552"]},
    response_only=True,
    status_codes=["200"],
)
DISABLED = OpenApiExample(
    "Disabled",
    value={"message": "Disabled event policies", "object": ["696447ff-008d-4ef7-a417-2c506abad552"]},
    response_only=True,
    status_codes=["200"],
)
EMPTY_IDS = OpenApiExample(
    "No id",
    value=[
        {
            "key": "400",
            "level": "ERROR",
            "message": "Bad Request : Property is null or empty : resources",
            "additionalInfo": [],
        }
    ],
    response_only=True,
    status_codes=["400"],
)
INVALID_ID = OpenApiExample(
    "Invalid id",
    value=[
        {
            "key": "400",
            "level": "ERROR",
            "message": "Bad Request : Invalid resource id specified: 11",
            "additionalInfo": [],
        }
    ],
    response_only=True,
    status_codes=["400"],
)
SEARCH = OpenApiExample("Search", value=spec.SEARCH_BODY, request_only=True)
SEARCH_RESULT = OpenApiExample(
    "Found",
    value={
        "responseTimeStamp": 1614664916995,
        "statusCode": "200",
        "statusMsg": "OK",
        "totalRecords": 1,
        "policies": [SPEC_POLICY],
    },
    response_only=True,
    status_codes=["200"],
)
SEARCH_BAD_TYPE = OpenApiExample(
    "Wrong type",
    value=[
        {
            "key": "validation.schema.type",
            "level": "ERROR",
            "message": "[Path '/recordsPerPage'] Instance type (string) does not match any allowed primitive type "
            '(allowed: ["integer"])',
            "additionalInfo": [],
        }
    ],
    response_only=True,
    status_codes=["400"],
)
EVENTS = OpenApiExample(
    "Events",
    value=[
        {
            "class": "EVENT",
            "msg": "Test Message from probe",
            "severity": "MAJOR",
            "_identifier": "123",
            "source_hostname": "db01.example.com",
            "slots": {"location": "Lisbon"},
        }
    ],
    request_only=True,
)
EVENTS_RESULT = OpenApiExample(
    "Stored",
    value={
        "responseTimeStamp": 1614664916995,
        "statusCode": "200",
        "statusMsg": "[Events received.]",
        "resourceId": ["1"],
        "events": [{"id": "1", "status": "BLACKOUT", "blackoutPolicyId": "6898e009-7b19-11eb-b21b-f1af2da78f15"}],
    },
    response_only=True,
    status_codes=["200"],
)
