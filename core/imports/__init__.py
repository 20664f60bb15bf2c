"""Master-data imports, a Django app of its own (``core.imports``, label ``imports``): streamed readers, per-model
import specs (``<app>/imports.py``), the engine and its PostgreSQL set-based path, the import jobs with their tasks,
the admin's Import button and ``manage.py import_records``.

See docs/staff.md ("Loading master data") and docs/architecture.md.
"""
