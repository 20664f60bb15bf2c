"""How the outages domain's refusals are answered on the Oracle Utilities wire: the one table of message numbers.

The core raises ``core.errors`` domain errors with stable codes; this table gives each its HTTP status and
Oracle message number (``serverMessage.messageNbr``). Numbers not named here come from the family
(``core/wire/oracle.py``: 4000 validation, 4001 malformed body, 4010, 4030...).
"""

from core.wire.common import WireCode

DOMAIN_ERROR_CODES = {
    # externalSystem is not an active External System record (unknown or deactivated).
    "outages.unknown_external_system": WireCode(400, 4002),
    # A messageReference lower than the stored one: nothing in the request was applied.
    "outages.stale_message": WireCode(400, 4003),
    # The message would leave the estimated restoration time before the start (a field error: 4000).
    "outages.etr_before_start": WireCode(400, 4000, kind="validation"),
    # GET of an event that does not exist.
    "outages.event_not_found": WireCode(404, 4040),
}
