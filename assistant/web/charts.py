"""Small SVG charts drawn on the server: trend lines, bars and an hour × weekday heatmap.

No charting dependency and no script: plain SVG markup with presentation attributes only (the pages'
CSP forbids inline styles and scripts), every number also in a ``<title>`` so a reader can hover it,
and every text escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2")
FONT = 'font-family="PingFang SC, Noto Sans CJK SC, Microsoft YaHei, sans-serif"'


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" {FONT} font-size="11">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"


class _Frame:
    """The plot area of a chart: margins, the top of the value scale and where a value sits."""

    def __init__(
        self, width: int, height: int, bottom: int, values: Sequence[float | None], y_max: float | None
    ) -> None:
        self.left, self.end, self.top = 44, width - 12, 28
        self.plot_w, self.plot_h = self.end - self.left, height - self.top - bottom
        present = [v for v in values if v is not None]
        self.top_value = y_max if y_max is not None else (max(present) if present else 1.0) or 1.0

    def y(self, value: float) -> float:
        return self.top + self.plot_h - self.plot_h * min(value, self.top_value) / self.top_value

    def title(self, text: str) -> str:
        return f'<text x="{self.left}" y="16" font-size="13" fill="#111">{escape(text)}</text>'


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    y_max: float | None = None,
    unit: str = "",
    width: int = 640,
    height: int = 240,
) -> str:
    """One polyline per series over shared x labels (a None breaks the line)."""
    bottom = 36
    frame = _Frame(width, height, bottom, [v for s in series.values() for v in s], y_max)
    left, right, plot_w, top_value, y = frame.left, 12, frame.plot_w, frame.top_value, frame.y
    n = max(len(x_labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    body = [frame.title(title)]
    for step in range(5):
        value = top_value * step / 4
        yy = y(value)
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e5e7eb"/>')
        body.append(
            f'<text x="{left - 4}" y="{yy + 4:.1f}" text-anchor="end" fill="#6b7280">{_fmt(value)}{escape(unit)}</text>'
        )
    every = max(1, n // 10)
    for i, label in enumerate(x_labels):
        if i % every == 0:
            body.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 14}" text-anchor="middle" fill="#6b7280">'
                f"{escape(label)}</text>"
            )
    for index, (name, points) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, v in enumerate(points):
            if v is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
            body.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(name)} {escape(x_labels[i])}: {_fmt(v)}{escape(unit)}</title></circle>"
            )
        for run in runs:
            if len(run) > 1:
                body.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
        lx = left + index * 130
        body.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{colour}"/>')
        body.append(f'<text x="{lx + 14}" y="{height - 5}" fill="#374151">{escape(name)}</text>')
    return _svg(width, height, title, body)


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    marks: Sequence[tuple[float, str]] = (),
    y_max: float | None = None,
    unit: str = "",
    width: int = 640,
    height: int = 240,
    keys: Sequence[str] | None = None,
) -> str:
    """Vertical bars, one per label, with optional horizontal marks (the bonus bands' thresholds). With
    ``keys`` (one per label) each bar carries ``data-key`` and the class ``drill``: the page opens what
    is behind the bar when it is clicked."""
    bottom = 40
    frame = _Frame(width, height, bottom, values, y_max)
    left, right, top, plot_h, y = frame.left, 12, frame.top, frame.plot_h, frame.y
    slot = frame.plot_w / max(len(labels), 1)
    bar = min(48.0, slot * 0.7)

    body = [frame.title(title)]
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#9ca3af"/>'
    )
    for mark, label in marks:
        yy = y(mark)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#d97706" '
            f'stroke-dasharray="4 3"/>'
        )
        body.append(
            f'<text x="{width - right}" y="{yy - 3:.1f}" text-anchor="end" fill="#b45309">{escape(label)}</text>'
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        cx = left + slot * i + slot / 2
        body.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 14}" text-anchor="middle" fill="#374151">{escape(label)}</text>'
        )
        if value is None:
            body.append(
                f'<text x="{cx:.1f}" y="{top + plot_h - 4}" text-anchor="middle" fill="#9ca3af">—</text>'
            )
            continue
        yy = y(value)
        drill = f' class="drill" data-key="{escape(keys[i])}"' if keys is not None else ""
        body.append(
            f'<rect x="{cx - bar / 2:.1f}" y="{yy:.1f}" width="{bar:.1f}" height="{top + plot_h - yy:.1f}" '
            f'fill="{PALETTE[0]}"{drill}><title>{escape(label)}: {_fmt(value)}{escape(unit)}</title></rect>'
        )
        body.append(
            f'<text x="{cx:.1f}" y="{yy - 4:.1f}" text-anchor="middle" fill="#111">{_fmt(value)}</text>'
        )
    return _svg(width, height, title, body)


def heatmap(
    title: str,
    grid: Sequence[Sequence[float]],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    unit: str = "",
    cell: int = 22,
) -> str:
    """Rows × columns of shaded cells, darker for more (the hour × weekday of consultations)."""
    left, top = 40, 28
    width = left + cell * len(col_labels) + 8
    height = top + cell * len(row_labels) + 22
    peak = max((v for row in grid for v in row), default=0) or 1
    body = [f'<text x="{left}" y="16" font-size="13" fill="#111">{escape(title)}</text>']
    for r, (label, row) in enumerate(zip(row_labels, grid, strict=True)):
        yy = top + r * cell
        body.append(
            f'<text x="{left - 4}" y="{yy + cell * 0.65:.1f}" text-anchor="end" fill="#374151">{escape(label)}</text>'
        )
        for c, value in enumerate(row):
            share = value / peak
            # from near white to the palette's blue
            red, green, blue = (int(255 - (255 - t) * share) for t in (37, 99, 235))
            body.append(
                f'<rect x="{left + c * cell}" y="{yy}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="#{red:02x}{green:02x}{blue:02x}"><title>{escape(label)} {escape(col_labels[c])}: '
                f"{_fmt(value)}{escape(unit)}</title></rect>"
            )
    for c, label in enumerate(col_labels):
        if c % 2 == 0:
            body.append(
                f'<text x="{left + c * cell + cell / 2 - 1:.1f}" y="{height - 6}" text-anchor="middle" '
                f'fill="#6b7280">{escape(label)}</text>'
            )
    return _svg(width, height, title, body)
