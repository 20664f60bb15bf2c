"""Charts drawn on the server as inline SVG: no script, no library, no CDN (the admin works offline)."""

from django.utils.html import escape

WIDTH, HEIGHT = 640, 160
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 36, 22, 10


def _nice_top(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (at least 1): the axis top."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if step * top >= value:
                return step * top
        top *= 10


def bar_chart_svg(bars: list[tuple[str, int]], *, title: str, unit: str = "") -> str:
    """A bar chart of ``(label, value)`` pairs as an accessible SVG string (each bar has a ``<title>``)."""
    count = max(len(bars), 1)
    top = _nice_top(max((value for _, value in bars), default=0))
    plot_w = WIDTH - MARGIN_LEFT - 4
    plot_h = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = plot_w / count
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        y = MARGIN_TOP + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - 4}" y1="{y:.1f}" y2="{y:.1f}" class="dash-grid" '
            'stroke="currentColor" stroke-opacity="0.2"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="currentColor">{round(top * fraction):g}</text>'
        )
    for index, (label, value) in enumerate(bars):
        h = plot_h * value / top if top else 0
        x = MARGIN_LEFT + index * slot + slot * 0.15
        y = MARGIN_TOP + plot_h - h
        text = f"{label}: {value}{' ' + unit if unit else ''}"
        parts.append(
            f'<rect class="dash-bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="#417690" data-value="{value}"><title>{escape(text)}</title></rect>'
        )
        if index % 3 == 0 or index == len(bars) - 1:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - 6}" text-anchor="middle" font-size="10" '
                f'fill="currentColor">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
