"""Authentication of every door: HTTP Basic through a verified-credentials cache, JWTs bound to the password,
and throttling of failed logins per user and per client address. See docs/security.md.

- **Credentials cache.** After a full check of Basic credentials, the cache keeps, for the username, an HMAC
  (keyed with a secret derived from ``SECRET_KEY``) of the exact username, password and the user's current
  password hash, for ``AUTH_BASIC_CACHE_SECONDS``. A later request with the same credentials loads the user
  (one query, as a JWT does), recomputes the HMAC and compares in constant time: no password hash. A new
  password (new salted hash), an inactive or removed user makes the entry useless on the very next request.
  Failures are never cached; neither the password nor an unkeyed hash of it is ever stored.
- **Failed logins.** Each password check (Basic, token endpoint, admin and API logins, the admin's password change)
  takes a slot of the username's and of the client address's failure counters *before* the password is
  checked (:func:`password_attempt`): so at most ``AUTH_FAILURE_USER_LIMIT`` checks of a username (and
  ``AUTH_FAILURE_ADDRESS_LIMIT`` from an address) are made in a window of ``AUTH_FAILURE_WINDOW_SECONDS``,
  however many requests arrive at once. A failed check keeps its slot, any other outcome gives it back. At the
  limit that username (from anywhere) or that address (for any username) is locked for
  ``AUTH_LOCKOUT_SECONDS``: every password attempt through it is refused with 429 without checking the
  password. A success resets nothing: the lock and the counters only run out. Credentials holding a NUL are a
  failed login, refused without a database lookup (PostgreSQL cannot compare a NUL).
- **Permissions.** A wire request's model-permission check reads the user's permissions (direct and through
  groups) in one query and keeps them in the cache for ``AUTH_PERMISSIONS_CACHE_SECONDS``, stamped with a
  generation that any change of a group's or a user's permissions, of a user's groups, or the deletion of a
  group or permission replaces (signals, at once and again when the change commits): the next request after a
  change reads them afresh. Superusers and inactive users need no lookup (Django decides those from the user).
  The entry is keyed by the username and holds the user's primary key (used only for that user), so that a
  Basic request reads it in the same cache round trip as its locks and credentials entry.
"""

import contextlib
import functools
import hashlib
import time
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import BasicScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import authentication, exceptions
from rest_framework.settings import api_settings
from rest_framework_simplejwt import authentication as jwt_authentication
from rest_framework_simplejwt import settings as jwt_settings
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from core import sql

# Defaults of the settings (config/settings.py sets them from the environment).
DEFAULTS = {
    "AUTH_CACHE_ALIAS": "default",
    "AUTH_BASIC_CACHE_SECONDS": 300,
    "AUTH_FAILURE_WINDOW_SECONDS": 900,
    "AUTH_FAILURE_USER_LIMIT": 10,
    "AUTH_FAILURE_ADDRESS_LIMIT": 20,
    "AUTH_LOCKOUT_SECONDS": 900,
    "AUTH_PERMISSIONS_CACHE_SECONDS": 300,
}
LOCKED_MESSAGE = "Too many failed login attempts. Try again later."
_MAC_SALT = "core.auth.basic-credentials"


def setting(name: str) -> int | str:
    return getattr(settings, name, DEFAULTS[name])


def cache():
    return caches[setting("AUTH_CACHE_ALIAS")]


def now() -> float:
    """The lockout clock (a function, so that tests can move it instead of sleeping)."""
    return time.time()


def _digest(value: str) -> str:
    # Cache keys only: fixed length and charset whatever the username holds.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


