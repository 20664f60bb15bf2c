"""``assert_max_statements``: a query budget that counts the statements that read or write.

Like ``django_assert_max_num_queries``, except that transaction control is not counted: the service's
BEGIN/COMMIT (SQLite's ``BEGIN IMMEDIATE`` is a statement Django counts; PostgreSQL's driver sends BEGIN/COMMIT
without Django counting them), or a savepoint pair under a test's own transaction. Import the fixture into a test
module to use it.
"""

import re
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE)


def statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]


@pytest.fixture
def assert_max_statements():
    @contextmanager
    def check(budget: int):
        with CaptureQueriesContext(connection) as captured:
            yield captured
        done = statements(captured)
        if len(done) > budget:
            pytest.fail(f"{len(done)} statements, budget {budget}:\n\n" + "\n\n".join(done))

    return check
