"""Password doors besides HTTP Basic: the JWT endpoints (simplejwt), the admin login and the analyst API's login
page, all throttled.

The token endpoints answer JSON in every case (errors included, see ``core.wire.views.api_exception_handler``).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.views import LoginView, LogoutView
from django.core.validators import ProhibitNullCharactersValidator
from django.shortcuts import render
from django.urls import reverse_lazy
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

from . import auth, tokens
from .text import NUL_MESSAGE

_pair = inline_serializer("JWTPair", {"access": serializers.CharField(), "refresh": serializers.CharField()})
_detail = inline_serializer("AuthError", {"detail": serializers.CharField()})
_invalid = inline_serializer("AuthValidationError", {"detail": serializers.CharField(required=False)})


class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    """simplejwt's pair, each password check counted (``core.auth.password_attempt``): 429 while the username or
    the client address is locked out or has no attempt left; a NUL in the credentials is a failed login. The
    refresh token starts a token family (``core.tokens``)."""

    token_class = tokens.FamilyRefreshToken

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (self.username_field, "password"):  # a NUL is a failed login here, not a field error
            field = self.fields[name]
            field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def validate(self, attrs):
        username = attrs.get(self.username_field, "")
        return obtain_checked(username, attrs.get("password", ""), self.context.get("request"), super().validate, attrs)


def obtain_checked(username, password, request, check, *args):
    """Run the password ``check(*args)`` as one counted attempt of ``username`` (``None``: unreadable)."""
    address = auth.client_address(request) if request is not None else ""
    auth.check_not_locked(username, address)
    with auth.password_attempt(username, address) as attempt:
        if username is None or auth.holds_nul(username, password):
            attempt.failed()
            raise exceptions.AuthenticationFailed(
                jwt_serializers.TokenObtainSerializer.default_error_messages["no_active_account"], "no_active_account"
            )
        try:
            return check(*args)
        except exceptions.AuthenticationFailed:
            attempt.failed()
            raise


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """Rotation in a token family (``core.tokens``): one winner however many rotations of a token run at once, and
    a reuse of a rotated token revokes its family. A refresh token is refused once its user changed password, was
    deactivated or removed."""

    token_class = tokens.FamilyRefreshToken

    def validate(self, attrs):
        try:
            refresh = self.token_class(attrs["refresh"])  # signature, expiry, type and blacklist
        except tokens.RefreshTokenBlacklisted as exc:  # an already rotated token: a reuse
            tokens.refresh_family_revoke(family=tokens.family_id(exc.payload))
            raise tokens.RefreshTokenReused() from None
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
        successor = tokens.refresh_rotate(refresh=refresh, user=user)
        return {"access": str(successor.access_token), "refresh": str(successor)}


class _ObtainSchema(TokenObtainPairSerializerExtension):
    target_class = TokenObtainPairSerializer


class _RefreshSchema(TokenRefreshSerializerExtension):
    target_class = TokenRefreshSerializer


_THROTTLED = OpenApiResponse(_detail, description="Too many failed logins for this username or address.")


@extend_schema(
    tags=["auth"],
    summary="Obtain a JWT pair",
    description="`{username, password}` → `{access, refresh}`. Send `Authorization: Bearer <access>`.",
    # JSON only in the document (issue 23: three media types broke generated clients); form bodies still parse.
    request={"application/json": TokenObtainPairSerializer},
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

    def post(self, request, *args, **kwargs):
        try:
            request.data  # noqa: B018 (parse now: the JSON parser refuses a NUL before the serializer sees it)
        except exceptions.ValidationError as exc:
            if not _nul_in_credentials(exc.detail):
                raise
            obtain_checked(None, "", request, None)  # a failed login of an unreadable username: always raises
        return super().post(request, *args, **kwargs)


def _nul_in_credentials(detail) -> bool:
    """The parsers' refusal of a NUL (``{"username": ["Null characters are not allowed."]}``) in a credential."""
    fields = {get_user_model().USERNAME_FIELD, "password"}
    return isinstance(detail, dict) and any(
        name in fields and NUL_MESSAGE in (str(m) for m in messages) for name, messages in detail.items()
    )


