"""Reliability indices (IEEE 1366) from the outage records: who was out, when and for how long.

- ``query``: what a report asks (period in a zone, planned or not, thresholds, grouping);
- ``intervals``: customer interruptions from the history, set-based in SQL (the rules, once);
- ``major_events``: major event days by the 2.5β method;
- ``indices``: SAIFI, SAIDI, CAIDI, CAIFI, ASAI, MAIFI, CEMI-n, CELID-t over a period, grouped or not;
- ``worst_served``: the customers CEMI-n and CELID-t count, streamed.
"""

from .indices import INDEX_KEYS, Figures, Reliability, customers_served, reliability_compute
from .query import CELID_HOURS, CEMI_N, GROUPS, ReliabilityQuery, sustained_minutes
from .worst_served import COLUMNS, LISTS, worst_served_customers

__all__ = [
    "CELID_HOURS",
    "CEMI_N",
    "COLUMNS",
    "GROUPS",
    "INDEX_KEYS",
    "LISTS",
    "Figures",
    "Reliability",
    "ReliabilityQuery",
    "customers_served",
    "reliability_compute",
    "sustained_minutes",
    "worst_served_customers",
]
