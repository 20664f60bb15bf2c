"""Reasons a row is refused that both import paths give (``engine.py`` row by row, ``setbased.py`` in SQL)."""


def relation_required(related) -> str:
    return f"a {related._meta.verbose_name} is required"


def relation_missing(related, to_fields: list[str], key: tuple) -> str:
    named = ", ".join(f"{t} {v!r}" for t, v in zip(to_fields, key, strict=True))
    return f"no {related._meta.verbose_name} with {named}"


def duplicate_key(first_line: int) -> str:
    return f"duplicate natural key: the same record is on line {first_line}"
