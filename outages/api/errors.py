"""How the outages domain's refusals are answered on the Oracle Utilities wire: the one table of message numbers.

The core raises ``core.errors`` domain errors with stable codes; this table gives each its HTTP status and
Oracle message number (``serverMessage.messageNbr``). Numbers not named here come from the family
(``core/wire/oracle.py``: 4000 validation, 4001 malformed body, 4010, 4030...).
"""

from core.errors import DomainError, Invalid
from core.wire import oracle
from core.wire.common import WireCode, describe

DOMAIN_ERROR_CODES = {
    # externalSystem is not an active External System record (unknown or deactivated).
    "outages.unknown_external_system": WireCode(400, 4002),
    # A messageReference lower than the stored one: nothing in the request was applied.
    "outages.stale_message": WireCode(400, 4003),
    # The message would leave the estimated restoration time before the start (a field error: 4000).
    "outages.etr_before_start": WireCode(400, 4000),
    # GET of an event that does not exist.
    "outages.event_not_found": WireCode(404, 4040),
}


def exception_handler(exc, context):
    """The Oracle family's handler, with the titles outages answered before domain errors existed.

    The family names a refusal that is not a field error by its kind ("Not found") when its message is longer
    than the 60 characters of ``title``; outages has always answered such refusals (unknown system, stale
    message, unknown event) with the message itself, shortened. Field errors (``Invalid``) go through unchanged.
    """
    if isinstance(exc, DomainError) and not isinstance(exc, Invalid):
        request, view = context.get("request"), context.get("view")
        problem = describe(exc, request, view)
        problem.kind = "business"
        return oracle.render_problem(problem, request, view)
    return oracle.exception_handler(exc, context)
