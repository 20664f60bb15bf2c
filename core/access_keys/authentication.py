"""``Authorization: Bearer <JWT>`` and ``Authorization: apiKey <JWT>`` on the BMC endpoints (the family takes this class
from ``settings.BMC_AUTHENTICATION_CLASSES``): an access key's ``json_web_token`` under either keyword, and the JWTs of
``/api/auth/token/`` as before (``core.auth.JWTAuthentication``)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings

from ..auth import JWTAuthentication
from . import services, tokens

KEYWORDS = (b"bearer", b"apikey")  # compared case-insensitively: ingestion clients write "apiKey"


class AccessKeyAuthentication(JWTAuthentication):
    """The core JWT authentication, which also accepts an access key's JWT and the ``apiKey`` keyword. A key's JWT is
    refused once its key is rotated, revoked or expired, or its owner deactivated (one query: the key and its
    owner)."""

    def get_raw_token(self, header: bytes):
        parts = header.split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Authorization header must contain two space-delimited values"), code="bad_authorization_header"
            )
        return parts[1]

    def get_validated_token(self, raw_token):
        try:
            return tokens.AccessKeyJWT(raw_token)
        except TokenError:
            return super().get_validated_token(raw_token)  # a JWT of /api/auth/token/, or the reason it is none

    def get_user(self, validated_token):
        if validated_token.get(api_settings.TOKEN_TYPE_CLAIM) != tokens.AccessKeyJWT.token_type:
            return super().get_user(validated_token)
        try:
            key = tokens.key_of(validated_token)
        except services.Refused as exc:
            raise exceptions.AuthenticationFailed(exc.message, code=exc.code) from None
        if str(validated_token.get(api_settings.USER_ID_CLAIM)) != str(getattr(key.user, api_settings.USER_ID_FIELD)):
            raise exceptions.AuthenticationFailed(_("Token is invalid"), code="token_not_valid")
        return key.user


class AccessKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documented as the JWT scheme it extends, ``jwtAuth`` (defined by ``core.auth.JWTAuthentication``'s): the BMC
    operations' security is unchanged, and no second component of that name is registered."""

    target_class = AccessKeyAuthentication
    name: list = []  # no definition of its own

    def get_security_requirement(self, auto_schema):
        return {"jwtAuth": []}

    def get_security_definition(self, auto_schema):
        return []
