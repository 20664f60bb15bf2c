"""What an import reports: counts (created, updated, unchanged, refused) and every refused row's line, column and
reason (the first ``MAX_LISTED`` listed, the rest counted)."""

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

MAX_LISTED = 10_000  # refused rows kept for the report; more are counted, not listed


@dataclass
class Refusal:
    line: int | None
    column: str
    reason: str


@dataclass
class Report:
    model: str
    fmt: str
    dry_run: bool = False
    apply_valid: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    file_error: str = ""
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.refused

    def refuse(self, line: int | None, column: str, reason: str) -> None:
        self.refused += 1
        if len(self.refusals) < MAX_LISTED:
            self.refusals.append(Refusal(line, column, reason))

    def as_dict(self) -> dict:
        out = asdict(self)
        out["ok"] = self.ok
        out["unlisted"] = max(0, self.refused - len(self.refusals))
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        data = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        data["refusals"] = [Refusal(**r) for r in data.get("refusals", [])]
        return cls(**data)

    def counts(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
        }

    def summary(self) -> str:
        if self.file_error:
            return f"File refused, nothing written: {self.file_error}"
        if self.applied:
            done = f"{self.created:,} created, {self.updated:,} updated"
        else:
            done = f"{self.created:,} to create, {self.updated:,} to update"
        counts = f"{self.rows:,} rows: {done}, {self.unchanged:,} unchanged, {self.refused:,} refused"
        if self.dry_run:
            return f"Dry run, nothing written. {counts}."
        if self.applied:
            return f"Applied. {counts}."
        return f"Nothing written (all or nothing, and {self.refused:,} rows are refused). {counts}."

    def lines(self) -> Iterator[str]:
        yield self.summary()
        for r in self.refusals:
            where = f"line {r.line}" if r.line is not None else "file"
            yield f"  {where}" + (f", column {r.column}" if r.column else "") + f": {r.reason}"
        if self.refused > len(self.refusals):
            yield f"  … and {self.refused - len(self.refusals):,} more refused rows"
