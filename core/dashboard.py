"""The operations dashboard on the admin index: panels of figures (and charts) that the domain apps register.

``core`` knows no domain app: each app declares its panel in ``<app>/dashboard.py`` (autodiscovered by
``CoreConfig.ready``) with :func:`register`. A panel function receives the one ``now`` of the page and returns
:class:`Figure` s and :class:`Chart` s. Every figure is a database count (``queryset.count()`` or one aggregate),
never per-row Python, and links to the admin changelist filtered to exactly the records it counts: the figure's
``params`` are the changelist's query string, and the count is taken on the queryset those params describe.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from . import charts, replicas


@dataclass
class Figure:
    """A number and the changelist of the records it counts (``params``: that changelist's filters)."""

    label: str
    value: int
    model: type
    params: dict = field(default_factory=dict)
    help: str = ""
    level: str = ""  # "" (neutral), "warn" or "bad" when the value is above zero

    @property
    def url(self) -> str:
        opts = self.model._meta
        try:
            base = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            return ""
        return f"{base}?{urlencode(self.params)}" if self.params else base

    @property
    def permission(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}.view_{opts.model_name}"

    @property
    def alert(self) -> bool:
        return bool(self.level) and self.value > 0


@dataclass
class Chart:
    """A bar chart drawn server-side as SVG (no script, no CDN): one bar per ``(label, value)``."""

    title: str
    bars: list[tuple[str, int]]
    unit: str = ""
    model: type | None = None

    @property
    def svg(self) -> str:
        return charts.bar_chart_svg(self.bars, title=self.title, unit=self.unit)

    @property
    def permission(self) -> str:
        if self.model is None:
            return ""
        opts = self.model._meta
        return f"{opts.app_label}.view_{opts.model_name}"


@dataclass
class Link:
    """A page of the app the panel links to (a report, say), shown to who holds ``permission``."""

    label: str
    url_name: str
    permission: str

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


@dataclass
class Panel:
    key: str
    title: str
    order: int
    build: Callable[[datetime], list]


REGISTRY: dict[str, Panel] = {}


def register(key: str, title: str, *, order: int = 100):
    """Decorator: ``@dashboard.register("outages", "Outages")`` on ``def panel(now) -> list[Figure | Chart]``."""

    def decorate(func):
        REGISTRY[key] = Panel(key=key, title=title, order=order, build=func)
        return func

    return decorate


@dataclass
class RenderedPanel:
    key: str
    title: str
    figures: list[Figure]
    charts: list[Chart]
    links: list[Link] = field(default_factory=list)


def panels_for(user, *, now: datetime | None = None) -> list[RenderedPanel]:
    """The panels ``user`` may see (a figure needs the view permission on the model it counts), in order."""
    now = (now or timezone.now()).replace(microsecond=0)  # figures and their links share this instant
    out = []
    for panel in sorted(REGISTRY.values(), key=lambda p: (p.order, p.key)):
        with replicas.replica_reads():  # the figures are counts: a read replica's, if any (core/replicas.py)
            items = panel.build(now)
        figures = [i for i in items if isinstance(i, Figure) and user.has_perm(i.permission)]
        drawn = [i for i in items if isinstance(i, Chart) and (not i.permission or user.has_perm(i.permission))]
        links = [i for i in items if isinstance(i, Link) and i.url and user.has_perm(i.permission)]
        if figures or drawn:
            out.append(RenderedPanel(panel.key, panel.title, figures, drawn, links))
    return out


def iso(instant: datetime) -> str:
    """An instant as a changelist filter value (what the admin's date-time lookups parse)."""
    return instant.astimezone(UTC).replace(microsecond=0).isoformat()
