import os

from celery import Celery, signals

from core import context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The request id travels with a task as a message header: set when a request (or task) enqueues, bound while the
# task runs, with the actor ``task:<name>``. Work sent from a sweep or beat gets a fresh id.
@signals.before_task_publish.connect
def _send_request_id(headers=None, **_kwargs):
    rid = context.request_id()
    if rid and headers is not None and "request_id" not in headers:
        headers["request_id"] = rid


_bound = {}


@signals.task_prerun.connect
def _bind_request_id(task_id=None, task=None, **_kwargs):
    rid = getattr(task.request, "request_id", None) or context.new_request_id()
    manager = context.bound(request_id=rid, actor=f"task:{task.name}")
    manager.__enter__()
    _bound[task_id] = manager


@signals.task_postrun.connect
def _unbind_request_id(task_id=None, **_kwargs):
    manager = _bound.pop(task_id, None)
    if manager is not None:
        manager.__exit__(None, None, None)
