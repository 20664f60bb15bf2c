"""Faults across more than one machine, on PostgreSQL + Redis (issue 15): every process is its own OS process, as
on separate machines. Two gunicorn web processes, two Celery workers and two beat schedulers (as happens by
accident on multi-node deploys) apply each blackout transition, due unenrollment and activation exactly once; a
worker killed mid-task has its task delivered again and applied once; a lone instance whose broker was down at
write time recovers with its own beat's sweep; PostgreSQL restarted under traffic answers 503 in the family's
envelope meanwhile, and nothing is half-applied.

The processes run ``tests.faults.fast_settings`` (beat every second, sweeps after 3 s), on this test's own queue.
"""

import re
import subprocess
import sys
import threading
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from blackouts import services as blackout_services
from blackouts.api.serializers import policy_fields
from blackouts.models import Event
from core.lists.models import ExportJob
from enrollments.models import Enrollment, EnrollmentStatus, Unenrollment, UnenrollmentStatus
from inventory.models import BusinessInteraction, InteractionState, InteractionTransition
from tests.factories.blackouts import EventFactory
from tests.factories.enrollments import jane_doe_enrollment
from tests.inventory.conftest import BASE, example
from tests.worker import BASE_DIR, _database_url, wait_for

from .cluster import PrivateCluster, PrivateRedis, cluster

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

AUTH = ("root", "root-password")  # the superuser fixture
BUNDLE = f"{BASE}/v3/bundle"
ACTIVATION = [("CREATE", "CREATED"), ("APPROVE", "APPROVED"), ("ISSUE", "ISSUED"), ("ACTIVATE", "COMPLETED")]


@pytest.fixture
def inventory_demo(db):
    from io import StringIO

    from inventory import demo

    demo.load(stdout=StringIO())


def _redis_url() -> str:
    from django.conf import settings

    return settings.CELERY_BROKER_URL


def _state(bundle_id) -> str:
    return BusinessInteraction.objects.get(pk=bundle_id).state


def _transitions(bundle_id) -> list:
    return list(InteractionTransition.objects.filter(interaction_id=bundle_id).values_list("task", "to_state"))


def _create_bundle(url: str) -> int:
    response = httpx.post(f"{url}{BUNDLE}?designOnly=false", json=example("create-request"), auth=AUTH, timeout=60)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _short_window_policy(name: str, *, opens_in: float, lasts: float) -> None:
    now = timezone.now()
    start = (now + timedelta(seconds=opens_in)).replace(microsecond=0)
    end = start + timedelta(seconds=lasts)
    body = {
        "name": name,
        "executionOrder": 1,
        "eventSelectorCriteria": "class equals 'DB'",
        "enabled": True,
        "configurations": {
            "definition": {
                "timeframeDetails": {
                    "startDate": start.strftime("%d%m%Y"),
                    "startTime": start.strftime("%H:%M:%S"),
                    "endTime": end.strftime("%H:%M:%S"),
                    "endsOn": {"endDate": end.strftime("%d%m%Y")},
                    "recurrencePattern": {"recurrence": "oneTime"},
                    "timeZone": {"id": "UTC"},
                },
                "processing_action": {"blackoutExistingEvents": "true", "resetStatusOnBlackoutEnd": "true"},
            }
        },
    }
    blackout_services.policy_create(fields=policy_fields(body), now=now)


def _due_unenrollments(count: int) -> list[int]:
    today = timezone.localdate()
    ids = []
    for n in range(count):
        enrollment = jane_doe_enrollment(program_id=f"FAULT-{n}")
        Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.PENDING_UNENROLL, end_date=today)
        due = Unenrollment.objects.create(
            request_hash=f"fault-{n}",
            status=UnenrollmentStatus.PENDING,
            enrollment=enrollment,
            program_id=f"FAULT-{n}",
            end_date=today,
        )
        ids.append(due.pk)
    return ids


def _task_results(log: str, task: str) -> list[str]:
    """What each run of ``task`` returned, from the workers' logs."""
    return re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded in [0-9.e-]+s: (.*)", log)


