"""Master-data import: streamed readers, per-model import specs (``<app>/imports.py``), the engine.

See docs/staff.md ("Loading master data") and ``manage.py import_records``.
"""
