"""How names and addresses compare: the normalised keys customers and premises are looked up by, in Python and (for
set-based imports) in PostgreSQL. ``models.py`` derives ``name_key`` and ``address_key`` with these on every
save; bulk writers call the same functions."""

import re

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[.,;|]")

# The address lines that make up the address key, in order (country, county and division do not).
ADDRESS_KEY_FIELDS = ("address1", "address2", "address3", "address4", "city", "state", "postal")


def normalise(value: str | None) -> str:
    """Case-folded, ``. , ; |`` read as spaces, whitespace collapsed and trimmed: how names and addresses compare.

    ``|`` is the address key's separator, so it can never appear inside a part.
    """
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", (value or "").casefold())).strip()


def address_key(**parts: str | None) -> str:
    """The equality key of an address: normalised lines, city, state and postal code joined by ``|``."""
    return "|".join(normalise(parts.get(name)) for name in ADDRESS_KEY_FIELDS)


# For set-based imports (``core/imports/setbased.py``): the same in PostgreSQL, for ASCII text. ASCII only, because
# case folding and whitespace beyond ASCII differ between Python and PostgreSQL; importers compute rows with other
# text through the Python functions (tests compare the two over generated text).
_SQL_BLANKS = (
    "'"
    + _PUNCTUATION.pattern.strip("[]")
    + "' || "
    + " || ".join(f"chr({c})" for c in (9, 10, 11, 12, 13, 28, 29, 30, 31))
)
_SQL_SPACES = "'" + " " * (len(_PUNCTUATION.pattern.strip("[]")) + 9) + "'"  # Python's ASCII whitespace, 0x1C-0x1F too
_SQL_SEPARATOR = "chr(57344)"  # U+E000: in no ASCII text, so it marks where parts meet


def _spaced_sql(expr: str) -> str:
    """Lower case (ASCII), punctuation and every whitespace character a space, runs of spaces one space."""
    folded = f'translate(lower(({expr}) COLLATE "C"), {_SQL_BLANKS}, {_SQL_SPACES})'
    return f"regexp_replace({folded}, '  +', ' ', 'g')"


def normalise_sql(expr: str) -> str:
    """:func:`normalise` in PostgreSQL, for ASCII text."""
    return "btrim(" + _spaced_sql(f"coalesce({expr}, '')") + ", ' ')"


def address_key_sql(exprs: dict[str, str]) -> str:
    """:func:`address_key` in PostgreSQL, for ASCII text: the parts are joined by a separator no ASCII text holds and
    normalised at once (a run of spaces never crosses the separator), then the space left on either side of each
    separator is dropped and the separator becomes ``|``."""
    sep = _SQL_SEPARATOR
    joined = "concat_ws(" + ", ".join([sep, *(f"coalesce({exprs[name]}, '')" for name in ADDRESS_KEY_FIELDS)]) + ")"
    trimmed = f"replace(replace({_spaced_sql(joined)}, ' ' || {sep}, {sep}), {sep} || ' ', {sep})"
    return f"btrim(replace({trimmed}, {sep}, '|'), ' ')"