@extend_schema(
    tags=["auth"],
    summary="Refresh a JWT pair",
    description=(
        "`{refresh}` → `{access, refresh}`: the refresh token is rotated, the one sent is blacklisted. Sending a "
        "refresh token that was already rotated revokes every refresh token of its login (RFC 9700 §4.14.2). "
        "Refused once the user's password has changed."
    ),
    request={"application/json": TokenRefreshSerializer},  # JSON only in the document; form bodies still parse
    responses={
        200: _pair,
        400: OpenApiResponse(_invalid, description="Missing fields."),
        401: OpenApiResponse(
            _detail, description="Invalid, expired, blacklisted (already used) or revoked refresh token."
        ),
        415: OpenApiResponse(_detail, description="Unsupported media type."),
    },
)
class JWTRefreshView(TokenRefreshView):
    serializer_class = TokenRefreshSerializer


def _locked_page(request, exc: exceptions.Throttled, template: str, title: str):
    context = {**admin.site.each_context(request), "title": title, "minutes": max(1, -(-int(exc.wait) // 60))}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(int(exc.wait))
    return response


def _login_counted(request, login, locked):
    """Run a login form's view with each password check counted: ``locked(exc)`` answers while the username or
    the address is locked out (or has no attempt left); a form answered again (200, nobody logged in) failed."""
    if request.method != "POST":
        return login(request)
    username = request.POST.get("username", "")
    address = auth.client_address(request)
    try:
        auth.check_not_locked(username, address)
        with auth.password_attempt(username, address) as attempt:
            response = login(request)
            if response.status_code == 200 and not request.user.is_authenticated:  # the form again, with its error
                attempt.failed()
            return response
    except exceptions.Throttled as exc:
        return locked(exc)


def admin_login(request, extra_context=None):
    """The admin's login view, each password check counted: a 429 page while the username or the address is
    locked out (or has no attempt left). Staff only, as the admin's own form decides."""
    return _login_counted(
        request,
        lambda request: admin.site.login(request, extra_context),
        lambda exc: _locked_page(request, exc, "admin/login_locked.html", "Too many failed login attempts"),
    )


class ApiLoginView(LoginView):
    """The analyst API's login page (``/api-auth/login/``, DRF's browsable API links it as ``rest_framework:login``).

    Any active user may log in here — the README's analyst is not staff — and gets a session that the API's
    views accept (``SessionAuthentication``: CSRF checked on every unsafe method). The admin still decides for
    itself: it lets staff in only. After logging in: ``next``, or the API's front door."""

    template_name = "rest_framework/login.html"
    next_page = reverse_lazy("api-root")
    extra_context = {"title": "Log in to the analyst API"}


_api_login = ApiLoginView.as_view()


def api_login(request):
    """:class:`ApiLoginView`, each password check counted like the admin's (same counters and limits)."""

    def locked(exc):
        context = {"minutes": max(1, -(-int(exc.wait) // 60))}
        response = render(request, "rest_framework/login_locked.html", context, status=429)
        response["Retry-After"] = str(int(exc.wait))
        return response

    return _login_counted(request, _api_login, locked)


api_logout = LogoutView.as_view(next_page=reverse_lazy("api-root"))


def _password_change(request, extra_context=None):
    if request.method != "POST":
        return admin.site.password_change(request, extra_context)
    username = request.user.get_username()
    address = auth.client_address(request)
    try:
        auth.check_not_locked(username, address)
        with auth.password_attempt(username, address) as attempt:
            response = admin.site.password_change(request, extra_context)
            form = (getattr(response, "context_data", None) or {}).get("form")
            if form is not None and "old_password" in form.errors:  # the old password was wrong (or missing)
                attempt.failed()
            return response
    except exceptions.Throttled as exc:
        return _locked_page(request, exc, "admin/password_change_locked.html", "Too many failed password checks")


def admin_password_change(request, extra_context=None):
    """The admin's password change, its old-password check counted like a login (same counters and limits):
    a 429 page while the user's name or the address is locked out. Staff only, as the admin's own view."""
    return admin.site.admin_view(_password_change)(request, extra_context)
