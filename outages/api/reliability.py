"""``GET /api/outages/reliability/``: IEEE 1366 reliability indices over a period (``outages.reliability``), for
analysts — the analyst API's conventions (snake_case keys, errors as ``{"<parameter>": ["<message>"]}``, the
``view`` permission on outage events, ``lists.export_data`` for a file), with ``format=csv|xlsx|json`` files."""

import csv
import io
import itertools
import json
import tempfile
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core import roles
from core.auth import BasicAuthentication, JWTAuthentication
from core.lists.api import ANALYST_ERROR_SCHEMA, ANALYST_TAG, CSVRenderer, XLSXRenderer
from core.lists.writers import FORMATS, XLSX_UNSAFE, cell_text
from core.permissions import RolePermission

from ..models import OutageEvent
from ..reliability import (
    CELID_HOURS,
    CEMI_N,
    COLUMNS,
    GROUPS,
    INDEX_KEYS,
    LISTS,
    ReliabilityQuery,
    reliability_compute,
    worst_served_customers,
)

EXPORTS = ("csv", "xlsx", "json")
FIRST_YEAR, LAST_YEAR = 1900, 2999  # the major event days look five years back: dates every database holds


class ReliabilityPermission(RolePermission):
    """Who may read outage events may read their indices; a file also needs ``lists.export_data``."""

    def required_permissions(self, request, view) -> list[str] | None:
        perms = roles.method_permissions(request.method, OutageEvent)
        if perms is not None and request.query_params.get("format") in ("csv", "xlsx"):
            perms += roles.needs("export_data")
        return perms


class ReliabilityQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day of the period (inclusive), in `zone`.")
    end = serializers.DateField(help_text="Day after the period (exclusive), in `zone`.")
    zone = serializers.CharField(required=False, help_text="IANA time zone of the days; the installation's default.")
    customers_served = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text="Override the customers served (N_T)."
    )
    include_planned = serializers.BooleanField(required=False, default=False, help_text="Count planned (C1PL).")
    exclude_major_event_days = serializers.BooleanField(
        required=False, default=False, help_text="Leave out the interruptions starting on major event days."
    )
    group_by = serializers.ChoiceField(choices=GROUPS, required=False, help_text="Also give the indices per group.")
    cemi_n = serializers.IntegerField(required=False, default=CEMI_N, min_value=0, max_value=100_000)
    celid_hours = serializers.FloatField(required=False, default=CELID_HOURS, min_value=0, max_value=100_000)

    def validate_zone(self, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise serializers.ValidationError(f"Not an IANA time zone: {value!r}.") from None
        return value

    def validate(self, attrs):
        for name in ("start", "end"):
            if not FIRST_YEAR <= attrs[name].year <= LAST_YEAR:
                raise serializers.ValidationError({name: [f"A date from {FIRST_YEAR} to {LAST_YEAR}."]})
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["After start (end is exclusive)."]})
        return attrs


class _Indices(serializers.Serializer):
    saifi = serializers.FloatField(allow_null=True, help_text="Sustained customer interruptions / customers served")
    saidi = serializers.FloatField(allow_null=True, help_text="Sustained customer minutes / customers served")
    caidi = serializers.FloatField(allow_null=True, help_text="SAIDI / SAIFI (minutes)")
    caifi = serializers.FloatField(allow_null=True, help_text="Interruptions per customer interrupted")
    asai = serializers.FloatField(allow_null=True, help_text="Average service availability (0..1)")
    maifi = serializers.FloatField(allow_null=True, help_text="Momentary interruptions / customers served")
    cemi = serializers.FloatField(allow_null=True, help_text="Share with more than cemi_n sustained interruptions")
    celid_single = serializers.FloatField(allow_null=True, help_text="Share with one over celid_hours")
    celid_total = serializers.FloatField(allow_null=True, help_text="Share with over celid_hours in all")
    customers_served = serializers.IntegerField()
    customers_interrupted = serializers.IntegerField()
    customer_interruptions = serializers.IntegerField()
    customer_minutes_interrupted = serializers.FloatField()


