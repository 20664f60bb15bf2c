"""The request id: accepted from ``X-Request-ID`` when sane, generated otherwise, returned on every response."""

import pytest

from core import context

pytestmark = pytest.mark.django_db


def test_a_sane_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize("sent", [None, "", "has space", "x" * 200, "new\nline", "<script>"])
def test_a_missing_or_insane_request_id_is_replaced(client, sent):
    headers = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}
    response = client.get("/healthz", **headers)
    rid = response["X-Request-ID"]
    assert rid != sent and len(rid) == 32 and int(rid, 16) >= 0


def test_the_context_is_restored_after_a_block():
    assert context.request_id() is None
    with context.bound(request_id="outer", actor="command:x"):
        with context.bound(actor=lambda: "user:lazy") as inner:
            assert context.request_id() == inner != "outer"
            assert context.actor() == "user:lazy"
        assert (context.request_id(), context.actor()) == ("outer", "command:x")
    assert context.request_id() is None and context.actor() is None
