import pytest

PATH = "/rest/apis/customer/v-model/customerContact/"

# The spec's example values (accountId 1589809012, personId 0023939882, origin example CCB) with the rest of
# a realistic delivery report around them.
SPEC_BODY = {
    "accountId": "1589809012",
    "personId": "0023939882",
    "contactId": "0023939882",
    "deliveryChannel": "SMS ",
    "deliveryValue": "+14155552671",
    "eventCapturedDateTime": "2025-02-06T10:00:00Z",
    "notificationInstanceId": "NI-7781",
    "notificationPreferenceId": "CP-100200",
    "notificationType": "OUTAGE_RESTORED",
    "origin": "NMS ",
    "status": "C1ST",
    "reason": "Accepted by the SMS gateway",
    "customerContactIdentifier": [
        {"externalRefId": "NP-2025-000123", "identifierType": "C1NS"},
        {"externalRefId": "OMS-88123", "identifierType": "C1OS"},
    ],
    "templateData": [{"key": "eta", "value": "18:30"}, {"key": "area", "value": "Springfield North"}],
}


@pytest.fixture
def spec_body():
    return {k: (list(v) if isinstance(v, list) else v) for k, v in SPEC_BODY.items()}
