import logging.config
import os
import time

from celery import Celery, signals

from core import broker, context, metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
broker.register()  # the embedded default broker, atomicfs:// (core/broker.py), in every process

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A worker machine without a web process shows its counters to Prometheus itself: METRICS_WORKER_PORT starts an
# exporter in the worker's main process, over every pool process's counters (PROMETHEUS_MULTIPROC_DIR).
@signals.worker_init.connect
def _worker_metrics_exporter(**_kwargs):
    port = os.environ.get("METRICS_WORKER_PORT")
    if port:
        metrics.serve_worker_metrics(int(port), os.environ.get("METRICS_WORKER_BIND", "127.0.0.1"))


# The request id travels with a task as a message header: set when a request (or task) enqueues, bound while the
# task runs, with the actor ``task:<name>``. Work sent from a sweep or beat gets a fresh id.
@signals.before_task_publish.connect
def _send_request_id(headers=None, **_kwargs):
    rid = context.request_id()
    if rid and headers is not None and "request_id" not in headers:
        headers["request_id"] = rid
    if headers is not None:
        headers.setdefault("sent_at", time.time())  # the age of the oldest waiting task (core/metrics_backlog.py)


# Celery keeps the project's logging (settings.LOGGING, core/logging.py) instead of installing its own handlers:
# one format (JSON with LOG_FORMAT=json) and the request id on every line, web and worker alike.
@signals.setup_logging.connect
def _project_logging(**_kwargs):
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


_bound = {}


@signals.task_prerun.connect
def _bind_request_id(task_id=None, task=None, **_kwargs):
    rid = getattr(task.request, "request_id", None) or context.new_request_id()
    manager = context.bound(request_id=rid, actor=context.task_actor(task.name))
    manager.__enter__()
    _bound[task_id] = manager


@signals.task_postrun.connect
def _unbind_request_id(task_id=None, task=None, state=None, **_kwargs):
    if task is not None:
        metrics.TASKS.labels(task.name, state or "UNKNOWN").inc()
    manager = _bound.pop(task_id, None)
    if manager is not None:
        manager.__exit__(None, None, None)
