"""What changes an access key, and the check of a key and its secret. Every write records one change (the secret's
hash only as changed). The admin, ``manage.py create_access_key`` and the tests call these; no door writes a key."""

import secrets
import string

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from ..changes import record, snapshot, track
from ..changes.saving import validate_save_record
from ..errors import Invalid
from .models import AccessKey, AccessKeyStatus

KEY_ALPHABET = string.ascii_uppercase + string.digits  # BMC's ids: 30 upper-case letters and digits
SECRET_ALPHABET = string.ascii_letters + string.digits
KEY_LENGTH = 30
SECRET_LENGTH = 50
_FINGERPRINT_SALT = "core.access_keys.fingerprint"


def register() -> None:
    """Describe access keys to the change log (``AccessKeysConfig.ready``): named by their id; no outbound event."""
    track(AccessKey, natural_key=lambda key: key.access_key)


def key_id_generate() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def secret_generate() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def fingerprint(key: AccessKey) -> str:
    """What a token carries of the key's current secret (a keyed digest of its hash): a rotation changes it, so
    every token issued before is refused."""
    return salted_hmac(_FINGERPRINT_SALT, key.secret_hash, algorithm="sha256").hexdigest()[:32]


def fingerprint_matches(key: AccessKey, value) -> bool:
    return isinstance(value, str) and constant_time_compare(value, fingerprint(key))


def access_key_new_check(*, user, expires_at=None, by=None) -> None:
    """The rules of a new key: an owner (only a superuser gives a superuser a key, else an operator could act as
    one) and an expiry, if any, still to come."""
    access_key_owner_check(user, by=by)
    if expires_at is not None and expires_at <= timezone.now():
        raise Invalid("A new access key must expire in the future.", code="access_keys.expired", field="expires_at")


def access_key_owner_check(user, *, by=None) -> None:
    if user is None:
        raise Invalid("An access key needs an owner.", code="access_keys.no_owner", field="user")
    if by is not None and user.is_superuser and not by.is_superuser:
        raise Invalid(
            "Only a superuser may give a superuser an access key.", code="access_keys.owner_not_allowed", field="user"
        )


@transaction.atomic
def access_key_create(*, user, name: str, description: str = "", expires_at=None, by=None) -> tuple[AccessKey, str]:
    """A new active key of ``user`` and its secret, which is stored only hashed: the caller shows it once. ``by``
    (the staff user making it, if any) may not give a superuser a key unless a superuser."""
    access_key_new_check(user=user, expires_at=expires_at, by=by)
    secret = secret_generate()
    key = AccessKey(
        access_key=key_id_generate(),
        name=name,
        description=description,
        user=user,
        expires_at=expires_at,
        secret_hash=make_password(secret),
    )
    return validate_save_record(key, code="access_keys.invalid_key"), secret


@transaction.atomic
def access_key_save(*, access_key: AccessKey, by=None) -> AccessKey:
    """Change what staff may change of a key: its name, description and expiry."""
    access_key_owner_check(access_key.user, by=by)
    return validate_save_record(access_key, code="access_keys.invalid_key")


@transaction.atomic
def access_key_rotate(*, key_id: int) -> tuple[AccessKey, str]:
    """A new secret for a key (shown once by the caller): the old one, and every token issued with it, is refused
    from now on."""
    key = AccessKey.objects.select_for_update().get(pk=key_id)
    before = snapshot(key)
    secret = secret_generate()
    key.secret_hash = make_password(secret)
    key.save(update_fields=["secret_hash", "updated_at"])
    record(key, "rotated", before=before)
    return key, secret


@transaction.atomic
def access_keys_revoke(*, key_ids) -> int:
    """Revoke keys (one change each): they log in no more and their tokens are refused. Revoked keys are kept,
    never deleted, so that the change log keeps naming them. Returns how many were revoked now."""
    revoked = 0
    for key in AccessKey.objects.select_for_update().filter(pk__in=list(key_ids)).order_by("pk"):
        if key.status == AccessKeyStatus.REVOKED:
            continue
        before = snapshot(key)
        key.status = AccessKeyStatus.REVOKED
        key.save(update_fields=["status", "updated_at"])
        record(key, "revoked", before=before)
        revoked += 1
    return revoked


class Refused(Exception):
    """Why a key (with the right secret, or a token of it) is refused: revoked, expired, owner inactive."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def access_key_usable(key: AccessKey) -> AccessKey:
    """``key`` if it may be used now, else :class:`Refused` saying why."""
    if key.status != AccessKeyStatus.ACTIVE:
        raise Refused("The access key is revoked.", "access_key_revoked")
    if key.is_expired():
        raise Refused("The access key has expired.", "access_key_expired")
    if not key.user.is_active:
        raise Refused("The owner of the access key is inactive.", "user_inactive")
    return key


def access_key_check(*, access_key: str, secret: str) -> AccessKey | None:
    """The key ``access_key`` if ``secret`` is its secret (``None`` otherwise: an unknown id costs a hash too, so
    that timing does not tell ids apart). A key with the right secret that may not be used raises
    :class:`Refused`."""
    key = AccessKey.objects.select_related("user").filter(access_key=access_key).first()
    if key is None:
        make_password(secret)
        return None
    if not check_password(secret, key.secret_hash):
        return None
    return access_key_usable(key)


def access_key_for_token(payload: dict, *, key_claim: str, fingerprint_claim: str) -> AccessKey:
    """The key a (verified) token was issued with, if it may still be used: not rotated since, not revoked, not
    expired, its owner active; else :class:`Refused`."""
    key = AccessKey.objects.select_related("user").filter(access_key=str(payload.get(key_claim, ""))).first()
    if key is None or not fingerprint_matches(key, payload.get(fingerprint_claim)):
        raise Refused("The access key was rotated or removed: log in again.", "access_key_rotated")
    return access_key_usable(key)
