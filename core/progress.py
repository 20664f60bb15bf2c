"""The progress bar of the long management commands (``export``, ``import_records``): tqdm's when it is
installed — a development tool, in the ``dev`` extra — else a plain one that writes a line at every tenth of the
way and at the end, so that production (installed without the extra) runs the same commands."""

import sys


class PlainProgress:
    """The part of tqdm's interface the commands use: ``n``, ``update``, ``set_postfix_str``, ``close``."""

    STEPS = 10

    def __init__(self, *, total: int | None, unit: str, disable: bool = False, file=None, **_ignored):
        self.n = 0
        self.total = total
        self.unit = unit
        self.disable = disable
        self.file = file if file is not None else sys.stderr
        self.postfix = ""
        self._step = -1

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.total:
            step = min(self.n * self.STEPS // self.total, self.STEPS)
            if step > self._step:
                self._step = step
                self._write()

    def set_postfix_str(self, text: str = "", refresh: bool = True) -> None:
        self.postfix = text

    def close(self) -> None:
        if self._step < self.STEPS:
            self._write()

    def _write(self) -> None:
        if self.disable:
            return
        done = f"{self.n:,} / {self.total:,} {self.unit}" if self.total else f"{self.n:,} {self.unit}"
        share = f" ({100 * self.n // self.total}%)" if self.total else ""
        postfix = f", {self.postfix}" if self.postfix else ""
        print(f"{done}{share}{postfix}", file=self.file, flush=True)


def progress_bar(*, total: int | None, unit: str, disable: bool = False, file=None, **options):
    """A tqdm bar (``options`` are tqdm's, e.g. ``unit_scale``) or, without tqdm, a :class:`PlainProgress`."""
    try:
        from tqdm import tqdm
    except ImportError:
        return PlainProgress(total=total, unit=unit, disable=disable, file=file)
    return tqdm(total=total, unit=unit, disable=disable, file=file, **options)
