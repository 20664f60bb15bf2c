"""Refresh token families: rotation with exactly one winner, and reuse detection (OAuth 2.0 Security BCP,
RFC 9700 §4.14.2). See docs/security.md.

A login (``/api/auth/token/``) starts a family (:class:`core.models.RefreshTokenFamily`); its refresh token and
every successor carry the family's id in the claim ``fam``. The family records its one *current* token. A
rotation replaces it by a conditional UPDATE (``WHERE current = the token presented AND not revoked``), so of
many rotations of one token at once exactly one wins; the presented token is blacklisted in the same
transaction. Presenting a token that is not its family's current one — a blacklisted (already rotated) token,
or the loser of a race — is a reuse: the family is revoked and its current token blacklisted, so neither the
thief nor the rightful client can refresh again (a new login is needed). Access tokens are stateless: those
already issued stay valid until they expire.

Tokens minted before families existed (no ``fam`` claim) get a family on their first rotation, its id derived
from their ``jti`` so that concurrent first rotations agree on it.
"""

import uuid

from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

from .models import RefreshTokenFamily

FAMILY_CLAIM = "fam"
REUSED_MESSAGE = "Token is blacklisted: it was already used, so every token of its login is revoked"
_LEGACY_NAMESPACE = uuid.UUID("5f0c7f3e-4d0b-4c55-9a43-1f1c2b8d6a21")


class RefreshTokenBlacklisted(TokenError):
    """A refresh token whose signature, expiry and type are good, but which is blacklisted: a reuse."""

    def __init__(self, payload: dict):
        super().__init__("Token is blacklisted")
        self.payload = payload


class RefreshTokenReused(TokenError):
    def __init__(self):
        super().__init__(REUSED_MESSAGE)


def family_id(payload: dict) -> uuid.UUID | None:
    """The family of a (verified) token's payload; a token without ``fam`` (minted before families) has the one
    derived from its ``jti``."""
    try:
        if FAMILY_CLAIM in payload:
            return uuid.UUID(str(payload[FAMILY_CLAIM]))
        return uuid.uuid5(_LEGACY_NAMESPACE, str(payload[api_settings.JTI_CLAIM]))
    except (KeyError, ValueError):
        return None


class FamilyRefreshToken(RefreshToken):
    """simplejwt's refresh token in a family: a login starts one; a blacklisted token is reported as
    :class:`RefreshTokenBlacklisted` (after expiry and type are checked) so that its reuse can revoke the family."""

    def verify(self, *args, **kwargs) -> None:
        Token.verify(self, *args, **kwargs)  # expiry and type first: an expired reuse is only expired
        jti = self.payload[api_settings.JTI_CLAIM]
        if BlacklistedToken.objects.filter(token__jti=jti).exists():
            raise RefreshTokenBlacklisted(self.payload)

    @classmethod
    def for_user(cls, user) -> "FamilyRefreshToken":
        token = Token.for_user.__func__(cls, user)  # the claims, without simplejwt's own outstanding-token row
        family = uuid.uuid4()
        token[FAMILY_CLAIM] = str(family)
        with transaction.atomic():
            RefreshTokenFamily.objects.create(id=family, current=_outstand(token, user))
        return token


def _outstand(token: Token, user) -> OutstandingToken:
    return OutstandingToken.objects.create(
        user=user,
        jti=token[api_settings.JTI_CLAIM],
        token=str(token),
        created_at=token.current_time,
        expires_at=datetime_from_epoch(token["exp"]),
    )


def refresh_rotate(*, refresh: FamilyRefreshToken, user) -> FamilyRefreshToken:
    """The successor of ``refresh`` (verified, not blacklisted) in its family, ``refresh`` blacklisted. Exactly
    one of any number of concurrent rotations of one token succeeds; the others, and a token that is not its
    family's current one, raise :class:`RefreshTokenReused` after revoking the family."""
    family = family_id(refresh.payload)
    presented = OutstandingToken.objects.filter(jti=refresh[api_settings.JTI_CLAIM]).values_list("pk", flat=True)
    presented = presented.first()
    if family is None or presented is None:  # not issued here (or its row was deleted): nothing to rotate
        raise TokenError("Token is invalid")
    if FAMILY_CLAIM not in refresh.payload:  # minted before families: its family starts now (once, under races)
        RefreshTokenFamily.objects.get_or_create(id=family, defaults={"current_id": presented})
        refresh[FAMILY_CLAIM] = str(family)
    refresh.set_jti()
    refresh.set_exp()
    refresh.set_iat()
    try:
        with transaction.atomic():
            successor = _outstand(refresh, user)
            current = RefreshTokenFamily.objects.filter(pk=family, current_id=presented, revoked_at=None)
            if not current.update(current=successor):  # another rotation won, or a reuse: roll the successor back
                raise RefreshTokenReused()
            BlacklistedToken.objects.get_or_create(token_id=presented)
    except RefreshTokenReused:
        refresh_family_revoke(family=family, also=presented)
        raise
    return refresh


@transaction.atomic
def refresh_family_revoke(*, family: uuid.UUID | None, also: int | None = None) -> None:
    """Revoke a family on reuse: mark it revoked and blacklist its current token (and ``also``, the token
    presented, when simplejwt has not yet). Idempotent."""
    if family is None:
        return
    row = RefreshTokenFamily.objects.select_for_update().filter(pk=family).first()
    if row is not None:
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.save(update_fields=["revoked_at"])
        BlacklistedToken.objects.get_or_create(token_id=row.current_id)
    if also is not None:
        BlacklistedToken.objects.get_or_create(token_id=also)


@transaction.atomic
def refresh_tokens_revoke(*, user_ids) -> int:
    """Staff's "Sign out of the API": blacklist every unexpired refresh token of these users and mark their families
    revoked (access tokens already issued run out on their own, as after a reuse). Returns the tokens revoked."""
    now = timezone.now()
    live = OutstandingToken.objects.filter(user_id__in=list(user_ids), expires_at__gt=now, blacklistedtoken=None)
    ids = list(live.values_list("pk", flat=True))
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token_id=pk) for pk in ids], ignore_conflicts=True)
    RefreshTokenFamily.objects.filter(current_id__in=ids, revoked_at=None).update(revoked_at=now)
    return len(ids)
