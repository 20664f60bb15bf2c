"""Wire-family machinery shared by the endpoints: one module per vendor family.

- ``oracle``: Oracle Utilities ``/rest/apis/`` (JSON + XML, ``problemDetailDocument``)
- ``bmc``: BMC Helix events-service ``/events-service/api/v1.0/`` (JSON, status bodies, validation lists)
- ``uim``: Oracle UIM ``/InventoryRSOpenAPI/`` (JSON, ``{code, reason, message[], status, ...}``)

An endpoint inherits its family's base view and raises exceptions; it never builds an error body.
"""