# --- Client address ----------------------------------------------------------------------------------------
def client_address(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind ``REST_FRAMEWORK["NUM_PROXIES"]`` trusted proxies the
    address the outermost of them saw (the N-th entry from the right of ``X-Forwarded-For``).

    Unlike DRF's own ``get_ident``, ``X-Forwarded-For`` is ignored when no proxy is declared: a client could
    otherwise write a new address in every request and never be counted.
    """
    meta = request.META
    proxies = api_settings.NUM_PROXIES
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return meta.get("REMOTE_ADDR", "")


# --- Failed-login throttling -------------------------------------------------------------------------------
def failure_counter_key(kind: str, value: str) -> str:
    return f"auth:failures:{kind}:{_digest(value)}"


def lock_key(kind: str, value: str) -> str:
    return f"auth:locked:{kind}:{_digest(value)}"


def _subjects(username: str | None, address: str):
    """(kind, value, limit) of what a login attempt counts against; a limit of 0 turns that count off, and an
    unknown username (``None``: a body that could not be read) counts against the address alone."""
    subjects = [("address", address or "", int(setting("AUTH_FAILURE_ADDRESS_LIMIT")))]
    if username is not None:
        subjects.insert(0, ("user", username.casefold(), int(setting("AUTH_FAILURE_USER_LIMIT"))))
    return tuple(subjects)


def lock_keys(username: str | None, address: str) -> list[str]:
    return [lock_key(kind, value) for kind, value, limit in _subjects(username, address) if limit]


def _remaining(found: dict, keys: list[str]) -> float:
    until = max((found.get(key) or 0 for key in keys), default=0)
    return until - now()


def raise_if_locked(found: dict, keys: list[str]) -> None:
    """Raise :class:`Throttled` if one of the lock ``keys`` is in ``found`` (a ``get_many`` answer) and running."""
    remaining = _remaining(found, keys)
    if remaining > 0:
        raise exceptions.Throttled(wait=remaining, detail=LOCKED_MESSAGE)


def check_not_locked(username: str | None, address: str) -> None:
    keys = lock_keys(username, address)
    if keys:
        raise_if_locked(cache().get_many(keys), keys)


def holds_nul(*values) -> bool:
    """A NUL in a username or password: no user has one (Django's validators refuse it, and PostgreSQL cannot
    even compare it with a column), so such credentials are a failed login, refused without a lookup."""
    return any(isinstance(value, str) and "\x00" in value for value in values)


# Redis: add ``delta`` to a counter and give a new counter its expiry, in one atomic step (Django's ``incr`` is
# EXISTS then INCRBY: a counter expiring between the two would be recreated without an expiry, for ever). A
# refund (negative delta) of a counter that is gone does nothing.
_REDIS_COUNT = """
if tonumber(ARGV[1]) < 0 and redis.call('exists', KEYS[1]) == 0 then return false end
local value = redis.call('incrby', KEYS[1], ARGV[1])
if redis.call('ttl', KEYS[1]) < 0 then redis.call('expire', KEYS[1], ARGV[2]) end
return value
"""


def _count(store, key: str, delta: int, timeout: int) -> int | None:
    """Add ``delta`` to the counter ``key`` atomically; a new counter lives ``timeout`` seconds (the window runs
    from its first count). A refund (``delta < 0``) of a counter that has expired answers ``None``."""
    if isinstance(store, RedisCache):
        name = store.make_and_validate_key(key)
        return store._cache.get_client(name, write=True).eval(_REDIS_COUNT, 1, name, delta, timeout)
    if delta < 0:
        try:
            return store.decr(key, -delta)
        except ValueError:  # expired: nothing to give back
            return None
    while True:  # the local cache: add and incr each hold its lock; retry if the counter expired in between
        store.add(key, 0, timeout=timeout)
        try:
            return store.incr(key, delta)
        except ValueError:
            continue


class PasswordAttempt:
    """One password check, counted **before** it is made, so that at most the limit of checks are made in a
    window however many requests arrive at once: each attempt takes a slot of the username's and of the address's
    counter; over the limit it is refused (429) unchecked. A failed check keeps its slot (and locks the subject
    whose limit it reached); any other outcome gives the slot back. Use :func:`password_attempt`."""

    def __init__(self, username: str | None, address: str):
        self.username, self.address = username, address
        self.store = cache()
        self.window = int(setting("AUTH_FAILURE_WINDOW_SECONDS"))
        self.slots: list[tuple[str, str, str, int, int]] = []  # kind, value, counter key, count, limit

    def reserve(self) -> None:
        for kind, value, limit in _subjects(self.username, self.address):
            if not limit:
                continue
            key = failure_counter_key(kind, value)
            count = _count(self.store, key, 1, self.window) or 0
            self.slots.append((kind, value, key, count, limit))
            if count > limit:
                self.release()
                keys = lock_keys(self.username, self.address)
                # Locked, or the last attempts are being checked right now: then ask for a moment's patience.
                raise exceptions.Throttled(
                    wait=max(1, _remaining(self.store.get_many(keys), keys)), detail=LOCKED_MESSAGE
                )

    def failed(self) -> None:
        """The check failed: keep the slots; a subject that reached its limit is locked, and its counter kept
        full for the lockout (so no attempt gets through until both run out)."""
        lockout = int(setting("AUTH_LOCKOUT_SECONDS"))
        for kind, value, key, count, limit in self.slots:
            if count >= limit:
                self.store.set(lock_key(kind, value), now() + lockout, timeout=lockout)
                self.store.touch(key, lockout)
        self.slots = []

    def release(self) -> None:
        for slot in self.slots:
            _count(self.store, slot[2], -1, self.window)
        self.slots = []


@contextlib.contextmanager
def password_attempt(username: str | None, address: str):
    """Take a slot for one password check (429 if the username or the address has none left); the body calls
    ``attempt.failed()`` when the check fails, otherwise the slot is given back on the way out."""
    attempt = PasswordAttempt(username, address)
    attempt.reserve()
    try:
        yield attempt
    finally:
        attempt.release()


# --- Verified-credentials cache ----------------------------------------------------------------------------
def credentials_cache_key(username: str) -> str:
    return f"auth:basic:{_digest(username)}"


def credentials_mac(username: str, password: str, password_hash: str) -> str:
    """HMAC-SHA256, keyed with a secret derived from SECRET_KEY, of the exact credentials and the user's
    current password hash (length-prefixed, so no two inputs encode alike)."""
    message = f"{len(username)}:{username}{len(password)}:{password}{password_hash}"
    return salted_hmac(_MAC_SALT, message.encode("utf-8", "surrogatepass"), algorithm="sha256").hexdigest()


# --- Loading the user: one statement, compiled once --------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _user_select(model: type, field_name: str) -> sql.Select:
    """How to read one user by ``field_name``: a statement the ORM builds once per database (building the query,
    or running it through a raw queryset, on every request costs more than the query), see :class:`core.sql.Select`."""
    return sql.Select(
        lambda value: model._default_manager.filter(**{field_name: value}), value=model._meta.get_field(field_name)
    )


def load_user(field_name: str, value):
    """The user whose ``field_name`` is ``value`` (as ``User.objects.get`` would find it), else ``None``: one
    precompiled statement on a plain cursor, the row converted as the ORM would (:class:`core.sql.Select`)."""
    model = get_user_model()
    field = model._meta.get_field(field_name)
    if holds_nul(value):
        return None
    try:
        value = field.to_python(value)
        field.get_db_prep_value(value, connections[DEFAULT_DB_ALIAS])
    except (TypeError, ValueError, ValidationError):
        return None
    return _user_select(model, field_name).get(value=value)


def cached_user(username: str, password: str, entry: str | None):
    """The user whose credentials ``entry`` (the cached MAC, if any) vouches for, else ``None``."""
    if not entry:
        return None
    user = load_user(get_user_model().USERNAME_FIELD, username)
    if user is None or not getattr(user, "is_active", True):
        cache().delete(credentials_cache_key(username))
        return None
    if constant_time_compare(entry, credentials_mac(username, password, user.password)):
        return user
    # Another password, or the user's hash changed since: the entry never matches those. It is kept, so that a
    # wrong guess does not cost the rightful client a full check; a successful full check overwrites it.
    return None


def remember_credentials(user, username: str, password: str) -> None:
    ttl = int(setting("AUTH_BASIC_CACHE_SECONDS"))
    if ttl > 0:
        cache().set(credentials_cache_key(username), credentials_mac(username, password, user.password), ttl)


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's HTTP Basic with the verified-credentials cache and failed-login throttling."""

    def authenticate_credentials(self, userid, password, request=None):
        address = client_address(request) if request is not None else ""
        locks = lock_keys(userid, address)
        entry_key = credentials_cache_key(userid)
        # One round trip for the locks, the credentials entry and the user's permissions (its set and the
        # generation it must carry), which the permission check then takes from the user (prime_permissions).
        found = cache().get_many([*locks, entry_key, *permissions_keys(userid)])
        raise_if_locked(found, locks)
        nul = holds_nul(userid, password)
        user = None if nul else cached_user(userid, password, found.get(entry_key))
        if user is not None:
            user._prefetched_permissions = found
            return (user, None)
        with password_attempt(userid, address) as attempt:
            if nul:
                attempt.failed()
                raise exceptions.AuthenticationFailed(_("Invalid username/password."))
            try:
                user, auth = super().authenticate_credentials(userid, password, request)
            except exceptions.AuthenticationFailed:
                attempt.failed()
                raise
        remember_credentials(user, userid, password)
        return (user, auth)


# --- Permissions: one query, cached, invalidated on every change ------------------------------------------
PERMISSIONS_GENERATION_KEY = "auth:perms:generation"


def permissions_cache_key(username: str) -> str:
    return f"auth:perms:user:{_digest(username)}"


def permissions_keys(username: str) -> list[str]:
    """The cache keys :func:`user_permissions` reads for ``username``: the generation and the user's entry."""
    return [PERMISSIONS_GENERATION_KEY, permissions_cache_key(username)]


def permissions_changed(**kwargs) -> None:
    """Signal receiver: a permission, group or membership changed; every cached permission set is stale.

    The generation is replaced now and again once the change commits, so that a request that read the old rows
    between the two cannot keep them under the new generation.
    """
    if not str(kwargs.get("action", "post_delete")).startswith("post_"):
        return  # m2m_changed's pre_* half: the post_* one follows
    store = cache()
    store.set(PERMISSIONS_GENERATION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: store.set(PERMISSIONS_GENERATION_KEY, uuid.uuid4().hex, None))


def _generation(found: dict) -> str:
    generation = found.get(PERMISSIONS_GENERATION_KEY)
    if generation is None:  # first use, or evicted: a new one, so no entry stored before can match
        store = cache()
        generation = uuid.uuid4().hex
        if not store.add(PERMISSIONS_GENERATION_KEY, generation, None):
            generation = store.get(PERMISSIONS_GENERATION_KEY) or generation
    return generation


def load_permissions(user) -> set[str]:
    """``app_label.codename`` of every permission ``user`` holds, directly or through a group: one query."""
    from django.contrib.auth.models import Permission

    rows = (
        Permission.objects.filter(Q(user=user) | Q(group__user=user))
        .values_list("content_type__app_label", "codename")
        .distinct()
    )
    return {f"{app_label}.{codename}" for app_label, codename in rows}


def user_permissions(user, found: dict | None = None) -> set[str]:
    """The user's permissions from the cache (one cache round trip, none when ``found`` — a ``get_many`` answer
    for :func:`permissions_keys` — is given), else from :func:`load_permissions`.

    An entry counts only with the current generation and for the user it was stored for (the key is the
    username's: a renamed user's old entry, or one of a removed user whose name is taken again, never matches).
    """
    store = cache()
    keys = permissions_keys(user.get_username())
    if found is None:
        found = store.get_many(keys)
    generation = _generation(found)
    entry = found.get(keys[1])
    if entry and entry[0] == generation and entry[1] == user.pk:
        return set(entry[2])
    perms = load_permissions(user)
    ttl = int(setting("AUTH_PERMISSIONS_CACHE_SECONDS"))
    if ttl > 0:
        store.set(keys[1], (generation, user.pk, frozenset(perms)), ttl)
    return perms


def prime_permissions(user) -> None:
    """Give ``user`` (an authenticated request's) its permissions as Django's ModelBackend keeps them for one
    request (``_perm_cache``), from :func:`user_permissions`: ``user.has_perms`` then runs no query."""
    if not getattr(user, "is_active", False) or getattr(user, "is_superuser", False) or user.is_anonymous:
        return  # Django answers these from the user itself
    if not hasattr(user, "_perm_cache"):
        # Basic authentication read the cache entries with its own (the same request, moments earlier).
        user._perm_cache = user_permissions(user, getattr(user, "_prefetched_permissions", None))


# --- JWT ---------------------------------------------------------------------------------------------------
def plain_token_message(detail) -> str:
    """simplejwt's ``InvalidToken`` detail (a dict with a list of per-class messages) as one sentence."""
    if not isinstance(detail, dict):
        return str(detail)
    text = str(detail.get("detail", "Token is invalid."))
    reasons = []
    for message in detail.get("messages") or []:
        reason = str(message.get("message", "")) if isinstance(message, dict) else str(message)
        if reason and reason not in reasons:
            reasons.append(reason)
    return f"{text}: {'; '.join(reasons)}." if reasons else text


class JWTAuthentication(jwt_authentication.JWTAuthentication):
    """simplejwt's ``JWTAuthentication`` whose failures are plain sentences in every family's envelope.

    A token minted before its user's last password change is refused (``SIMPLE_JWT["CHECK_REVOKE_TOKEN"]``);
    so is one of an inactive or removed user.
    """

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except InvalidToken as exc:
            raise exceptions.AuthenticationFailed(plain_token_message(exc.detail), code="token_not_valid") from None

    def get_user(self, validated_token):
        """simplejwt's own checks, with the user read by :func:`load_user` (the statement compiled once)."""
        settings_ = jwt_settings.api_settings
        try:
            user_id = validated_token[settings_.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken(_("Token contained no recognizable user identification")) from None
        user = load_user(settings_.USER_ID_FIELD, user_id)
        if user is None:
            raise exceptions.AuthenticationFailed(_("User not found"), code="user_not_found")
        if settings_.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise exceptions.AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if settings_.CHECK_REVOKE_TOKEN and validated_token.get(settings_.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
            user.password
        ):
            raise exceptions.AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user


# drf-spectacular documents these classes as the ones they extend (same security scheme names).
class BasicAuthenticationScheme(BasicScheme):
    target_class = BasicAuthentication


class JWTAuthenticationScheme(SimpleJWTScheme):
    target_class = JWTAuthentication


def connect_permission_signals() -> None:
    """Connect :func:`permissions_changed` to what changes a user's permissions (``CoreConfig.ready``)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete

    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"core.auth.perms.{through._meta.label}")
    for model in (Group, Permission):
        post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"core.auth.perms.{model._meta.label}")
