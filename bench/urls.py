"""URLs the foundation scenario mounts: an Oracle-family endpoint and two baselines, same process."""

from django.http import JsonResponse
from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.wire import oracle


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=30)
    count = serializers.IntegerField()


class OracleEcho(oracle.OracleAPIView):
    xml_root_name = "Echo"
    request_serializer_class = EchoSerializer

    def get_required_permissions(self, method):
        return []

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


def bare_django(request):
    return JsonResponse({"name": "x", "count": 1})


urlpatterns = [
    path("rest/apis/bench/echo", OracleEcho.as_view()),
    path("bare/drf", BareDRF.as_view()),
    path("bare/django", bare_django),
]
