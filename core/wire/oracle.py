"""Oracle Utilities family (``/rest/apis/``): JSON and XML both ways, ``problemDetailDocument`` errors.

Message numbers of the envelope (``serverMessage.messageNbr``; ``messageCategory`` is 0 as the specs allow):
4000 validation, 4001 malformed body, 4002 business rule, 4010 not authenticated, 4030 forbidden,
4040 not found, 4050 method not allowed, 4060 not acceptable, 4090 conflict, 4130 body too large,
4150 unsupported media type,
4290 throttled, 5000 server error. A domain error may give its own number.
"""

from django.db import DatabaseError
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import context
from ..auth import BasicAuthentication, JWTAuthentication
from .common import Problem, WirePermission, make_exception_handler, render_standalone
from .parsers import WireJSONParser
from .xml import XML_MEDIA_TYPE, OracleXMLParser, OracleXMLRenderer

PREFIX = "/rest/apis/"
MESSAGE_CATEGORY = 0
PROBLEM_ROOT = "problemDetailDocument"

MESSAGE_NUMBERS = {
    "validation": 4000,
    "malformed": 4001,
    "business": 4002,
    "unauthenticated": 4010,
    "forbidden": 4030,
    "not_found": 4040,
    "method": 4050,
    "not_acceptable": 4060,
    "conflict": 4090,
    "too_large": 4130,
    "media": 4150,
    "throttled": 4290,
    "server": 5000,
    "unavailable": 5030,
}

TITLE_MAX = 60


class OracleContentNegotiation(DefaultContentNegotiation):
    """``?format=`` first, then an explicit ``Accept``; with neither, answer in the request's own media type."""

    def select_renderer(self, request, renderers, format_suffix=None):
        explicit_format = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if explicit_format == "":  # ?format= names no format: as an unknown one, a 404 (DRF's answer)
            raise exceptions.NotFound("Unknown format ''; use json or xml.")
        accept = request.META.get("HTTP_ACCEPT", "").strip()
        if not explicit_format and accept in ("", "*/*") and XML_MEDIA_TYPE in (request.content_type or ""):
            for renderer in renderers:
                if renderer.media_type == XML_MEDIA_TYPE:
                    return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)


def _user_name(request) -> str:
    try:
        user = getattr(request, "user", None)
    except DatabaseError:  # authentication needed the database, which is down (a 503 is being rendered)
        user = None
    return user.get_username() if user is not None and user.is_authenticated else "anonymous"


def problem_document(problem: Problem, request, view=None) -> dict:
    """The ``problemDetailDocument`` body for a problem (no stack trace, ever)."""
    number = problem.wire_code if isinstance(problem.wire_code, int) else MESSAGE_NUMBERS.get(problem.kind, 4002)
    kind_titles = {
        "validation": "Validation failed",
        "malformed": "Malformed request body",
        "unauthenticated": "Authentication required",
        "forbidden": "Permission denied",
        "not_found": "Not found",
        "server": "Internal server error",
    }
    if problem.errors:
        first_path, first_message = problem.errors[0]
        title = f"{first_path}: {first_message}" if first_path else first_message
    else:
        title = problem.message
    title = title if len(title) <= TITLE_MAX else kind_titles.get(problem.kind, title[: TITLE_MAX - 3] + "...")
    base = request.build_absolute_uri(PREFIX).rstrip("/") if request is not None else PREFIX.rstrip("/")
    path = request.path if request is not None else ""
    method = request.method if request is not None else ""
    stamp = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "httpStatus": problem.status,
        "problemType": f"{base}/message/{MESSAGE_CATEGORY}/{number}",
        "title": title,
        "detail": problem.message,
        "problemInstance": f"{base}/{stamp}/{_user_name(request)}/{MESSAGE_CATEGORY}/{number}{path}/{method}",
        "serverMessage": {
            "messageCategory": MESSAGE_CATEGORY,
            "messageNbr": number,
            "messageText": title,
            "longDescription": problem.message,
            "callSequence": (context.request_id() or "")[:60],  # the request id (X-Request-ID); spec max 60
            "programName": type(view).__name__ if view is not None else "",
        },
    }


def render_problem(problem: Problem, request, view=None) -> Response:
    response = Response(problem_document(problem, request, view), status=problem.status)
    response.xml_root = PROBLEM_ROOT
    return response


exception_handler = make_exception_handler(render_problem)


def standalone_response(problem: Problem, request):
    """A problem answered outside a DRF view (unknown URL under the prefix, uncaught error)."""
    wants_xml = "xml" in request.META.get("HTTP_ACCEPT", "") or request.GET.get("format") == "xml"
    renderer = OracleXMLRenderer() if wants_xml else JSONRenderer()
    return render_standalone(render_problem(problem, request), request, renderer)


class OracleAPIView(APIView):
    """Base view of every Oracle Utilities endpoint.

    Set ``xml_root_name`` (the response schema name, e.g. ``C1OutEvtsUpd``), ``request_serializer_class``
    (also drives the schema-aware XML parser) and ``permission_model`` (or ``get_required_permissions``).
    """

    renderer_classes = [JSONRenderer, OracleXMLRenderer]
    parser_classes = [WireJSONParser, OracleXMLParser]
    authentication_classes = [
        # Basic first, so that an anonymous call gets 401 with a WWW-Authenticate challenge.
        BasicAuthentication,
        JWTAuthentication,
        SessionAuthentication,
    ]
    permission_classes = [WirePermission]
    content_negotiation_class = OracleContentNegotiation
    xml_root_name = "root"
    request_serializer_class: type[serializers.Serializer] | None = None
    permission_model = None

    def get_exception_handler(self):
        return exception_handler

    def get_request_serializer(self, *args, **kwargs):
        if self.request_serializer_class is None:
            return None
        kwargs.setdefault("context", {"request": getattr(self, "request", None), "view": self})
        return self.request_serializer_class(*args, **kwargs)


class ServerMessageSerializer(serializers.Serializer):
    messageCategory = serializers.IntegerField()
    messageNbr = serializers.IntegerField()
    messageText = serializers.CharField()
    longDescription = serializers.CharField()
    callSequence = serializers.CharField(allow_blank=True)
    programName = serializers.CharField(allow_blank=True)


class ProblemDetailDocumentSerializer(serializers.Serializer):
    """Documentation of the Oracle Utilities error body."""

    httpStatus = serializers.IntegerField()
    problemType = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    problemInstance = serializers.CharField()
    serverMessage = ServerMessageSerializer()

    class Meta:
        ref_name = "problemDetailDocument"


_ERROR_DESCRIPTIONS = {
    400: "Bad request: validation error, malformed JSON/XML or a business rule (problemDetailDocument).",
    401: "Not authenticated.",
    403: "Authenticated without the permission.",
    404: "Not found.",
    406: "Not acceptable.",
    409: "Conflict.",
    415: "Unsupported media type.",
    500: "Internal server error.",
}


def error_responses(*extra_codes: int) -> dict:
    """The documented error responses of an Oracle endpoint: 400/401/403/406/415/500 plus ``extra_codes``."""
    codes = sorted({400, 401, 403, 406, 415, 500, *extra_codes})
    return {
        code: OpenApiResponse(ProblemDetailDocumentSerializer, description=_ERROR_DESCRIPTIONS[code]) for code in codes
    }
