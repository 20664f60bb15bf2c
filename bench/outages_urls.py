"""The project's URLs plus a bare DRF endpoint, the baseline of the outages throughput benchmark."""

from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class BareDRF(APIView):
    """Parses JSON and echoes it: no auth, no validation, no database."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        return Response(request.data)


urlpatterns = [
    path("bench/bare-drf", BareDRF.as_view()),
    path("", include("config.urls")),
]
