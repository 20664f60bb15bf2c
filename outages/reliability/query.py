"""What a reliability report asks: the period in a zone, which outages count, the thresholds and the grouping."""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings

GROUPS = ("month", "outage_type", "postal_code", "city")
SUSTAINED_MINUTES = 5  # IEEE 1366: an interruption longer than 5 minutes is sustained (settings override)
MED_YEARS = 5  # the years before the period whose daily SAIDI sets the major event day threshold
CEMI_N = 3
CELID_HOURS = 8


def sustained_minutes() -> float:
    """The sustained/momentary threshold in minutes (``settings.OUTAGES_SUSTAINED_MINUTES``, default 5)."""
    return float(getattr(settings, "OUTAGES_SUSTAINED_MINUTES", SUSTAINED_MINUTES))


@dataclass(frozen=True)
class ReliabilityQuery:
    """``start`` (inclusive) and ``end`` (exclusive) are local dates in ``zone`` (an IANA name)."""

    start: date
    end: date
    zone: str
    customers_served: int | None = None
    include_planned: bool = False
    exclude_major_event_days: bool = False
    group_by: str | None = None
    cemi_n: int = CEMI_N
    celid_hours: float = CELID_HOURS
    threshold_minutes: float | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def instant(self, day: date) -> datetime:
        """The start of a local day (DST applied), as an aware date-time."""
        return datetime.combine(day, time(0), tzinfo=self.tz)

    @property
    def since(self) -> datetime:
        return self.instant(self.start)

    @property
    def until(self) -> datetime:
        return self.instant(self.end)

    @property
    def history_start(self) -> date:
        """The first day whose daily SAIDI sets the major event day threshold (``MED_YEARS`` before ``start``)."""
        try:
            return self.start.replace(year=self.start.year - MED_YEARS)
        except ValueError:  # 29 February
            return self.start.replace(year=self.start.year - MED_YEARS, day=28)

    @property
    def threshold(self) -> float:
        return sustained_minutes() if self.threshold_minutes is None else self.threshold_minutes
