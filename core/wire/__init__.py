"""Wire machinery shared by the vendor families; a family that serves one app lives in that app.

- ``oracle``: Oracle Utilities ``/rest/apis/`` (JSON + XML, ``problemDetailDocument``), shared by outages,
  contacts and enrollments
- ``common``: the problem, the domain-error table lookup, the exception handler factory, wire permissions
- ``fields``: strict serializer fields (strings are strings, padded codes canonical, storable date-times)
- ``parsers``, ``xml``, ``bounds``: the one input discipline (body size, depth, characters, array bounds)
- ``families``: each family by path prefix, registered by the app that owns it

The BMC Helix family lives in ``blackouts/api/bmc.py``, the Oracle UIM family in ``inventory/api/uim.py``. An
endpoint inherits its family's base view and raises exceptions; it never builds an error body.
"""
