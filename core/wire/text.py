"""The one rule for characters in wire strings, every family: NUL and the other C0 control characters are refused.

- **NUL** (U+0000): no database column can hold it.
- **C0 control characters other than tab, LF and CR** (U+0001 to U+0008, U+000B, U+000C, U+000E to U+001F): no XLSX
  cell can hold them (XML 1.0), so a stored one would break the exports (issue 21, finding 6), and no vendor spec
  (``shared/specs/``) uses them. Tab, LF and CR stay: free text (a reason, a message) may hold them.

Refused, never dropped or replaced: silently changing a character would change what the sender meant. The JSON
parser (``core/wire/parsers.py``) applies it to every string and key of every body; the Oracle string field
(``StrictCharField``) and path values call it too. An XML body cannot carry them at all (XML 1.0 refuses the
characters and their references, a 400 from the parser).
"""

import re

NUL_MESSAGE = "Null characters are not allowed."
CONTROL_MESSAGE = "Control characters (U+0001 to U+001F other than tab, LF and CR) are not allowed."

REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def text_problem(text: str) -> str | None:
    """Why ``text`` is refused at the door (one message per rule), or None."""
    found = REFUSED.search(text)
    if found is None:
        return None
    return NUL_MESSAGE if "\x00" in text else CONTROL_MESSAGE
