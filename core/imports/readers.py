"""Streaming readers of import files: CSV, XLSX, JSON (an array of objects) and JSON Lines.

Each reader yields ``(line, {column: value})`` one row at a time and never holds the file: CSV and JSON Lines are
read line by line, JSON through ijson's event parser, XLSX with openpyxl's read-only (SAX) workbook. ``line`` is
what a person finds in the file: the CSV line (the header is line 1), the XLSX sheet row, the JSON Lines line, the
JSON array's element number (1-based).

Hostile files are refused with :class:`FileRefused` (a clear sentence, never a traceback): a file that is not
UTF-8, too many columns, a duplicated or unknown header, an XLSX whose declared sheet or shared-string table would
explode in memory (a "zip bomb"), a cell larger than :data:`MAX_CELL`. A formula in a cell is text: XLSX cells are
read without evaluating anything (openpyxl returns a formula as its source text ``=SUM(A1)``) and CSV cells are
never interpreted.
"""

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

FORMATS = ("csv", "xlsx", "json", "jsonl")
MAX_COLUMNS = 200  # the widest list has ~20 columns; 10,000 columns is an attack or a wrong file
MAX_CELL = 100_000  # characters in one cell (a blackout timeframe is < 2 KB)
MAX_LINE = 1_000_000  # characters in one CSV record / JSON Lines line
# XLSX guards: the largest uncompressed part, the whole uncompressed workbook, and the compression ratio.
XLSX_MAX_PART = 2 * 1024**3
XLSX_MAX_RATIO = 200
XLSX_MAX_ROWS = 10_000_000
XLSX_MAX_SHARED_STRINGS_BYTES = 256 * 1024**2


