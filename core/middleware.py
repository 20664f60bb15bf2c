"""Request-scoped middleware shared by every door."""

from __future__ import annotations

from core import context


class RequestContextMiddleware:
    """Bind a request id (``X-Request-ID`` when sane, else generated) and the actor for the whole request, and
    return the id in the response's ``X-Request-ID`` header.

    The actor is resolved lazily from ``request.user``: the session user for the admin, and (DRF sets the
    Django request's ``user`` when it authenticates) the token or Basic user for the APIs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = context.accept_request_id(request.headers.get(context.REQUEST_ID_HEADER))
        request.request_id = rid
        with context.bound(request_id=rid, actor=lambda: context.user_actor(getattr(request, "user", None))):
            response = self.get_response(request)
        response[context.REQUEST_ID_HEADER] = rid
        return response
