"""URLs the foundation scenarios mount: an Oracle-family endpoint and its baselines, same process.

The family endpoint asks for model permissions as every wire endpoint does (``contacts.add/change``); the fair
baseline is a bare DRF view with the same authentication classes and a permission check of its own.
"""

from django.http import JsonResponse
from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core import auth
from core.wire import oracle

WRITE_PERMISSIONS = ["contacts.add_customercontact", "contacts.change_customercontact"]


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=30)
    count = serializers.IntegerField()


class OracleEcho(oracle.OracleAPIView):
    xml_root_name = "Echo"
    request_serializer_class = EchoSerializer

    def get_required_permissions(self, method):
        return WRITE_PERMISSIONS

    def post(self, request):
        serializer = self.get_request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class BareDRF(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class HasWritePermissions(BasePermission):
    """DRF's own way: ``user.has_perms`` through Django's ModelBackend (its queries, no cache)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perms(WRITE_PERMISSIONS))


class BareDRFAuthenticated(BareDRF):
    """The bare DRF view behind the family's authentication classes and a model-permission check."""

    authentication_classes = [auth.BasicAuthentication, auth.JWTAuthentication]
    permission_classes = [HasWritePermissions]


def bare_django(request):
    return JsonResponse({"name": "x", "count": 1})


urlpatterns = [
    path("rest/apis/bench/echo", OracleEcho.as_view()),
    path("bare/drf", BareDRF.as_view()),
    path("bare/drf-auth", BareDRFAuthenticated.as_view()),
    path("bare/django", bare_django),
]
