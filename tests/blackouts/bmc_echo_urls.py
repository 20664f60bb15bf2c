"""A minimal endpoint of the BMC Helix family (``blackouts/api/bmc.py``), mounted by
tests/blackouts/test_bmc_family.py and, with the other families' echoes, by the authentication tests
(tests/core/auth_urls.py)."""

from django.urls import path, re_path
from rest_framework.response import Response

from blackouts.api import bmc
from core.wire import views as core_views

REQUIRED = ["auth.add_group"]  # the echo user's permission (tests/core/auth_helpers.py)


class BMCEcho(bmc.BMCAPIView):
    request_schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "recordsPerPage": {"type": "integer", "minimum": 1}},
        "required": ["name"],
        "additionalProperties": False,
    }

    def get_required_permissions(self, method):
        return REQUIRED

    def post(self, request):
        body = self.validated_body()
        if body["name"] == "missing":
            raise bmc.BMCStatusError(
                "POLICY_NOT_EXIST", "Failed to delete policy, entry doesn't exist in database", http_status=404
            )
        return Response(bmc.status_body("200", "OK"))


urlpatterns = [
    path("events-service/api/v1.0/test/echo", BMCEcho.as_view()),
    re_path(r"^events-service/api/v1\.0/", core_views.not_found),
]
