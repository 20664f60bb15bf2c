"""``POST /api/blackouts/preview/``: what a blackout policy would do, before it is saved. OUR extension, not BMC's:
BMC's events-service has no such operation, so it lives under ``/api/`` (the analyst API's JSON conventions:
snake_case keys, errors as ``{"<field path>": ["<message>", ...]}``), not under the vendor prefix.

The body carries the policy's ``selector_criteria`` and ``timeframe`` (BMC's ``timeframeDetails`` object), or the
``policy`` id of a saved one (what the body gives overrides what is stored). Validation is the policy's own
(``blackouts/policy_input.py`` through ``selectors.policy_preview``), so a value the API or the admin would refuse
is refused here with the same message.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core import roles
from core.auth import BasicAuthentication, JWTAuthentication
from core.errors import Invalid
from core.permissions import RolePermission
from core.wire.parsers import WireJSONParser

from .. import selectors
from ..models import BlackoutPolicy

PERMISSIONS = roles.needs("preview_policies")  # reading policies and events (core.roles)
ERROR = {
    "type": "object",
    "additionalProperties": True,
    "description": '`{"detail": "..."}` or `{"<field path>": ["<message>", ...]}`',
}


class CanPreview(RolePermission):
    """Who may read policies and events may preview (a preview writes nothing): the role table's
    ``preview_policies``."""

    def required_permissions(self, request, view) -> list[str]:
        return list(PERMISSIONS)


class PreviewRequestSerializer(serializers.Serializer):
    policy = serializers.UUIDField(required=False, help_text="A saved policy; the fields below override its own.")
    selector_criteria = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="e.g. class equals 'EVENT'"
    )
    timeframe = serializers.JSONField(required=False, help_text="BMC's timeframeDetails object")
    windows = serializers.IntegerField(
        required=False, default=5, min_value=1, max_value=selectors.PREVIEW_MAX_WINDOWS, help_text="how many windows"
    )
    sample = serializers.IntegerField(
        required=False, default=10, min_value=0, max_value=selectors.PREVIEW_MAX_SAMPLE, help_text="events shown"
    )


class PreviewWindowSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="UTC")
    end = serializers.DateTimeField(help_text="UTC")
    start_local = serializers.CharField(help_text="in the policy's zone, with its UTC offset (DST applied)")
    end_local = serializers.CharField()
    open_now = serializers.BooleanField()


class PreviewEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    identifier = serializers.CharField()
    event_class = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()
    source_hostname = serializers.CharField()
    msg = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    time_zone = serializers.CharField()
    windows = PreviewWindowSerializer(many=True)
    matching_events = serializers.IntegerField(help_text="current (not CLOSED) events the criteria match")
    open_matching_events = serializers.IntegerField(help_text="of which OPEN: what a window start blacks out")
    sample = PreviewEventSerializer(many=True, help_text="the newest matching events")


def preview_representation(preview: selectors.PolicyPreview) -> dict:
    return {
        "time_zone": preview.zone,
        "windows": [
            {
                "start": w.start.isoformat().replace("+00:00", "Z"),
                "end": w.end.isoformat().replace("+00:00", "Z"),
                "start_local": w.start_local.isoformat(),
                "end_local": w.end_local.isoformat(),
                "open_now": w.open_now,
            }
            for w in preview.windows
        ],
        "matching_events": preview.matching_events,
        "open_matching_events": preview.open_matching_events,
        "sample": [
            {
                "id": e.pk,
                "identifier": e.identifier,
                "event_class": e.event_class,
                "severity": e.severity,
                "status": e.status,
                "source_hostname": e.source_hostname,
                "msg": e.msg,
            }
            for e in preview.sample
        ],
    }


def as_bad_request(exc: Invalid) -> exceptions.ValidationError:
    detail: dict[str, list[str]] = {}
    for path, text in exc.errors or [("detail", exc.message)]:
        detail.setdefault(path or "detail", []).append(text)
    return exceptions.ValidationError(detail)


class PolicyPreviewView(APIView):
    """Preview a blackout policy (saved or not): its next windows and the events it matches."""

    authentication_classes = [BasicAuthentication, JWTAuthentication, SessionAuthentication]
    permission_classes = [CanPreview]
    renderer_classes = [JSONRenderer]
    parser_classes = [WireJSONParser]  # the timeframe is an object: JSON only

    @extend_schema(
        tags=["blackouts (extension)"],
        summary="Preview a blackout policy before saving it (our extension, not BMC's)",
        description=(
            "Not a BMC Helix operation: an extension of this back office. For a policy, saved (`policy`) or not "
            "(`selector_criteria` and `timeframe`), answers its next `windows` windows in UTC and in the policy's "
            "zone (DST applied), how many current events its criteria match and a sample of them. Writes nothing."
        ),
        request=PreviewRequestSerializer,
        responses={
            200: PreviewSerializer,
            400: OpenApiResponse(ERROR, "A field is invalid: the policy validator's message, on its field path."),
            401: OpenApiResponse(ERROR, "Not authenticated."),
            403: OpenApiResponse(ERROR, "Without the view permissions on blackout policies and events."),
            404: OpenApiResponse(ERROR, "No policy with the id given in `policy`."),
            415: OpenApiResponse(ERROR, "A body that is not JSON, a form or multipart."),
        },
        examples=[
            OpenApiExample(
                "daily window",
                request_only=True,
                value={
                    "selector_criteria": "class equals 'EVENT'",
                    "timeframe": {
                        "startDate": "01012026",
                        "startTime": "01:00",
                        "endTime": "02:00",
                        "endsOn": {"never": True},
                        "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
                        "timeZone": {"id": "Europe/Paris"},
                    },
                    "windows": 3,
                },
            )
        ],
    )
    def post(self, request):
        given = PreviewRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        fields = {}
        if "policy" in data:
            stored = BlackoutPolicy.objects.filter(pk=data["policy"]).first()
            if stored is None:
                raise exceptions.NotFound(f"No blackout policy with id {data['policy']}.")
            fields = {"selector_criteria": stored.selector_criteria, "timeframe": stored.timeframe}
        fields.update({name: data[name] for name in selectors.PREVIEW_FIELDS if name in data})
        try:
            preview = selectors.policy_preview(
                fields=fields, now=timezone.now(), window_count=data["windows"], sample_size=data["sample"]
            )
        except Invalid as exc:
            raise as_bad_request(exc) from None
        return Response(preview_representation(preview))
