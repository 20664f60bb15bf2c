"""The admin's input guard, one for every admin page and every ModelAdmin (Django's own, third parties' and ours):
what the database or Python cannot hold is refused at the door, never a 500 on the query it would reach.

- **Characters** (``text_refusal``): every query-string and form parameter, name and value, under the one character
  rule of the wire families (``core.text``: no NUL, no other C0 control but tab/LF/CR, no lone surrogate) — a NUL
  in a changelist filter or a search was a 500 on PostgreSQL ("text fields cannot contain NUL"). Uploaded files are
  not form values: the import readers judge their content.
- **Selected ids of an action** (``selected_ids_refusal``): each ``_selected_action`` must be a value the model's
  primary key can hold (an integer within its column's range, a UUID...) — Django's ``pk__in`` filter raised
  ``ValueError`` on ``%ED%B0%80`` (decoded as U+FFFD) and the action was a 500.

``core.middleware.AdminInputMiddleware`` applies both before any admin view runs.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from .text import text_problem

ACTION_CHECKBOX_NAME = "_selected_action"  # django.contrib.admin.helpers.ACTION_CHECKBOX_NAME


def _shown(name: str) -> str:
    """A parameter's name as the page can show it (its refused characters as ``\\xNN``)."""
    shown = name.encode("ascii", "backslashreplace").decode("ascii") if text_problem(name) else name
    return shown if len(shown) <= 60 else shown[:57] + "..."


def text_refusal(request, *, form: bool = True) -> str | None:
    """Why the request's query string (or, with ``form``, its form) is refused (naming the parameter), or None."""
    sources = [("query string", request.GET)] + ([("form", request.POST)] if form else [])
    for where, params in sources:
        for name, values in params.lists():
            problem = text_problem(name)
            if problem is None:
                problem = next(filter(None, map(text_problem, values)), None)
            if problem is not None:
                return f"The {where} parameter {_shown(name)!r}: {problem}"
    return None


def bad_request(request, admin_site, problem: str):
    """The admin's 400 page: what was refused, in the admin's layout."""
    context = {**admin_site.each_context(request), "title": "Bad request", "problem": problem}
    return TemplateResponse(request, "admin/bad_request.html", context, status=400)


def selected_ids_refusal(model_admin, request) -> str | None:
    """Why an action's selected ids are refused (a value the primary key cannot hold), or None."""
    pk = model_admin.model._meta.pk
    for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
        try:
            pk.run_validators(pk.to_python(value))  # the integer range of the column for an integer key
        except (ValidationError, ValueError, TypeError):
            shown = value if len(value) <= 40 else value[:37] + "..."
            return f"{shown!r} is not a valid id of a {model_admin.model._meta.verbose_name}: no action was run."
    return None


def refuse_action(model_admin, request, problem: str):
    """As Django answers an action posted without a selection: the changelist again, with the message."""
    model_admin.message_user(request, problem, messages.ERROR)
    return HttpResponseRedirect(request.get_full_path())
