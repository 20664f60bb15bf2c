"""JWT endpoints (simplejwt) with their answers documented, errors included."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

_pair = inline_serializer("JWTPair", {"access": serializers.CharField(), "refresh": serializers.CharField()})
_access = inline_serializer("JWTAccess", {"access": serializers.CharField()})
_detail = inline_serializer("AuthError", {"detail": serializers.CharField()})
_invalid = inline_serializer("AuthValidationError", {"detail": serializers.CharField(required=False)})


@extend_schema(
    tags=["auth"],
    summary="Obtain a JWT pair",
    description="`{username, password}` → `{access, refresh}`. Send `Authorization: Bearer <access>`.",
    responses={
        200: _pair,
        400: OpenApiResponse(_invalid, description="Missing fields (each named, with its messages)."),
        401: OpenApiResponse(_detail, description="Bad credentials."),
        415: OpenApiResponse(_detail, description="Unsupported media type."),
    },
)
class JWTObtainView(TokenObtainPairView):
    pass


@extend_schema(
    tags=["auth"],
    summary="Refresh a JWT access token",
    responses={
        200: _access,
        400: OpenApiResponse(_invalid, description="Missing fields."),
        401: OpenApiResponse(_detail, description="Invalid or expired refresh token."),
        415: OpenApiResponse(_detail, description="Unsupported media type."),
    },
)
class JWTRefreshView(TokenRefreshView):
    pass
