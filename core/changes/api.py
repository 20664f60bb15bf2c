"""The subscriptions API (``/api/webhooks/subscriptions/``): list, create, read, change, delete a listener, through
the subscription services. Needs the ``core.*_subscription`` permissions (operators, superusers).

OUR extension, not a vendor's: none of Oracle Utilities, BMC Helix or Oracle UIM has such an operation (UIM's
listeners register on the TMF hub, ``inventory/api/hub.py``), so it lives under ``/api/`` with the analyst API's
JSON conventions: snake_case keys, errors as ``{"detail": "..."}`` or ``{"<field>": ["<message>", ...]}``."""

import re

from django.db import models
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response

from core.permissions import RolePermission

from .. import roles
from ..errors import DomainError, NotFound
from ..lists.api import PAGE_MAX, AnalystPagination
from ..wire.fields import StrictBooleanField, StrictCharField
from ..wire.parsers import WireJSONParser
from . import subscriptions
from .models import Subscription
from .registry import EVENT_TYPES


class EventTypeField(serializers.ChoiceField):
    """One event type, or ``*``. The choices are read when a serializer is made (the apps fill the registry in
    their ``ready()``), so the published schema lists them all."""

    def __init__(self, **kwargs):
        kwargs.pop("choices", None)
        super().__init__(choices=["*", *sorted(EVENT_TYPES)], **kwargs)


