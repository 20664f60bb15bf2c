"""The embedded default broker of ``make run``: kombu's filesystem transport, made safe for several processes.

kombu's own filesystem transport (``filesystem://``) creates a message file and then writes into it, while a
consumer lists the folder and reads whatever it finds: a worker can read a file its writer has not finished and
die on ``JSONDecodeError: Expecting value`` (kombu issue #1551). It also moves a message to the temporary folder
(often another file system: a copy, which two consumers can both make) and keeps an unacknowledged message only in
the memory of the worker that took it. This transport, ``atomicfs://`` (registered by :func:`register`, used by
the default ``CELERY_BROKER_URL``), keeps the folder layout and file names (``<time>_<uuid>.<queue>.msg``) and
changes how files move:

- **Put**: the message is written to a hidden temporary name in the queue folder (``.put-<uuid>``), flushed, and
  renamed to its final name (``os.replace``, atomic): a consumer, which only lists final names, never sees half a
  message.
- **Get**: a consumer claims a message by renaming it to ``.claim-<owner>-<name>`` (atomic on one file system: of
  two consumers exactly one wins; the other moves on), then reads it. A file that is not a message (empty, not
  JSON, not a kombu payload) is moved to the quarantine folder with an error in the log, and the worker goes on.
- **Ack**: the claim is deleted (or moved to ``processed_folder`` with ``store_processed``) only when the message is
  acknowledged; a rejected or restored message is put back first. A message taken without acknowledgement (the
  workers' remote control) is deleted at once.
- **A consumer that died** (killed, out of memory) holds an exclusive ``flock`` on its lease file
  ``.lease-<owner>`` for as long as it lives; the system releases it at death. Any consumer that can lock a lease
  that is not its own puts that owner's claims back into the queue (under their own names, so their order stands)
  and removes the lease. Nothing acknowledged is delivered again, nothing unacknowledged is lost.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
import uuid
from queue import Empty

from kombu.transport import TRANSPORT_ALIASES, filesystem, virtual
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

ALIAS = "atomicfs"
FILE_BROKER_SCHEMES = ("filesystem://", f"{ALIAS}://")
CLAIM_KEY = "x_file_claim"  # where a claimed message carries its claim's path until it is acknowledged
RECOVER_EVERY = 5.0  # seconds between two looks for the leases of consumers that died
STALE_PUT_SECONDS = 600.0  # a temporary file older than this was left by a producer that died mid-write

logger = logging.getLogger("core.broker")


def register() -> None:
    """Make ``atomicfs://`` a kombu transport (called by ``config/celery.py``, in every process)."""
    TRANSPORT_ALIASES.setdefault(ALIAS, "core.broker:Transport")


def is_file_broker(url: str) -> bool:
    return str(url or "").startswith(FILE_BROKER_SCHEMES)


def _queue_of(name: str) -> str | None:
    """The queue of a final message name ``<time>_<uuid>.<queue>.msg`` (hidden names are none)."""
    if name.startswith(".") or not name.endswith(".msg"):
        return None
    return name.partition(".")[2].removesuffix(".msg")


class _Lease:
    """This process's lease on one queue folder: a file it holds locked for as long as it lives."""

    def __init__(self, folder: str):
        self.owner = f"{os.getpid()}x{uuid.uuid4().hex[:12]}"
        self.path = os.path.join(folder, f".lease-{self.owner}")
        temporary = os.path.join(folder, f".put-{uuid.uuid4().hex}")
        self._file = open(temporary, "wb")  # noqa: SIM115 - held open (and locked) until the process ends
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(temporary, self.path)  # seen by others only once locked


_leases: dict[tuple[int, str], _Lease] = {}


def _forget_inherited_leases() -> None:
    """In a forked child (a pool process): close the parent's lease files, so that the lock lives and dies with
    the parent alone (a lock is held while any descriptor of it is open)."""
    for key in [key for key in _leases if key[0] != os.getpid()]:
        _leases.pop(key)._file.close()


os.register_at_fork(after_in_child=_forget_inherited_leases)


def _lease(folder: str) -> _Lease:
    key = (os.getpid(), os.path.abspath(folder))  # a forked child takes its own lease
    lease = _leases.get(key)
    if lease is None:
        lease = _leases[key] = _Lease(folder)
    return lease


class QoS(virtual.QoS):
    """Unacknowledged messages stay claimed on disk; the claim goes when the message is acknowledged."""

    def ack(self, delivery_tag):
        message = self._delivered.get(delivery_tag)
        super().ack(delivery_tag)
        if message is not None:
            self.channel._release(message.properties.get(CLAIM_KEY), acknowledged=True)

    def reject(self, delivery_tag, requeue=False):
        message = self._delivered.get(delivery_tag)
        claim = message.properties.get(CLAIM_KEY) if message is not None else None
        super().reject(delivery_tag, requeue=requeue)  # a requeue puts it back first (Channel._restore)
        self.channel._release(claim, acknowledged=not requeue)


