"""Minimal endpoints of the Oracle Utilities family, mounted only by tests/core/test_wire.py (the BMC and UIM
families' are in their apps' tests).

They prove the family machinery on its own: envelope, auth, parsing, XML conventions.
"""

from django.urls import path, re_path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView

from core.wire import oracle
from core.wire import views as core_views

REQUIRED = ["auth.add_group"]


class ItemSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["SMS ", "EMAI"])
    amount = serializers.IntegerField(min_value=0, max_value=999)


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    flag = serializers.BooleanField(required=False)
    items = ItemSerializer(many=True, required=False)


class OracleEcho(oracle.OracleAPIView):
    xml_root_name = "EchoResponse"
    request_serializer_class = EchoSerializer

    def get_required_permissions(self, method):
        return REQUIRED

    def post(self, request):
        serializer = self.get_request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class OracleBoom(OracleEcho):
    def post(self, request):
        raise RuntimeError("secret internals")


urlpatterns = [
    path("rest/apis/test/echo", OracleEcho.as_view()),
    path("rest/apis/test/boom", OracleBoom.as_view()),
    path("api/auth/token/", TokenObtainPairView.as_view()),
    re_path(r"^rest/apis/", core_views.not_found),
]
