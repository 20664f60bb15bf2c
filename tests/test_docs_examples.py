"""How the docs test reads an example's block and its answer (``tests/docs_examples.py``), without a server."""

from tests.docs_examples import Block, block_example, rows_in

PAGE = "/api/core/changes/?event=outage.etr_changed"


def test_rows_of_each_list_answer():
    assert rows_in(f"curl -s '{PAGE}'", '{"count": 2, "next": null, "previous": null, "results": [{}, {}]}') == 2
    assert rows_in(f"curl -s '{PAGE}'", '{"count": 0, "next": null, "previous": null, "results": []}') == 0
    assert rows_in(f"curl -s '{PAGE}&format=json'", "[]") == 0
    assert rows_in(f"curl -s '{PAGE}&format=jsonl'", "") == 0
    assert rows_in(f"curl -s '{PAGE}&format=jsonl'", '{"id": 1}\n{"id": 2}\n') == 2
    assert rows_in(f"curl -s '{PAGE}&format=csv'", "ID,At (UTC)\n") == 0
    assert rows_in(f"curl -s '{PAGE}&format=csv'", "ID,At (UTC)\n1,2025-01-01T00:00:00Z\n") == 1


def test_answers_that_are_not_lists_are_not_counted():
    assert rows_in("curl -s http://127.0.0.1:8000/healthz", '{"status": "ok"}') is None
    assert rows_in("curl -s -o /dev/null 'http://127.0.0.1:8000/api/x/?format=csv'", "") is None
    assert rows_in("curl -s http://127.0.0.1:8000/api/x/1/", "<root/>") is None


def test_a_block_says_no_rows_with_a_comment_line():
    block = Block("sh", 10, ("# no rows: nothing was refused yet", f"curl -s '{PAGE}'", "# → 200"))
    example = block_example("docs/x.md", block)
    assert example.problem is None and example.no_rows and example.status == 200
    assert not block_example("docs/x.md", Block("sh", 1, (f"curl -s '{PAGE}'", "# → 200"))).no_rows
