"""The one rule for the characters of every string that comes in: at every wire family's door (the JSON parser,
the Oracle string field, path values) and in every import file. Refused, never dropped or replaced: silently
changing a character would change what the sender meant.

- **NUL** (U+0000): no database column can hold it.
- **C0 control characters other than tab, LF and CR** (U+0001 to U+0008, U+000B, U+000C, U+000E to U+001F): no XLSX
  cell can hold them (XML 1.0), so a stored one broke the exports (issue 21, finding 6), and no vendor spec
  (``shared/specs/``) uses them. Tab, LF and CR stay: free text (a reason, a message) may hold them.
- **A lone UTF-16 surrogate** (``"\\ud800"`` in JSON): not a character; UTF-8 cannot encode it.

An XML body or an XLSX file cannot carry the first two at all (XML 1.0 refuses them and their references).
"""

import re

NUL_MESSAGE = "Null characters are not allowed."
CONTROL_MESSAGE = "Control characters (U+0001 to U+001F other than tab, LF and CR) are not allowed."
SURROGATE_MESSAGE = "A lone UTF-16 surrogate (e.g. \\ud800) is not a character."

REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why ``text`` is refused (one message per rule, NUL first), or None."""
    if REFUSED.search(text) is None:
        return None
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")  # a surrogate pair was joined by the JSON decoder: only a lone one is left here
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return CONTROL_MESSAGE
