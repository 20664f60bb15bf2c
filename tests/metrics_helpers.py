"""Reading the project's Prometheus counters in tests (this process's registry)."""

from prometheus_client import REGISTRY


def outcome_count(domain: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("backoffice_wire_outcomes_total", {"domain": domain, "outcome": outcome}) or 0.0


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0