class ReliabilityGroupSerializer(_Indices):
    group = serializers.CharField(help_text="YYYY-MM, an outage type, a postal code or a city ('' unknown)")


class ReliabilitySerializer(_Indices):
    major_event_days = serializers.ListField(child=serializers.DateField(), help_text="2.5β major event days")
    groups = ReliabilityGroupSerializer(many=True, required=False, help_text="With group_by only")


def _rows(result: dict) -> list[list]:
    rows = [["", *[result[key] for key in INDEX_KEYS]]]
    rows += [[group["group"], *[group[key] for key in INDEX_KEYS]] for group in result.get("groups", [])]
    return rows


def _export(result: dict, fmt: str) -> HttpResponse | FileResponse:
    content_type, extension = FORMATS[fmt]
    name = f"outages-reliability.{extension}"
    header = ["group", *INDEX_KEYS]
    if fmt == "json":
        response = HttpResponse(json.dumps(result), content_type=content_type)
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([[cell_text(v) if isinstance(v, str) else v for v in row] for row in _rows(result)])
        writer.writerow([])
        writer.writerow(["major_event_days", *result["major_event_days"]])
        response = HttpResponse(buffer.getvalue(), content_type=content_type)
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title="reliability")
        sheet.append(header)
        for row in _rows(result):
            sheet.append([cell_text(v, XLSX_UNSAFE) if isinstance(v, str) else v for v in row])
        days = workbook.create_sheet(title="major event days")
        days.append(["major_event_day"])
        for day in result["major_event_days"]:
            days.append([day])
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        workbook.save(spool)
        spool.seek(0)
        return FileResponse(spool, as_attachment=True, filename=name, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _AnalystView(APIView):
    """The analyst API's authentication, permission and formats; a bad ``format`` is a 400 (not DRF's 404)."""

    authentication_classes = [BasicAuthentication, JWTAuthentication, SessionAuthentication]
    permission_classes = [ReliabilityPermission]
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]

    def perform_content_negotiation(self, request, force=False):
        if request.query_params.get("format") not in (None, *EXPORTS):  # answered 400 by get(), not DRF's 404
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(getattr(response, "accepted_renderer", None), CSVRenderer | XLSXRenderer):
            # An error answered to a file request: rendered as JSON, as the analyst lists do.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


class ReliabilityView(_AnalystView):
    """IEEE 1366 reliability indices of the outages over a period (docs/outages.md, "Reliability indices")."""

    serializer_class = ReliabilitySerializer  # the schema's answer (the view renders a dict)

    @extend_schema(
        tags=[ANALYST_TAG],
        summary="Reliability indices (IEEE 1366) over a period",
        description=(
            "SAIFI, SAIDI, CAIDI, CAIFI, ASAI (sustained interruptions, longer than the threshold, 5 minutes by "
            "default), MAIFI (momentary), CEMI-n and CELID-t, from the outages' customer lists and their history; "
            "major event days by the 2.5β method. Planned outages are left out unless `include_planned`; discarded "
            "ones never count. `format=csv|xlsx|json` answers a file (CSV/XLSX need `lists.export_data`)."
        ),
        parameters=[
            ReliabilityQuerySerializer,
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(EXPORTS), description="A file instead of a page"),
        ],
        responses={
            200: ReliabilitySerializer,
            400: OpenApiResponse(ANALYST_ERROR_SCHEMA, "A parameter is invalid (dates, zone, group_by...)."),
            401: OpenApiResponse(ANALYST_ERROR_SCHEMA, "Not authenticated."),
            403: OpenApiResponse(ANALYST_ERROR_SCHEMA, "Without the view permission on outage events."),
        },
    )
    def get(self, request):
        query, _, fmt = _query(request, ReliabilityQuerySerializer)
        result = reliability_compute(query).as_dict()
        if fmt is not None:
            return _export(result, fmt)
        return Response(result)