def test_two_webs_two_workers_two_beats_apply_everything_once(superuser, inventory_demo):
    EventFactory(identifier="db1", event_class="DB", status="OPEN")
    with cluster(database_url=_database_url(), broker_url=_redis_url()) as c:
        webs = [c.web("web-a"), c.web("web-b")]
        c.worker("worker-a"), c.worker("worker-b"), c.beat("beat-a"), c.beat("beat-b")
        c.wait_ready()
        _short_window_policy("twin beats", opens_in=3, lasts=4)  # a window both beats will see open and close
        due = _due_unenrollments(3)
        bundles = [_create_bundle(url) for url in webs]  # one activation through each web process

        for bundle in bundles:
            wait_for(lambda b=bundle: _state(b) == InteractionState.COMPLETED, timeout=90, message="bundle COMPLETED")
        wait_for(
            lambda: Unenrollment.objects.filter(pk__in=due, status=UnenrollmentStatus.COMPLETED).count() == len(due),
            timeout=60,
            message="due unenrollments completed",
        )
        wait_for(lambda: "twin beats: blacked out 1" in c.logs("worker"), timeout=60, message="window start")
        wait_for(lambda: "twin beats: reset 1" in c.logs("worker"), timeout=60, message="window end")
        ticks = len(_task_results(c.logs("worker"), "blackouts.tasks.window_tick"))
        # Both beats keep ticking a while more: nothing is applied again.
        wait_for(
            lambda: len(_task_results(c.logs("worker"), "blackouts.tasks.window_tick")) >= ticks + 4,
            timeout=30,
            message="more ticks",
        )
        logs = c.logs("worker")

    for bundle in bundles:
        assert _transitions(bundle) == ACTIVATION
    assert logs.count("twin beats: blacked out") == 1 and logs.count("twin beats: reset") == 1
    event = Event.objects.get(identifier="db1")
    assert (event.status, event.blackout_policy) == ("OPEN", None)
    completed = _task_results(logs, "enrollments.tasks.complete_due_unenrollments")
    assert len(completed) >= 2 and sum(int(n) for n in completed) == len(due)  # both beats ran it; once each
    assert set(Enrollment.objects.filter(unenrollments__pk__in=due).values_list("status", flat=True)) == {
        EnrollmentStatus.UNENROLLED
    }


def test_a_worker_killed_mid_task_has_it_redelivered_and_applied_once(superuser, inventory_demo):
    with cluster(
        database_url=_database_url(), broker_url=_redis_url(), extra_env={"CELERY_VISIBILITY_TIMEOUT": "4"}
    ) as c:
        web = c.web("web")
        slow = c.worker("worker-slow", FAULT_STEP_DELAY=3)
        c.wait_ready()
        bundle = _create_bundle(web)
        wait_for(lambda: "inventory.tasks.bundle_approve" in slow.log(), timeout=60, message="a step started")
        wait_for(lambda: re.search(r"Task inventory\.tasks\.bundle_\w+\[[^\]]+\] received", slow.log()), timeout=60)
        slow.kill()  # SIGKILL in the middle of a step: its transaction rolls back, its message is unacknowledged
        killed_state = _state(bundle)
        assert killed_state != InteractionState.COMPLETED
        c.worker("worker-b")
        c.beat("beat")
        c.wait_ready()
        wait_for(lambda: _state(bundle) == InteractionState.COMPLETED, timeout=90, message="bundle COMPLETED")
    assert _transitions(bundle) == ACTIVATION


def test_a_lone_instance_recovers_writes_made_while_its_broker_was_down(superuser, inventory_demo):
    redis = PrivateRedis()
    redis.start()
    try:
        with cluster(database_url=_database_url(), broker_url=redis.url) as c:
            web = c.web("web")
            c.worker("worker"), c.beat("beat")
            c.wait_ready()
            redis.stop()  # the broker is unreachable at write time
            bundle = _create_bundle(web)  # the write stands; its enqueue fails (logged)
            created = subprocess.run(  # an export job created by this instance while the broker is down
                [sys.executable, "manage.py", "shell", "-c", _CREATE_EXPORT],
                env=c.env,
                cwd=BASE_DIR,
                capture_output=True,
                text=True,
                check=False,
            )
            assert created.returncode == 0, created.stdout + created.stderr
            assert "sweep will pick it up" in created.stdout + created.stderr
            assert ExportJob.objects.get().status == ExportJob.Status.PENDING
            assert _state(bundle) == InteractionState.CREATED
            redis.start()  # back: the instance's own beat runs the sweeps
            wait_for(lambda: _state(bundle) == InteractionState.COMPLETED, timeout=90, message="bundle recovered")
            wait_for(
                lambda: ExportJob.objects.filter(status=ExportJob.Status.DONE).exists(),
                timeout=90,
                message="export recovered",
            )
            web_log = c.logs("web")
        assert "sweep will pick it up" in web_log  # the bundle's enqueue failed at write time
        assert _transitions(bundle) == ACTIVATION
        assert ExportJob.objects.get().rows_done >= 1
    finally:
        redis.close()


