"""How names and addresses compare: the normalised keys customers and premises are looked up by, in Python and (for
set-based imports) in PostgreSQL. Each key is declared once (:data:`NAME_KEY`, :data:`ADDRESS_KEY`: the column,
the columns it is derived from, its Python and its SQL form); ``save()``, the bulk writer and the set-based import
all derive it from that declaration, and tests prove the two forms equal."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Key:
    """A derived lookup key: the column it is stored in, the columns it is derived from, and how it is computed
    in Python (from a mapping of those columns) and in PostgreSQL (from their SQL expressions)."""

    field: str
    sources: tuple[str, ...]
    python: Callable[[Mapping], str]
    sql: Callable[[dict[str, str]], str]

    def of(self, obj) -> str:
        """The key of a model instance (or any object with the source attributes)."""
        return self.python({name: getattr(obj, name) for name in self.sources})

    def fill(self, values: dict) -> None:
        """Set the key in a row of values (the bulk writer's)."""
        values[self.field] = self.python(values)


NAME_KEY = Key(
    "name_key", ("name",), python=lambda values: normalise(values.get("name")), sql=lambda e: normalise_sql(e["name"])
)
ADDRESS_KEY = Key(
    "address_key",
    ADDRESS_KEY_FIELDS,
    python=lambda values: address_key(**{name: values.get(name) for name in ADDRESS_KEY_FIELDS}),
    sql=address_key_sql,
)
