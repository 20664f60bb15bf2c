"""The production web server: ``gunicorn -c config/gunicorn.py config.wsgi`` (docs/operations.md, "Web server").

Every knob comes from the environment, so one file serves a laptop, a container and the benchmarks:

| variable | default | meaning |
| --- | --- | --- |
| ``PORT`` / ``GUNICORN_BIND`` | ``8000`` / ``0.0.0.0:$PORT`` | where to listen |
| ``WEB_CONCURRENCY`` | ``2 x CPUs + 1`` (at most 8) | worker processes |
| ``GUNICORN_THREADS`` | ``2`` | threads per worker (``gthread``); ``1`` runs plain ``sync`` workers |
| ``GUNICORN_KEEPALIVE`` | ``5`` | idle keep-alive seconds (longer than the proxy's) |
| ``GUNICORN_TIMEOUT`` | ``30`` | a worker silent this long is killed and replaced |
| ``GUNICORN_GRACEFUL_TIMEOUT`` | ``30`` | on restart or SIGTERM, seconds a worker has to finish its requests |
| ``GUNICORN_MAX_REQUESTS`` | ``0`` (off) | recycle a worker after this many requests (with 10% jitter) |
| ``GUNICORN_BACKLOG`` | ``2048`` | pending connections the socket queues |
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = max(1, _int("GUNICORN_THREADS", 2))
# gthread keeps connections alive and lets a worker overlap database waits; sync closes every connection.
worker_class = "gthread" if threads > 1 else "sync"
keepalive = _int("GUNICORN_KEEPALIVE", 5)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
backlog = _int("GUNICORN_BACKLOG", 2048)
wsgi_app = "config.wsgi:application"

# Logs to stdout/stderr for the process supervisor; access log off unless asked (the proxy keeps one).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client address is the proxy's own header, read by Django (TRUSTED_PROXY_COUNT); gunicorn trusts none.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
