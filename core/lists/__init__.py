"""The analyst lists and their exports (see docs/analyst-api.md).

Each app declares its lists once, as :class:`~core.lists.specs.ListSpec` s in ``<app>/exports.py`` (discovered when
this app is ready). From each list derive the analyst API (``api.py``, ``api_root.py``), the files
(``writers.py``), the admin's Export buttons (``admin.py``), background export jobs (``jobs.py``, ``tasks.py``) and
``manage.py export``.
"""
