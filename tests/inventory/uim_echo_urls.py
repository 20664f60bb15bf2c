"""A minimal endpoint of the Oracle UIM family (``inventory/api/uim.py``), mounted by
tests/inventory/test_uim_family.py and, with the other families' echoes, by the authentication tests
(tests/core/auth_urls.py)."""

from django.urls import path, re_path
from rest_framework import serializers
from rest_framework.response import Response

from core.wire import views as core_views
from inventory.api import uim

REQUIRED = ["auth.add_group"]  # the echo user's permission (tests/core/auth_helpers.py)


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    items = serializers.ListField(child=serializers.IntegerField(), required=False)


class UIMEcho(uim.UIMAPIView):
    def get_required_permissions(self, method):
        return REQUIRED

    def post(self, request):
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["name"] == "ghost":
            raise uim.UIMNotFound("Party", "225009")
        return Response(serializer.validated_data, status=201)


urlpatterns = [
    path("InventoryRSOpenAPI/serviceInventoryManagement/v1/test/echo", UIMEcho.as_view()),
    re_path(r"^InventoryRSOpenAPI/", core_views.not_found),
]
