"""Major event days by IEEE 1366's 2.5beta method: a day is major when its SAIDI exceeds T_MED = exp(alpha + 2.5beta),
alpha and beta the mean and the (sample) standard deviation of ln(daily SAIDI) over the preceding years' days with a
non-zero SAIDI (ln 0 is undefined: zero days are left out, as the standard says)."""

import math
from collections.abc import Iterable, Mapping
from datetime import date

BETA_MULTIPLE = 2.5


def med_threshold(daily_saidi: Iterable[float]) -> float | None:
    """T_MED from the daily SAIDI values of the history; ``None`` when fewer than two days were non-zero (no
    standard deviation: no day is major)."""
    logs = [math.log(value) for value in daily_saidi if value > 0]
    if len(logs) < 2:
        return None
    alpha = sum(logs) / len(logs)
    beta = math.sqrt(sum((x - alpha) ** 2 for x in logs) / (len(logs) - 1))
    return math.exp(alpha + BETA_MULTIPLE * beta)


def major_event_days(daily_saidi: Mapping[date, float], threshold: float | None) -> list[date]:
    """The days of ``daily_saidi`` whose SAIDI exceeds ``threshold``, in order."""
    if threshold is None:
        return []
    return sorted(day for day, value in daily_saidi.items() if value > threshold)