_CREATE_EXPORT = """
from django.contrib.auth import get_user_model
from core.lists import jobs
job = jobs.export_job_create(user=get_user_model().objects.get(username="root"), list_key="inventory.services",
                             query="", fmt="csv")
print(job.pk)
"""


def test_postgres_restarted_under_traffic_answers_503_then_serves_with_nothing_half_applied(superuser):
    pg = PrivateCluster()
    try:
        pg.init(copy_of=_database_url())
        with cluster(database_url=pg.url, broker_url=_redis_url()) as c:
            webs = [c.web("web-a"), c.web("web-b")]
            c.wait_ready()
            traffic = _Traffic(webs)
            traffic.start()
            traffic.wait_for_successes(10)
            pg.stop()
            traffic.wait_for_status(503, 5)
            pg.start()
            successes = traffic.successes
            traffic.wait_for_successes(successes + 20)
            traffic.stop()
        statuses = traffic.statuses()
        assert statuses.get(503, 0) >= 5 and statuses.get(200, 0) + statuses.get(201, 0) >= 30, statuses
        assert set(statuses) <= {200, 201, 503}, (statuses, traffic.unexpected[:3])
        for body in traffic.unavailable_bodies[:20]:
            assert body["httpStatus"] == 503 and body["serverMessage"]["messageNbr"] == 5030, body
        _assert_nothing_half_applied(pg.url, traffic)
    finally:
        pg.close()


class _Traffic:
    """Contact PUTs from two threads, alternating over the web processes; every answer recorded."""

    def __init__(self, urls: list[str]):
        self.urls = urls
        self.results: list[tuple[str, int]] = []
        self.unavailable_bodies: list[dict] = []
        self.unexpected: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(2)]

    @property
    def successes(self) -> int:
        return sum(1 for _, status in self.results if status in (200, 201))

    def statuses(self) -> dict:
        out: dict = {}
        for _, status in self.results:
            out[status] = out.get(status, 0) + 1
        return out

    def start(self):
        for thread in self._threads:
            thread.start()

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def wait_for_successes(self, count: int):
        wait_for(lambda: self.successes >= count, timeout=90, message=f"{count} successful writes")

    def wait_for_status(self, status: int, count: int):
        wait_for(lambda: sum(1 for _, s in self.results if s == status) >= count, timeout=60, message=f"{status}s")

    def _run(self, n: int):
        from tests.contacts.conftest import PATH, SPEC_BODY

        with httpx.Client(auth=AUTH, timeout=30) as client:
            i = 0
            while not self._stop.is_set():
                ext = f"FAULT-{n}-{i}"
                body = {**SPEC_BODY, "customerContactIdentifier": [{"externalRefId": ext, "identifierType": "C1NS"}]}
                try:
                    response = client.put(f"{self.urls[i % len(self.urls)]}{PATH}{ext}", json=body)
                except httpx.HTTPError as exc:
                    with self._lock:
                        self.unexpected.append(repr(exc))
                        self.results.append((ext, -1))
                    i += 1
                    continue
                with self._lock:
                    self.results.append((ext, response.status_code))
                    if response.status_code == 503:
                        self.unavailable_bodies.append(response.json())
                    elif response.status_code not in (200, 201):
                        self.unexpected.append(response.text[:300])
                i += 1


def _assert_nothing_half_applied(url: str, traffic: _Traffic) -> None:
    """Every acknowledged contact is there whole (its identifier and both template values); a refused one is
    either there whole or not at all."""
    query = (
        "SELECT c.external_cc_id, count(DISTINCT i.id), count(DISTINCT t.id) FROM contacts_customercontact c "
        "LEFT JOIN contacts_customercontactidentifier i ON i.contact_id = c.id "
        "LEFT JOIN contacts_templateparameter t ON t.contact_id = c.id "
        "WHERE c.external_cc_id LIKE 'FAULT-%' GROUP BY c.external_cc_id"
    )
    out = subprocess.run(["psql", "-At", "-F", ",", url, "-c", query], check=True, capture_output=True, text=True)
    stored = {ext: (int(ids), int(templates)) for ext, ids, templates in (row.split(",") for row in out.stdout.split())}
    for ext, status in traffic.results:
        if status in (200, 201):
            assert stored.get(ext) == (1, 2), (ext, stored.get(ext))
        else:
            assert stored.get(ext) in (None, (1, 2)), (ext, stored.get(ext))
