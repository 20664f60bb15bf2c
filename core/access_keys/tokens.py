"""The tokens an access key gets: a JWT (``json_web_token``, 15 minutes by default) and a refresh token (``token``,
24 hours) that gets new JWTs until it expires, as BMC Helix Portal documents them. Both are simplejwt tokens of their
own types, signed with ``SIMPLE_JWT["SIGNING_KEY"]``, carrying the key's id and a fingerprint of its secret: the
core ``JWTAuthentication`` (type ``access``) refuses them, so they open the BMC endpoints alone
(:class:`core.access_keys.authentication.AccessKeyAuthentication`)."""

from datetime import timedelta

from django.conf import settings
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from . import services
from .models import AccessKey

KEY_CLAIM = "akid"
FINGERPRINT_CLAIM = "akfp"
DEFAULTS = {"ACCESS_KEY_JWT_MINUTES": 15, "ACCESS_KEY_REFRESH_HOURS": 24}


def setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


class _KeyToken(Token):
    @classmethod
    def for_key(cls, key: AccessKey) -> "_KeyToken":
        token = cls()
        user_id = getattr(key.user, api_settings.USER_ID_FIELD)
        token[api_settings.USER_ID_CLAIM] = user_id if isinstance(user_id, int) else str(user_id)
        token[KEY_CLAIM] = key.access_key
        token[FINGERPRINT_CLAIM] = services.fingerprint(key)
        return token


class AccessKeyJWT(_KeyToken):
    """The ``json_web_token``: sent as ``Authorization: Bearer <it>`` or ``apiKey <it>``."""

    token_type = "access_key"  # noqa: S105 - a claim value, not a secret

    @property
    def lifetime(self) -> timedelta:
        return timedelta(minutes=setting("ACCESS_KEY_JWT_MINUTES"))


class AccessKeyRefreshToken(_KeyToken):
    """The refresh ``token``: exchanged for a new JWT at ``POST /ims/api/v1/auth/tokens`` as often as needed until it
    expires (BMC's flow: it is not rotated), unless its key is rotated or revoked first."""

    token_type = "access_key_refresh"  # noqa: S105 - a claim value, not a secret

    @property
    def lifetime(self) -> timedelta:
        return timedelta(hours=setting("ACCESS_KEY_REFRESH_HOURS"))


def login_tokens(key: AccessKey) -> dict:
    """The login's answer: the refresh ``token`` and the first ``json_web_token``."""
    return {"token": str(AccessKeyRefreshToken.for_key(key)), "json_web_token": str(AccessKeyJWT.for_key(key))}


def key_of(token: Token) -> AccessKey:
    """The key a verified token of an access key was issued with, if still usable (else ``services.Refused``)."""
    return services.access_key_for_token(token.payload, key_claim=KEY_CLAIM, fingerprint_claim=FINGERPRINT_CLAIM)
