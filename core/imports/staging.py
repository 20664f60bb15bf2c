"""Reading a CSV file into a staging table of text columns for the set-based import path (``setbased.py``): the
raw bytes go to ``COPY``; Python only looks, chunk by chunk, for what would make ``COPY`` read the file otherwise
than the row path's CSV reader (``readers.read_csv``) — and then raises :class:`NotPlain`.

Because no record spans lines and no line is skipped, the n-th record is on line n + 1 (the header is line 1).
"""

import codecs
import csv
import re
import uuid

import psycopg

from ..text import REFUSED
from . import readers

CHUNK = 1 << 20
# A CSV line whose every cell is either unquoted (no quote inside) or wholly quoted: read alike by Python's csv
# module and by PostgreSQL's COPY (which, unlike Python, reads a quote inside an unquoted cell as an opening one).
_CELL = r'(?:[^",\r\n]*|"(?:[^"\n]|"")*")'
_PLAIN_LINE = re.compile(rf"{_CELL}(?:,{_CELL})*\r?")
_END_OF_DATA = re.compile(r"(?m)^\\\.\r?$")  # COPY stops at a line "\." (Python reads it as a row)
# A cell starting with an apostrophe (the one an export puts before a formula, which the row path takes off):
# anywhere in the file, even in a column the import ignores, the file goes to the row path.
_APOSTROPHE = re.compile(r"""(?m)(?:^|,)"?'""")


# The bytes of REFUSED's control characters (its surrogates never come out of a strict UTF-8 decoding): deleting
# every other byte leaves nothing when a chunk holds none, ten times as fast as the text search.
_NOT_CONTROL = bytes(b for b in range(256) if not REFUSED.match(chr(b)))


class NotPlain(Exception):
    """The file (or the spec) needs the row path; the engine discards what this path did."""


class _Scanner:
    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.pending = ""
        self.lines = 0  # complete lines read (rows, since no record spans lines): for the progress bar

    def feed(self, data: bytes, *, final: bool) -> None:
        if data.translate(None, _NOT_CONTROL):
            raise NotPlain("a character the one character rule refuses (core/text.py): the row path names its row")
        try:
            text = self.pending + self.decoder.decode(data, final=final)
        except UnicodeDecodeError:
            raise NotPlain("not UTF-8") from None
        if final:
            complete, self.pending = text, ""
        else:
            cut = text.rfind("\n") + 1
            complete, self.pending = text[:cut], text[cut:]
            if len(self.pending) > readers.MAX_LINE:
                raise NotPlain("a long line")
        if not complete:
            return
        self.lines += complete.count("\n")
        if "\r" in complete and complete.count("\r") != complete.count("\r\n"):
            raise NotPlain("a carriage return that does not end a line")
        if len(complete) > readers.MAX_CELL and max(map(len, complete.split("\n"))) > readers.MAX_CELL:
            raise NotPlain("a line that may hold a cell longer than the row path reads")
        if "'" in complete and _APOSTROPHE.search(complete):
            raise NotPlain("a cell starting with an apostrophe")
        if "\\." in complete and _END_OF_DATA.search(complete):
            raise NotPlain("a line COPY reads as the end of data")
        if '"' in complete:
            for line in complete.split("\n"):
                if '"' in line and not _PLAIN_LINE.fullmatch(line):
                    raise NotPlain("a quoted cell COPY and Python would read differently")


def read_header(importer, first: bytes) -> tuple[list[str], bytes]:
    end = first.find(b"\n")
    if end < 0:
        raise NotPlain("no complete header line in the first chunk")
    try:
        text = first[: end + 1].decode("utf-8-sig")
        if '"' in text and not _PLAIN_LINE.fullmatch(text.rstrip("\n")):
            raise NotPlain("an oddly quoted header")
        header = next(csv.reader([text]))
        columns = importer.spec.list_spec.columns
        names = readers.check_header(
            header, allowed=[c.name for c in columns], headers={c.name: c.header for c in columns}
        )
    except (UnicodeDecodeError, csv.Error, StopIteration, readers.FileRefused):
        raise NotPlain("the header is for the row path to refuse") from None
    if len(names) < 2 or not set(importer.spec.written_columns()) <= set(names):
        raise NotPlain("a file without every written column")  # the row path's defaults and messages apply
    return names, first[end + 1 :]


def copy_rows(cursor, binary, names: list[str], body: bytes, progress) -> str:
    stage = f"import_rows_{uuid.uuid4().hex[:12]}"
    cells = ", ".join(f"c{i}" for i in range(len(names)))
    typed = ", ".join(f"c{i} text" for i in range(len(names)))
    cursor.execute(
        f"CREATE TEMPORARY TABLE {stage} (line bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), {typed}) "
        "ON COMMIT DROP"
    )
    scanner = _Scanner()
    sql = f"COPY {stage} ({cells}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({cells}))"
    try:
        with cursor.cursor.copy(sql) as copy:
            data = body
            while True:
                more = binary.read(CHUNK)
                scanner.feed(data, final=not more)
                copy.write(data)
                if progress:
                    progress(scanner.lines)
                if not more:
                    break
                data = more
    except psycopg.Error as exc:  # a row of another width, a blank line: the row path refuses it as a row
        raise NotPlain(f"COPY refused the file ({str(exc).splitlines()[0]})") from None
    return stage
