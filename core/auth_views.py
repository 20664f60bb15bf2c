"""Password doors besides HTTP Basic: the JWT endpoints (simplejwt) and the admin login, both throttled.

The token endpoints answer JSON in every case (errors included, see ``core.views.api_exception_handler``).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.shortcuts import render
from drf_spectacular.contrib.rest_framework_simplejwt import (
    TokenObtainPairSerializerExtension,
    TokenRefreshSerializerExtension,
)
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.utils import get_md5_hash_password
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from . import auth

_pair = inline_serializer("JWTPair", {"access": serializers.CharField(), "refresh": serializers.CharField()})
_detail = inline_serializer("AuthError", {"detail": serializers.CharField()})
_invalid = inline_serializer("AuthValidationError", {"detail": serializers.CharField(required=False)})


class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    """simplejwt's pair, refused with 429 while the username or the client address is locked out."""

    def validate(self, attrs):
        username = attrs.get(self.username_field, "")
        request = self.context.get("request")
        address = auth.client_address(request) if request is not None else ""
        auth.check_not_locked(username, address)
        try:
            return super().validate(attrs)
        except exceptions.AuthenticationFailed:
            auth.record_failure(username, address)
            raise


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """Rotation with a blacklist (settings), and a refresh token is refused once its user changed password,
    was deactivated or removed."""

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])  # signature, expiry, type and blacklist
        model = get_user_model()
        user = model._default_manager.filter(
            **{jwt_settings.USER_ID_FIELD: refresh.payload.get(jwt_settings.USER_ID_CLAIM)}
        ).first()
        if user is None or not jwt_settings.USER_AUTHENTICATION_RULE(user):
            raise exceptions.AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
        if jwt_settings.CHECK_REVOKE_TOKEN and refresh.payload.get(
            jwt_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise exceptions.AuthenticationFailed("The user's password has been changed.", "password_changed")
        return super().validate(attrs)


class _ObtainSchema(TokenObtainPairSerializerExtension):
    target_class = TokenObtainPairSerializer


class _RefreshSchema(TokenRefreshSerializerExtension):
    target_class = TokenRefreshSerializer


_THROTTLED = OpenApiResponse(_detail, description="Too many failed logins for this username or address.")


@extend_schema(
    tags=["auth"],
    summary="Obtain a JWT pair",
    description="`{username, password}` → `{access, refresh}`. Send `Authorization: Bearer <access>`.",
    responses={
        200: _pair,
        400: OpenApiResponse(_invalid, description="Missing fields (each named, with its messages)."),
        401: OpenApiResponse(_detail, description="Bad credentials."),
        415: OpenApiResponse(_detail, description="Unsupported media type."),
        429: _THROTTLED,
    },
)
class JWTObtainView(TokenObtainPairView):
    serializer_class = TokenObtainPairSerializer


@extend_schema(
    tags=["auth"],
    summary="Refresh a JWT pair",
    description=(
        "`{refresh}` → `{access, refresh}`: the refresh token is rotated, the one sent is blacklisted. "
        "Refused once the user's password has changed."
    ),
    responses={
        200: _pair,
        400: OpenApiResponse(_invalid, description="Missing fields."),
        401: OpenApiResponse(_detail, description="Invalid, expired, blacklisted or revoked refresh token."),
        415: OpenApiResponse(_detail, description="Unsupported media type."),
    },
)
class JWTRefreshView(TokenRefreshView):
    serializer_class = TokenRefreshSerializer


def admin_login(request, extra_context=None):
    """The admin's login view, refused with a 429 page while the username or the address is locked out."""
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    username = request.POST.get("username", "")
    address = auth.client_address(request)
    try:
        auth.check_not_locked(username, address)
    except exceptions.Throttled as exc:
        context = {
            **admin.site.each_context(request),
            "title": "Too many failed login attempts",
            "minutes": max(1, -(-int(exc.wait) // 60)),
        }
        response = render(request, "admin/login_locked.html", context, status=429)
        response["Retry-After"] = str(int(exc.wait))
        return response
    response = admin.site.login(request, extra_context)
    if response.status_code == 200 and not request.user.is_authenticated:  # the form again, with its error
        auth.record_failure(username, address)
    return response
