"""Find the runnable examples of the docs: every ```sh block is one curl command and its expected status.

The convention (docs/index.md, docs/testing.md)::

    ```sh
    curl -s -u oms:change-me http://127.0.0.1:8000/healthz
    # → 200
    ```

A block may hold ``#`` comment lines and backslash continuations; its last line is ``# → <status>``. A block that
breaks the convention is still returned, with ``problem`` saying what is wrong, so that the test fails on it.

An example that answers a list (an analyst page's ``results``, a JSON array, JSON Lines, a CSV file) is meant to
show rows on the demo data: the docs test fails on an empty one. A block that shows an empty list on purpose says so
with a comment line ``# no rows`` (then the answer must be empty).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS_HOST = "http://127.0.0.1:8000"
EXAMPLE_LANGUAGES = {"sh", "bash", "shell", "zsh"}  # a curl hidden in a ```bash block is run too
STATUS_LINE = re.compile(r"^#\s*(?:→|->)\s*(\d{3})\s*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
CONTROL_OPERATORS = {";", "&&", "||", "|", "&", ";;", "|&", "(", ")"}
NO_ROWS_LINE = re.compile(r"^#\s*no rows\b", re.IGNORECASE)


@dataclass(frozen=True)
class Example:
    page: str  # path relative to the repository, e.g. "docs/wire-families.md"
    line: int  # line of the block's first line of content
    command: str  # the shell command, continuations kept
    status: int | None  # expected HTTP status
    problem: str | None = None  # why the block is not a valid example
    no_rows: bool = False  # the block says ``# no rows``: its list answer is empty on purpose

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass(frozen=True)
class Block:
    language: str
    line: int  # line of the first line of content (1-based)
    lines: tuple[str, ...]


def doc_pages(root: Path = ROOT) -> list[Path]:
    """README.md, then docs/*.md by name."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def fenced_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text (CommonMark fences: ``` or ~~~, closed by at least as many)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        # An info string of a backtick fence may not contain a backtick (else it is inline code).
        if not match or (match.group(1)[0] == "`" and "`" in match.group(2)):
            index += 1
            continue
        fence, info = match.group(1), match.group(2).strip()
        start = index + 1
        index = start
        body: list[str] = []
        while index < len(lines):
            closing = lines[index].strip()
            if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
                break
            body.append(lines[index])
            index += 1
        blocks.append(Block(info.split()[0].lower() if info else "", start + 1, tuple(body)))
        index += 1
    return blocks


def _problem_with_command(command: str) -> str | None:
    joined = command.replace("\\\n", " ")
    try:
        lexer = shlex.shlex(joined, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError as exc:
        return f"the command does not parse as shell: {exc}"
    if not tokens or tokens[0] != "curl":
        return "an example block holds one curl command (other shell code goes in ```console or ```text)"
    operators = [t for t in tokens if t in CONTROL_OPERATORS]
    if operators:
        return f"an example block holds ONE curl command, without {operators[0]!r}"
    return None


def block_example(page: str, block: Block) -> Example:
    content = list(block.lines)
    while content and not content[-1].strip():
        content.pop()
    last = content[-1].strip() if content else ""
    status_match = STATUS_LINE.match(last)
    body = content[:-1] if status_match else content
    command = "\n".join(line for line in body if line.strip() and not line.lstrip().startswith("#")).strip()
    status = int(status_match.group(1)) if status_match else None
    problem = None
    if status is None:
        problem = "the last line of an example block must be the expected status, e.g. `# → 200`"
    elif any(STATUS_LINE.match(line.strip()) for line in body):
        problem = "an example block has exactly one `# → <status>` line, its last line"
    else:
        problem = _problem_with_command(command)
    no_rows = any(NO_ROWS_LINE.match(line.strip()) for line in body)
    return Example(page, block.line, command, status, problem, no_rows)


def rows_in(command: str, body: str) -> int | None:
    """How many rows a list answer holds (None: the answer is not a list, or went to a file with ``-o``): an
    analyst page (``results``), a JSON array, JSON Lines (``format=jsonl``) or a CSV file (``format=csv``, its
    header line not counted)."""
    if re.search(r"(?:^|\s)-o\s", command.replace("\\\n", " ")):
        return None
    text = body.strip()
    if "format=jsonl" in command:
        return len([line for line in text.splitlines() if line.strip()])
    if "format=csv" in command:
        return max(0, len(text.splitlines()) - 1)
    try:
        answer = json.loads(text)
    except ValueError:
        return None
    if isinstance(answer, list):
        return len(answer)
    if isinstance(answer, dict) and isinstance(answer.get("results"), list) and "count" in answer:
        return len(answer["results"])
    return None


def page_examples(path: Path, root: Path = ROOT) -> list[Example]:
    page = path.relative_to(root).as_posix()
    blocks = fenced_blocks(path.read_text(encoding="utf-8"))
    return [block_example(page, block) for block in blocks if block.language in EXAMPLE_LANGUAGES]


def all_examples(root: Path = ROOT) -> list[Example]:
    examples: list[Example] = []
    for path in doc_pages(root):
        examples.extend(page_examples(path, root))
    return examples