@extend_schema_serializer(component_name="WebhookSubscription")
class SubscriptionSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=EventTypeField(), min_length=1, help_text='Event types to send (docs/events.md), or ["*"] for all.'
    )
    secret = StrictCharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="whsec_…; empty: one is generated. Shown once, in the answer to the request that set it (create, "
        'or a change that gives a new one or "" to generate one); masked (whsec_…) in every other answer.',
    )
    # JSON types as the schema says them (DRF would take 0 for false and 12 for "12").
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
    }

    class Meta:
        model = Subscription
        fields = [
            "id",
            "name",
            "target_url",
            "event_types",
            "filter",
            "secret",
            "enabled",
            "format",
            "owner",
            "failing_since",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["owner", "failing_since", "disabled_reason", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_secret"):
            data["secret"] = "whsec_…" if instance.secret else ""  # shown once, when created
        return data


def _bad_request(exc: DomainError) -> exceptions.ValidationError:
    detail: dict = {}
    for path, text in exc.errors or [("detail", exc.message)]:
        detail.setdefault(path or "detail", []).append(text)
    return exceptions.ValidationError(detail)


class SubscriptionPermission(RolePermission):
    """The role table's ``manage_subscriptions``: each method needs its model permission on subscriptions (reads
    ``view``, POST ``add``, PUT and PATCH ``change``, DELETE ``delete``). Who holds them manages every subscription
    (``subscriptions.subscriptions_of``)."""

    method_actions = {
        "GET": "view",
        "HEAD": "view",
        "POST": "add",
        "PUT": "change",
        "PATCH": "change",
        "DELETE": "delete",
    }

    def required_permissions(self, request, view) -> list[str] | None:
        if request.method == "OPTIONS":
            return []
        action = self.method_actions.get(request.method)
        return None if action is None else [roles.model_permission(Subscription, action)]


ERROR = {
    "type": "object",
    "additionalProperties": True,
    "description": '`{"detail": "..."}` or `{"<field>": ["<message>", ...]}`',
}
TAG = "webhooks (extension)"
EXTENSION = (
    "Not an Oracle, BMC or UIM operation: an extension of this back office (docs/events.md). "
    "Needs the `core.*_subscription` permissions (operators, superusers). "
)
READ_ERRORS = {
    401: OpenApiResponse(ERROR, "Not authenticated."),
    403: OpenApiResponse(ERROR, "Without the permission on subscriptions."),
}
ONE_ERRORS = {**READ_ERRORS, 404: OpenApiResponse(ERROR, "No subscription with this id.")}
WRITE_ERRORS = {
    400: OpenApiResponse(
        ERROR,
        "A field is invalid, on its name: an unknown event type, a filter that does not parse, a secret that is not "
        "base64, a target refused by the SSRF rule (not http(s), userinfo or a backslash in the URL, a port other "
        "than the allowed ones, a private, loopback or link-local address: docs/events.md).",
    ),
    415: OpenApiResponse(ERROR, "A body that is not JSON, a form or multipart."),
}
CREATE_EXAMPLE = OpenApiExample(
    "ETR changes of one system",
    request_only=True,
    value={
        "target_url": "https://gis.example.com/hooks",
        "event_types": ["outage.etr_changed"],
        "filter": "data.natural_key has_prefix 'CCB-NMS integration/'",
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="List webhook subscriptions (our extension)",
        description=EXTENSION + "The secrets are not shown (`whsec_…`).",
        tags=[TAG],
        responses={
            200: SubscriptionSerializer(many=True),
            **READ_ERRORS,
            400: OpenApiResponse(ERROR, "`page` or `page_size` out of its range, or given twice."),
            404: OpenApiResponse(ERROR, "A page past the end."),
        },
    ),
    retrieve=extend_schema(
        summary="Read a webhook subscription (our extension)",
        description=EXTENSION + "The secret is not shown (`whsec_…`).",
        tags=[TAG],
        responses={200: SubscriptionSerializer, **ONE_ERRORS},
    ),
    create=extend_schema(
        summary="Subscribe a receiver to events (our extension)",
        description=EXTENSION
        + "The answer shows the signing secret, once (generated when left empty). The target is refused if it is "
        "on a private, loopback or link-local address, unless the deployment allows it.",
        tags=[TAG],
        request=SubscriptionSerializer,
        responses={201: SubscriptionSerializer, **READ_ERRORS, **WRITE_ERRORS},
        examples=[CREATE_EXAMPLE],
    ),
    update=extend_schema(
        summary="Change a subscription (our extension)",
        description=EXTENSION + "Enabling it again clears why it was disabled; its pending deliveries then go out. "
        'Rotate the secret by giving a new one, or `""` to have one generated: this answer shows it, once.',
        tags=[TAG],
        responses={200: SubscriptionSerializer, **ONE_ERRORS, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a subscription (our extension)",
        description=EXTENSION + "Enabling it again clears why it was disabled; its pending deliveries then go out. "
        'Rotate the secret by giving a new one, or `""` to have one generated: this answer shows it, once.',
        tags=[TAG],
        responses={200: SubscriptionSerializer, **ONE_ERRORS, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a subscription (our extension)",
        description=EXTENSION + "Its deliveries and their attempt log are deleted with it.",
        tags=[TAG],
        responses={204: None, **ONE_ERRORS},
    ),
)
class SubscriptionViewSet(viewsets.ModelViewSet):
    """Webhook subscriptions. Known event types: see ``docs/events.md``."""

    queryset = Subscription.objects.order_by("id")  # narrowed to the user's (get_queryset)
    serializer_class = SubscriptionSerializer
    pagination_class = AnalystPagination  # the analyst lists' pages: bounds published, a page past the end a 404
    parser_classes = [WireJSONParser]  # JSON only: a form cannot say a list of event types or a boolean
    permission_classes = [SubscriptionPermission]

    def list(self, request, *args, **kwargs):
        errors = {}
        bounds = {"page": PAGE_MAX, "page_size": AnalystPagination.max_page_size}
        for name, values in request.query_params.lists():
            if name not in bounds:
                continue
            if len(values) > 1:
                errors[name] = ["Give this parameter once."]
            elif not re.fullmatch(r"[0-9]{1,10}", values[0]) or not 1 <= int(values[0]) <= bounds[name]:
                errors[name] = [f"A whole number from 1 to {bounds[name]}."]
        if errors:
            raise exceptions.ValidationError(errors)
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        method = self.request.method
        action = {"DELETE": "delete", "PUT": "change", "PATCH": "change"}.get(method, "view")
        return subscriptions.subscriptions_of(user=self.request.user, action=action).order_by("id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = subscriptions.subscription_create(**data, owner=self.request.user)
        except DomainError as exc:
            raise _bad_request(exc) from None

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        body = SubscriptionSerializer(serializer.instance, context={"show_secret": True}).data
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        """As DRF's, but the answer shows the secret once when this change set it (rotation: a new one given, or
        ``""`` to have one generated); any other answer masks it."""
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        before = instance.secret
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        rotated = serializer.instance.secret != before
        context = {**self.get_serializer_context(), "show_secret": rotated}
        return Response(SubscriptionSerializer(serializer.instance, context=context).data)

    def perform_update(self, serializer):
        sub = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(sub, name, value)
        try:
            serializer.instance = subscriptions.subscription_save(subscription=sub)
        except DomainError as exc:
            raise _bad_request(exc) from None

    def perform_destroy(self, instance):
        try:
            subscriptions.subscription_delete(subscription_id=instance.pk)
        except NotFound as exc:
            raise exceptions.NotFound(exc.message) from None


__all__ = ["EVENT_TYPES", "SubscriptionViewSet"]