def _query(request, serializer_class) -> tuple[ReliabilityQuery, dict, str | None]:
    """The request's query parameters, validated (a 400 in the analyst envelope naming each bad one)."""
    params = request.query_params
    errors = {name: ["One value only."] for name, values in params.lists() if len(values) > 1}
    fmt = params.get("format")
    if fmt is not None and fmt not in EXPORTS:
        errors["format"] = [f"One of {', '.join(EXPORTS)}."]
    if errors:
        raise exceptions.ValidationError(errors)
    given = serializer_class(data={k: v for k, v in params.items() if k != "format"})
    given.is_valid(raise_exception=True)
    data = dict(given.validated_data)
    extra = {name: data.pop(name) for name in set(data) - set(ReliabilityQuerySerializer().fields)}
    return ReliabilityQuery(**{"zone": settings.TIME_ZONE, **data}), extra, fmt


class WorstServedQuerySerializer(ReliabilityQuerySerializer):
    list = serializers.ChoiceField(choices=list(LISTS), help_text="cemi, celid_single or celid_total")


class WorstServedCustomerSerializer(serializers.Serializer):
    account_id = serializers.CharField()
    sp_id = serializers.CharField()
    sustained_interruptions = serializers.IntegerField()
    sustained_minutes = serializers.FloatField()
    longest_minutes = serializers.FloatField()
    momentary = serializers.IntegerField()


def _batches(rows: Iterator[dict], size: int = 5000) -> Iterator[list[dict]]:
    while batch := list(itertools.islice(rows, size)):
        yield batch


def _csv_lines(rows: Iterator[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for batch in _batches(rows):
        writer.writerows([[cell_text(row[c]) if isinstance(row[c], str) else row[c] for c in COLUMNS] for row in batch])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _json_array(rows: Iterator[dict]) -> Iterator[str]:
    first = True
    for batch in _batches(rows):
        body = ",\n".join(json.dumps(row) for row in batch)
        yield ("[" if first else ",\n") + body
        first = False
    yield "[]\n" if first else "]\n"


class WorstServedCustomersView(_AnalystView):
    """The customers CEMI-n or CELID-t counts over a period, streamed (JSON array, or CSV/XLSX with ``format``)."""

    serializer_class = WorstServedCustomerSerializer

    @extend_schema(
        tags=[ANALYST_TAG],
        summary="The worst-served customers: those CEMI-n or CELID-t counts",
        description=(
            "One row per customer (account id, service point id) with its sustained interruptions and minutes, "
            "its longest interruption and its momentary ones over the period, for `list=cemi` (more than `cemi_n` "
            "sustained interruptions), `celid_single` (one longer than `celid_hours`) or `celid_total` (more than "
            "`celid_hours` in all); the parameters of the indices apply. Streamed, whatever the size."
        ),
        parameters=[
            WorstServedQuerySerializer,
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(EXPORTS), description="A file instead of JSON"),
        ],
        responses={
            200: WorstServedCustomerSerializer(many=True),
            400: OpenApiResponse(ANALYST_ERROR_SCHEMA, "A parameter is invalid."),
            401: OpenApiResponse(ANALYST_ERROR_SCHEMA, "Not authenticated."),
            403: OpenApiResponse(ANALYST_ERROR_SCHEMA, "Without the view permission on outage events."),
        },
    )
    def get(self, request):
        query, extra, fmt = _query(request, WorstServedQuerySerializer)
        which = extra["list"]
        rows = worst_served_customers(query, which)
        name = f"outages-{which.replace('_', '-')}-customers"
        if fmt == "xlsx":
            from openpyxl import Workbook

            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet(title=which)
            sheet.append(list(COLUMNS))
            for row in rows:
                sheet.append([cell_text(row[c], XLSX_UNSAFE) if isinstance(row[c], str) else row[c] for c in COLUMNS])
            spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
            workbook.save(spool)
            spool.seek(0)
            return FileResponse(spool, as_attachment=True, filename=f"{name}.xlsx", content_type=FORMATS["xlsx"][0])
        chunks = _csv_lines(rows) if fmt == "csv" else _json_array(rows)
        head = next(chunks, "")  # the query runs before the answer starts: an error is an error response
        response = StreamingHttpResponse(
            itertools.chain([head], chunks), content_type=FORMATS["csv" if fmt == "csv" else "json"][0]
        )
        if fmt is not None:
            extension = FORMATS[fmt][1]
            response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
        return response