class Channel(filesystem.Channel):
    """The filesystem channel with atomic puts, claimed gets, quarantine and recovery (see the module)."""

    QoS = QoS

    def __init__(self, *args, **kwargs):
        self._no_ack_queues: set[str] = set()
        self._recovered_at = 0.0
        super().__init__(*args, **kwargs)

    # --- put ---------------------------------------------------------------------------------------------------
    def _put(self, queue, payload, **kwargs):
        properties = payload.get("properties")
        if isinstance(properties, dict) and CLAIM_KEY in properties:  # a restored message: not its old claim
            payload = {**payload, "properties": {k: v for k, v in properties.items() if k != CLAIM_KEY}}
        folder = self.data_folder_out
        name = f"{time.time_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        temporary = os.path.join(folder, f".put-{uuid.uuid4().hex}")
        try:
            with open(temporary, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, os.path.join(folder, name))
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise filesystem.ChannelError(f"Cannot add file {name!r} to directory") from exc

    # --- get ---------------------------------------------------------------------------------------------------
    def basic_consume(self, queue, no_ack, callback, consumer_tag, **kwargs):
        if no_ack:
            self._no_ack_queues.add(queue)
        return super().basic_consume(queue, no_ack, callback, consumer_tag, **kwargs)

    def basic_get(self, queue, no_ack=False, **kwargs):
        if no_ack:
            self._no_ack_queues.add(queue)
        return super().basic_get(queue, no_ack=no_ack, **kwargs)

    def _get(self, queue):
        folder = self.data_folder_in
        names = os.listdir(folder)
        if time.monotonic() - self._recovered_at > RECOVER_EVERY:
            self._recovered_at = time.monotonic()
            if recover(folder, names=names, own=_lease(folder).owner):
                names = os.listdir(folder)
        owner = _lease(folder).owner
        for name in sorted(n for n in names if _queue_of(n) == queue):
            claim = os.path.join(folder, f".claim-{owner}-{name}")
            try:
                os.rename(os.path.join(folder, name), claim)
            except FileNotFoundError:  # another consumer took it
                continue
            payload = self._read(claim, name)
            if payload is None:
                continue
            if queue in self._no_ack_queues:
                self._release(claim, acknowledged=True)
            else:
                payload["properties"][CLAIM_KEY] = claim
            return payload
        raise Empty()

    def _read(self, claim: str, name: str) -> dict | None:
        """The claimed message, or None when the file is no message (then it is quarantined and logged)."""
        try:
            with open(claim, "rb") as handle:
                raw = handle.read()
            payload = loads(bytes_to_str(raw))
            if not isinstance(payload, dict) or not isinstance(payload.get("properties"), dict):
                raise ValueError("not a kombu message (no properties)")
            if not isinstance(payload["properties"].get("delivery_info", {}), dict):
                raise ValueError("not a kombu message (delivery_info is no object)")
            return payload
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            target = self._quarantine(claim, name)
            logger.error(
                "broker: message file %s is no message (%s: %s); moved to %s, the worker goes on",
                name,
                type(exc).__name__,
                str(exc)[:200],
                target or "nowhere (left claimed)",
            )
            return None

    def _quarantine(self, claim: str, name: str) -> str | None:
        folder = self.quarantine_folder
        try:
            os.makedirs(folder, exist_ok=True)
            target = os.path.join(folder, name)
            shutil.move(claim, target)
            return target
        except OSError:
            return None

    # --- ack, restore --------------------------------------------------------------------------------------------
    def _release(self, claim: str | None, *, acknowledged: bool) -> None:
        """A claim's end: its message was acknowledged (kept in ``processed_folder`` with ``store_processed``) or
        put back into the queue under a new name (then the claim only goes)."""
        if not claim:
            return
        try:
            if acknowledged and self.store_processed:
                os.makedirs(self.processed_folder, exist_ok=True)
                shutil.move(claim, os.path.join(self.processed_folder, os.path.basename(claim)))
            else:
                os.unlink(claim)
        except FileNotFoundError:
            pass

    def _restore(self, message):
        claim = message.properties.get(CLAIM_KEY)
        super()._restore(message)  # a new file in the queue (``_put`` drops the claim's key)
        self._release(claim, acknowledged=False)

    @property
    def quarantine_folder(self) -> str:
        default = os.path.join(os.path.dirname(os.path.abspath(self.data_folder_in)), "quarantine")
        return self.transport_options.get("quarantine_folder", default)


def recover(folder: str, *, names: list[str] | None = None, own: str | None = None) -> int:
    """Put back into the queue the claims of every consumer that died (its lease can be locked); remove temporary
    files of producers that died mid-write. Returns how many messages went back."""
    names = os.listdir(folder) if names is None else names
    restored = 0
    now = time.time()
    for name in names:
        if name.startswith(".put-"):
            path = os.path.join(folder, name)
            try:
                if now - os.stat(path).st_mtime > STALE_PUT_SECONDS:
                    os.unlink(path)
            except OSError:
                pass
            continue
        if not name.startswith(".lease-") or name == f".lease-{own}":
            continue
        owner = name.removeprefix(".lease-")
        path = os.path.join(folder, name)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, after the claims went back
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # its owner lives
                continue
            prefix = f".claim-{owner}-"
            for claim in os.listdir(folder):
                if claim.startswith(prefix):
                    try:
                        os.rename(os.path.join(folder, claim), os.path.join(folder, claim.removeprefix(prefix)))
                        restored += 1
                    except FileNotFoundError:
                        pass
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        finally:
            handle.close()
    if restored:
        logger.warning("broker: %d unacknowledged message(s) of a consumer that died went back to the queue", restored)
    return restored


class Transport(filesystem.Transport):
    """``atomicfs://``: kombu's filesystem transport with :class:`Channel`."""

    Channel = Channel
    global_state = virtual.BrokerState()
    driver_type = "filesystem"
    driver_name = "atomicfs"
