"""BMC Helix access keys (issue #23): staff create, rotate and revoke them in the admin; a client exchanges one for a
JWT at ``POST /ims/api/v1/access_keys/login`` and sends it as ``Authorization: Bearer`` or ``apiKey`` to the BMC
endpoints. A subsystem app (label ``access_keys``) below the domain apps: the BMC family names its authentication
class through settings (``BMC_AUTHENTICATION_CLASSES``). See docs/security.md, "BMC access keys"."""
