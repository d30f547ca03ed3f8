"""Build-time SVG charts: headline figures that need no JavaScript and no chart library.

A horizontal bar chart suits long CJK labels on a narrow phone: one row per item, the label
above its bar, the value at the bar's end. The SVG scales to its container (viewBox), and
screen readers get the same figures from `role="img"` with a text alternative.
"""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

ROW = 44          # px per row: label line + bar
WIDTH = 360
BAR_HEIGHT = 14


def _number(value: Decimal) -> str:
    value = value.quantize(Decimal("0.1")) if value != value.to_integral() else value.to_integral()
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def bar_chart(rows: list[tuple[str, Decimal]], unit: str, label: str, color: str) -> Markup:
    """`rows` are (label, value); values are drawn to scale against the largest."""
    rows = [(name, Decimal(value)) for name, value in rows]
    largest = max((value for _, value in rows), default=Decimal(0)) or Decimal(1)
    height = ROW * len(rows) + 4
    summary = "; ".join(f"{name} {_number(value)} {unit}" for name, value in rows)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
             f'role="img" aria-label="{escape(label)}: {escape(summary)}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for i, (name, value) in enumerate(rows):
        top = i * ROW
        share = float(value / largest)
        bar = max(2, round(share * (WIDTH - 110)))
        parts.append(
            f'<text x="0" y="{top + 16}" class="chart-label">{escape(name)}</text>'
            f'<rect x="0" y="{top + 24}" width="{bar}" height="{BAR_HEIGHT}" rx="3" fill="{color}"/>'
            f'<text x="{bar + 8}" y="{top + 36}" class="chart-value">{escape(_number(value))}'
            f' <tspan class="chart-unit">{escape(unit)}</tspan></text>')
    parts.append("</svg>")
    return Markup("".join(parts))