class FileRefused(Exception):
    """The file as a whole cannot be read (no row was judged). ``line`` says where, when known."""

    def __init__(self, message: str, *, line: int | None = None, column: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def detect_format(name: str, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise FileRefused(f"Unknown format {explicit!r}: choose among {', '.join(FORMATS)}.")
        return explicit
    suffix = Path(name or "").suffix.lower().lstrip(".")
    if suffix == "ndjson":
        suffix = "jsonl"
    if suffix not in FORMATS:
        raise FileRefused(f"Cannot tell the format of {name!r}: name it .csv, .xlsx, .json or .jsonl (or say it).")
    return suffix


def check_header(header: list, *, allowed: list[str], headers: dict[str, str]) -> list[str]:
    """The column names of a header row: each a list column's name (or its CSV/XLSX header text)."""
    if len(header) > MAX_COLUMNS:
        raise FileRefused(f"The file has {len(header):,} columns; at most {MAX_COLUMNS} are read.", line=1)
    by_header = {text.casefold(): name for name, text in headers.items()}
    names = []
    for raw in header:
        text = "" if raw is None else str(raw).strip()
        if text.startswith("'") and text[1:2] in "=+-@":  # a header the export neutralised
            text = text[1:]
        name = text if text in allowed else by_header.get(text.casefold())
        if name is None:
            if not text:
                raise FileRefused("The header has an empty column name.", line=1)
            raise FileRefused(
                f"Unknown column {text!r}. The columns are: {', '.join(allowed)}.", line=1, column=text[:100]
            )
        if name in names:
            raise FileRefused(f"Column {name!r} appears twice in the header.", line=1, column=name)
        names.append(name)
    return names


# --- CSV ---------------------------------------------------------------------------------------------------------
def _text_lines(binary) -> Iterator[str]:
    """Decode UTF-8 (a BOM is dropped) incrementally; a byte that is not UTF-8 is refused with its line."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    line = 1
    pending = ""
    while True:
        chunk = binary.read(1 << 20)
        final = not chunk
        try:
            text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            where = line + (pending + exc.object[: exc.start].decode("utf-8", "replace")).count("\n")
            raise FileRefused(
                f"The file is not UTF-8 (byte 0x{exc.object[exc.start]:02x} on line {where}). "
                "Save it as CSV UTF-8 and upload it again.",
                line=where,
            ) from None
        text = pending + text
        parts = text.split("\n")
        pending = parts.pop()
        if len(pending) > MAX_LINE:
            raise FileRefused(f"Line {line} is longer than {MAX_LINE:,} characters.", line=line)
        for part in parts:
            yield part + "\n"
            line += 1
        if final:
            if pending:
                yield pending
            return


def read_csv(binary, *, allowed, headers) -> Iterator[tuple[int, dict]]:
    # csv's own cell limit is process-wide (csv.field_size_limit): left as it is; a longer cell is refused below.
    reader = csv.reader(_text_lines(binary), strict=False)
    try:
        header = next(reader, None)
        if header is None:
            raise FileRefused("The file is empty: no header row.")
        names = check_header(header, allowed=allowed, headers=headers)
        width = len(names)
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line
            if len(row) != width:
                yield line, _WrongWidth(len(row), width)
                continue
            if any(len(cell) > MAX_CELL for cell in row):
                yield line, _TooLong()
                continue
            yield line, dict(zip(names, row, strict=True))
    except csv.Error as exc:
        raise FileRefused(f"Line {reader.line_num}: not readable as CSV ({exc}).", line=reader.line_num) from None


class _WrongWidth(dict):
    """A CSV record with another number of cells than the header: refused as a row."""

    def __init__(self, got: int, want: int):
        super().__init__()
        self.reason = f"{got} cells where the header has {want}"


class _TooLong(dict):
    def __init__(self):
        super().__init__()
        self.reason = f"a cell is longer than {MAX_CELL:,} characters"


# --- JSON Lines and JSON -----------------------------------------------------------------------------------------
def _object_row(obj, *, allowed, line: int) -> dict:
    if not isinstance(obj, dict):
        return _NotAnObject(type(obj).__name__)
    if len(obj) > MAX_COLUMNS:
        raise FileRefused(f"Row {line} has {len(obj):,} keys; at most {MAX_COLUMNS} are read.", line=line)
    unknown = [k for k in obj if k not in allowed]
    if unknown:
        return _UnknownKeys(unknown, allowed)
    return obj


class _NotAnObject(dict):
    def __init__(self, kind):
        super().__init__()
        self.reason = f"a JSON {kind} where an object is expected"


class _UnknownKeys(dict):
    def __init__(self, unknown, allowed):
        super().__init__()
        self.column = str(unknown[0])[:100]
        self.reason = f"unknown key {str(unknown[0])[:100]!r}; the keys are: {', '.join(allowed)}"


def read_jsonl(binary, *, allowed, headers) -> Iterator[tuple[int, dict]]:
    for line, text in enumerate(_text_lines(binary), start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except ValueError as exc:
            yield line, _BadJSON(str(exc))
            continue
        yield line, _object_row(obj, allowed=allowed, line=line)


class _BadJSON(dict):
    def __init__(self, text):
        super().__init__()
        self.reason = f"not JSON ({text})"


# A lone UTF-16 surrogate escape in a JSON string (``"\\ud800"``, not part of a pair; an escaped backslash before it
# makes it text): ijson's C backend reads it as ``?``, silently. Each is read as the stand-in U+F720 and turned back
# into the surrogate in the row, so that the one character rule (``core/text.py``) refuses its row.
_LONE_SURROGATE = re.compile(
    rb"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
    rb"|(?<!\\)((?:\\\\)*)\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)

_HIGH_ESCAPE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}")


def _surrogate_stand_in(match: re.Match, found: list) -> bytes:
    if match.group(3):  # a pair: one character
        return match.group(0)
    found.append(0xD800)
    return (match.group(1) if match.group(2) else match.group(4)) + b"\\uf720"


class _FilteredStream(io.RawIOBase):
    """A binary stream passed through :meth:`_filter` chunk by chunk; :meth:`_split` holds back the end of a chunk
    that may be the start of something cut in two (given again with the next read). ``found`` collects what the
    filter replaced."""

    def __init__(self, raw, found: list):
        self._raw = raw
        self._found = found
        self._tail = b""
        self._out = b""

    def readable(self):
        return True

    def _split(self, data: bytes) -> int:  # pragma: no cover - abstract
        """Where the held-back end of ``data`` starts (``len(data)``: nothing held back)."""
        raise NotImplementedError

    def _filter(self, data: bytes) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError

    def readinto(self, buffer):
        while not self._out:
            chunk = self._raw.read(max(len(buffer), 1 << 16))
            data = self._tail + chunk
            self._tail = b""
            if chunk:
                cut = self._split(data)
                data, self._tail = data[:cut], data[cut:]
            elif not data:
                return 0
            self._out = self._filter(data)
        size = min(len(buffer), len(self._out))
        buffer[:size] = self._out[:size]
        self._out = self._out[size:]
        return size


class _JSONStream(_FilteredStream):
    """A JSON file with :data:`_LONE_SURROGATE` replaced, streamed (the last 13 bytes from a backslash, and the run
    of backslashes before it, are held back until the next read: an escape, or a pair, is never cut)."""

    def _split(self, data: bytes) -> int:
        cut = data.find(b"\\", max(0, len(data) - 13))  # a pair's escapes are 12 bytes
        if cut >= 6 and _HIGH_ESCAPE.fullmatch(data, cut - 6, cut):  # the first half of a pair
            cut -= 6
        if cut == -1:
            return len(data)
        while cut > 0 and data[cut - 1 : cut] == b"\\":
            cut -= 1
        return cut

    def _filter(self, data: bytes) -> bytes:
        return _LONE_SURROGATE.sub(lambda m: _surrogate_stand_in(m, self._found), data)


def _restore_surrogates(value):
    if isinstance(value, str):
        return value.translate(_STAND_INS)
    if isinstance(value, dict):
        return {_restore_surrogates(k): _restore_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_surrogates(v) for v in value]
    return value


def read_json(binary, *, allowed, headers) -> Iterator[tuple[int, dict]]:
    import ijson

    head = binary.read(3)
    if head == codecs.BOM_UTF8:
        head = b""
    while True:  # the first byte that is not whitespace must open an array
        if not head.strip():
            more = binary.read(1)
            if not more:
                raise FileRefused("The file is empty: a JSON array of objects is expected.")
            head += more
            continue
        break
    if not head.lstrip().startswith(b"["):
        raise FileRefused("Not a JSON array: a JSON file holds one array of objects, [{...}, {...}].", line=1)
    found: list[int] = []
    binary = io.BufferedReader(_JSONStream(_Prefixed(head, binary), found))
    index = 0
    try:
        for obj in ijson.items(binary, "item", use_float=True):
            index += 1
            yield index, _object_row(_restore_surrogates(obj) if found else obj, allowed=allowed, line=index)
    except ijson.common.IncompleteJSONError as exc:
        where = f" after element {index}" if index else ""
        raise FileRefused(f"Not a JSON array of objects{where}: {exc}.", line=index or None) from None
    except UnicodeDecodeError:
        raise FileRefused("The file is not UTF-8.") from None


class _Prefixed(io.RawIOBase):
    """A binary stream with a few already-read bytes put back in front."""

    def __init__(self, head: bytes, rest):
        self._head = head
        self._rest = rest

    def readable(self):
        return True

    def read(self, size=-1):
        if size == 0:
            return b""
        if self._head:
            out, self._head = self._head, b""
            if size is None or size < 0:
                return out + self._rest.read()
            return out + self._rest.read(max(0, size - len(out)))
        return self._rest.read(size)

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# --- XLSX --------------------------------------------------------------------------------------------------------
def check_xlsx(binary) -> None:
    """Refuse an XLSX whose parts would explode when read: a member too large uncompressed, a compression ratio of
    a zip bomb, a shared-string table too large to hold, or a sheet that declares too many rows or columns."""
    try:
        archive = zipfile.ZipFile(binary)
    except zipfile.BadZipFile:
        raise FileRefused("Not an XLSX file (not a zip archive).") from None
    with archive:
        for info in archive.infolist():
            if info.file_size > XLSX_MAX_PART:
                raise FileRefused(f"XLSX part {info.filename} would be {info.file_size:,} bytes uncompressed.")
            if info.compress_size and info.file_size / info.compress_size > XLSX_MAX_RATIO and info.file_size > 1 << 24:
                raise FileRefused(
                    f"XLSX part {info.filename} expands {info.file_size // info.compress_size}-fold: refused as a "
                    "zip bomb."
                )
            if info.filename.endswith("sharedStrings.xml") and info.file_size > XLSX_MAX_SHARED_STRINGS_BYTES:
                raise FileRefused(
                    f"The XLSX shared-string table is {info.file_size:,} bytes: too large to read. Save the sheet "
                    "as CSV instead."
                )


# A character XML 1.0 cannot carry, as a character reference (``&#x1;``, ``&#7;``, ``&#xD800;``) or a raw byte: the
# XML parser stops the whole sheet at it. Each is read as a private-use stand-in (U+F700 + the C0 code, U+F720 for a
# surrogate) and turned back into the character in the cell's value, so that the one character rule
# (``core/text.py``) refuses that cell's row with its line and column, and the other rows are read.
_XML_ILLEGAL = re.compile(rb"&#(?:[xX]0*([0-9a-fA-F]{1,8})|0*([0-9]{1,10}));|[\x00-\x08\x0b\x0c\x0e-\x1f]")
_STAND_INS = {0xF700 + code: code for code in range(0x20)} | {0xF720: 0xD800}


def _stand_in(match: re.Match, found: list) -> bytes:
    text, hexadecimal, decimal = match.group(0, 1, 2)
    code = int(hexadecimal, 16) if hexadecimal else int(decimal) if decimal else text[0]
    if code < 0x20 and code not in (0x09, 0x0A, 0x0D):
        found.append(code)
        return chr(0xF700 + code).encode()
    if 0xD800 <= code <= 0xDFFF:
        found.append(code)
        return chr(0xF720).encode()
    return text


class _XMLPart(_FilteredStream):
    """One XML part of the workbook with :data:`_XML_ILLEGAL` replaced by stand-ins, streamed (a reference split
    between two reads is held back until its end arrives)."""

    def __init__(self, raw, found: list):
        super().__init__(raw, found)
        self._utf16 = None  # a UTF-16 part (never seen from Excel or openpyxl) is passed through as it is

    def _split(self, data: bytes) -> int:
        cut = data.rfind(b"&", max(0, len(data) - 16))
        return cut if cut != -1 and b";" not in data[cut:] else len(data)

    def _filter(self, data: bytes) -> bytes:
        if self._utf16 is None:
            self._utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[1:2] == b"\x00"
        return data if self._utf16 else _XML_ILLEGAL.sub(lambda m: _stand_in(m, self._found), data)

    def close(self):
        self._raw.close()
        super().close()


class _Archive:
    """The workbook's zip archive, its XML parts read through :class:`_XMLPart` (``found`` lists what was
    replaced)."""

    def __init__(self, archive: zipfile.ZipFile):
        self._archive = archive
        self.found: list[int] = []

    def open(self, name, *args, **kwargs):
        handle = self._archive.open(name, *args, **kwargs)
        return io.BufferedReader(_XMLPart(handle, self.found)) if str(name).endswith(".xml") else handle

    def __getattr__(self, name):
        return getattr(self._archive, name)


def _load_workbook(binary):
    """openpyxl's ``load_workbook(read_only=True)`` with the archive read through :class:`_Archive`."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(binary, read_only=True, keep_vba=False, data_only=False, keep_links=False)
    reader.archive = archive = _Archive(reader.archive)
    reader.read()
    return reader.wb, archive


def read_xlsx(binary, *, allowed, headers) -> Iterator[tuple[int, dict]]:
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx(binary)
    binary.seek(0)
    try:
        workbook, archive = _load_workbook(binary)
    except (InvalidFileException, KeyError, zipfile.BadZipFile, ValueError, SyntaxError) as exc:
        raise FileRefused(f"Not a readable XLSX workbook ({type(exc).__name__}: {exc}).") from None
    line = 1
    try:
        sheet = workbook.worksheets[0]
        max_row, max_column = sheet.max_row, sheet.max_column  # the sheet's declared dimension, when it has one
        if max_column and max_column > MAX_COLUMNS:
            raise FileRefused(f"The sheet declares {max_column:,} columns; at most {MAX_COLUMNS} are read.", line=1)
        if max_row and max_row > XLSX_MAX_ROWS:
            raise FileRefused(f"The sheet declares {max_row:,} rows; at most {XLSX_MAX_ROWS:,} are read.")
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        header = next(rows, None)
        if header is None:
            raise FileRefused("The sheet is empty: no header row.")
        header = _restored(list(header), archive)
        while header and header[-1] in (None, ""):
            header.pop()
        names = check_header(header, allowed=allowed, headers=headers)
        width = len(names)
        for line, values in enumerate(rows, start=2):
            values = _restored(list(values), archive)
            extra = [v for v in values[width:] if v not in (None, "")]
            if extra:
                yield line, _WrongWidth(len(values), width)
                continue
            values = values[:width] + [None] * (width - len(values))
            if all(v in (None, "") for v in values):
                continue
            yield line, {name: ("" if v is None else v) for name, v in zip(names, values, strict=True)}
    except SyntaxError as exc:  # XML the stand-ins do not cover (a reference past U+10FFFF, a broken tag)
        raise FileRefused(f"The sheet is not readable XML after row {line} ({exc}).", line=line + 1) from None
    finally:
        workbook.close()


def _restored(values: list, archive: _Archive) -> list:
    """The cells with each stand-in turned back into the character the file held (only if the file had any)."""
    if not archive.found:
        return values
    return [v.translate(_STAND_INS) if isinstance(v, str) else v for v in values]


READERS = {"csv": read_csv, "jsonl": read_jsonl, "json": read_json, "xlsx": read_xlsx}


def read_rows(binary, fmt: str, *, allowed: list[str], headers: dict[str, str]) -> Iterator[tuple[int, dict]]:
    """``(line, row)`` pairs of a binary file object. A row that is itself unreadable is a dict with a ``reason``
    attribute (and maybe ``column``): the engine refuses that row and carries on."""
    return READERS[fmt](binary, allowed=allowed, headers=headers)


def spreadsheet(fmt: str) -> bool:
    return fmt in ("csv", "xlsx")
