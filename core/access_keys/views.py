"""BMC Helix Portal's token endpoints for access keys: ``POST /ims/api/v1/access_keys/login`` (a key and its secret for
a refresh ``token`` and a ``json_web_token``) and ``POST /ims/api/v1/auth/tokens`` (a refresh token for a new
``json_web_token``). Public (they check a secret or a token themselves); errors in the BMC family's envelope
(``settings.ACCESS_KEY_EXCEPTION_HANDLER``), logins counted and locked out as every password door
(``core.auth.password_attempt``)."""

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.module_loading import import_string
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError

from .. import auth
from ..wire.common import reason_phrase
from ..wire.parsers import WireJSONParser
from . import services, tokens

INVALID_CREDENTIALS = "Invalid access key or secret key."
MAX_LENGTH = 200  # ids are 30 characters and secrets 50: a longer value is a 400, never a hash of megabytes


def _text(**kwargs) -> serializers.CharField:
    field = serializers.CharField(max_length=MAX_LENGTH, trim_whitespace=False, **kwargs)
    field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
    return field  # a NUL in a credential is a failed login (counted), as at every password door


class AccessKeyLoginSerializer(serializers.Serializer):
    access_key = _text(help_text="The access key's id (shown in the admin).")
    access_secret_key = _text(help_text="The secret, shown once when the key was created or rotated.")
    tenant_id = serializers.CharField(
        max_length=MAX_LENGTH, required=False, allow_blank=True, help_text="Accepted and ignored: one tenant here."
    )


class AccessKeyRefreshSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=4000, help_text="The refresh `token` the login answered.")


# The BMC family's error list, documented here (rendered by the family's own handler).
ERROR_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "key": {"type": "string"},
            "level": {"type": "string"},
            "message": {"type": "string"},
            "additionalInfo": {"type": "array", "items": {}},
        },
        "required": ["key", "level", "message", "additionalInfo"],
    },
}


def _errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ERROR_LIST, description=reason_phrase(code)) for code in codes}


class IMSView(APIView):
    """JSON in and out; public; errors rendered by the BMC family (``settings.ACCESS_KEY_EXCEPTION_HANDLER``)."""

    authentication_classes: list = []
    permission_classes: list = []
    renderer_classes = [JSONRenderer]
    parser_classes = [WireJSONParser]

    def get_exception_handler(self):
        path = getattr(settings, "ACCESS_KEY_EXCEPTION_HANDLER", None)
        return import_string(path) if path else super().get_exception_handler()

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'  # a refused login is a 401 (DRF would make it a 403 without a challenge)

    def refuse(self, message: str, code: str = "authentication_failed"):
        raise exceptions.AuthenticationFailed(message, code=code)


@extend_schema(
    tags=["bmc-auth"],
    summary="Log in with an access key",
    description=(
        "BMC Helix Portal's login: `{access_key, access_secret_key, tenant_id}` → `{token, json_web_token}`. Send "
        "the `json_web_token` (valid 15 minutes by default) to the BMC endpoints as `Authorization: Bearer <it>` or "
        "`Authorization: apiKey <it>`; exchange the refresh `token` (24 hours) for a new one at "
        "`POST /ims/api/v1/auth/tokens`. Failed logins are counted per key and per address and locked out (429)."
    ),
    request=AccessKeyLoginSerializer,
    responses={
        200: inline_serializer(
            "AccessKeyLogin", {"token": serializers.CharField(), "json_web_token": serializers.CharField()}
        ),
        **_errors(400, 401, 415, 429, 500),
    },
    examples=[
        OpenApiExample(
            "Login",
            request_only=True,
            value={"access_key": "K0R2XUH8CNTK5U2S4XB6OATH8BWOGR", "access_secret_key": "…", "tenant_id": "1"},
        )
    ],
    auth=[],
)
class AccessKeyLoginView(IMSView):
    def post(self, request):
        serializer = AccessKeyLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key_id, secret = serializer.validated_data["access_key"], serializer.validated_data["access_secret_key"]
        subject, address = f"access_key:{key_id}", auth.client_address(request)
        auth.check_not_locked(subject, address)
        with auth.password_attempt(subject, address) as attempt:
            if auth.holds_nul(key_id, secret):
                attempt.failed()
                self.refuse(INVALID_CREDENTIALS)
            try:
                key = services.access_key_check(access_key=key_id, secret=secret)
            except services.Refused as exc:  # the right secret of a key that may not be used: no guess
                self.refuse(exc.message, exc.code)
            if key is None:
                attempt.failed()
                self.refuse(INVALID_CREDENTIALS)
        return Response(tokens.login_tokens(key))


@extend_schema(
    tags=["bmc-auth"],
    summary="Get a JWT with the refresh token",
    description=(
        "`{token}` (the refresh token of the login) → `{json_web_token}`. The refresh token is not rotated: it gets "
        "new JWTs until it expires (24 hours by default), or until its key is rotated or revoked."
    ),
    request=AccessKeyRefreshSerializer,
    responses={
        200: inline_serializer("AccessKeyJWT", {"json_web_token": serializers.CharField()}),
        **_errors(400, 401, 415, 500),
    },
    auth=[],
)
class AccessKeyTokenView(IMSView):
    def post(self, request):
        serializer = AccessKeyRefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            refresh = tokens.AccessKeyRefreshToken(serializer.validated_data["token"])
        except TokenError as exc:
            self.refuse(str(exc), "token_not_valid")
        try:
            key = tokens.key_of(refresh)
        except services.Refused as exc:
            self.refuse(exc.message, exc.code)
        return Response({"json_web_token": str(tokens.AccessKeyJWT.for_key(key))})
