"""The chart of proven coverage floors across rounds (issue 13 item 2): inline SVG, no
library, readable without colour — each series has its own marker shape and dash pattern
and is named at its last point; a table below gives the same numbers as text."""

from decimal import Decimal

from zksolv.site.markup import Raw, el

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 215, 16, 40
MARKERS = ("circle", "square", "triangle", "diamond", "cross")
DASHES = (None, "6 3", "2 3", "8 3 2 3", "1 5")
FIRM = "firm-wide"


def series(rounds) -> dict[str, list[Decimal | None]]:
    """{name: floor % per round (None where the round has no such statement)}: each asset's
    proven coverage floor, and for margin rounds the firm-wide floor."""
    names = sorted({a.name for r in rounds for a in r.assets})
    out = {n: [next((Decimal(a.floor_percent) for a in r.assets if a.name == n), None) for r in rounds]
           for n in names}
    if any(r.margin for r in rounds):
        out[FIRM] = [Decimal(r.margin.firm_percent) if r.margin else None for r in rounds]
    return out


def svg(rounds) -> Raw:
    data = series(rounds)
    values = [v for vs in data.values() for v in vs if v is not None]
    low, high = min(values + [Decimal(100)]), max(values)
    span = max(high - low, Decimal(10))
    low, high = low - span / 10, high + span / 10
    count = len(rounds)

    def x(k):
        return LEFT + (WIDTH - LEFT - RIGHT) * (Decimal(k) / (count - 1) if count > 1 else Decimal("0.5"))

    def y(v):
        return TOP + (HEIGHT - TOP - BOTTOM) * (high - v) / (high - low)
    parts = [_axes(low, high, y, rounds, x)]
    for k, (name, vs) in enumerate(data.items()):
        parts.append(_line(vs, x, y, MARKERS[k % len(MARKERS)], DASHES[k % len(DASHES)]))
    parts.append(_labels(data, x, y, count))
    return el("svg", {"class": "chart", "viewbox": f"0 0 {WIDTH} {HEIGHT}", "role": "img",
                      "aria-labelledby": "chart-title"},
              el("title", {"id": "chart-title"}, "Proven coverage floor (%) of each asset, per round"), parts)


def _axes(low, high, y, rounds, x) -> Raw:
    ticks = []
    for t in _ticks(low, high):
        ticks.append(el("line", {"x1": LEFT, "x2": WIDTH - RIGHT, "y1": _n(y(t)), "y2": _n(y(t)), "class": "grid"}))
        ticks.append(el("text", {"x": LEFT - 6, "y": _n(y(t) + 4), "text-anchor": "end"}, f"{t} %"))
    for k, r in enumerate(rounds):
        ticks.append(el("text", {"x": _n(x(k)), "y": HEIGHT - BOTTOM + 18, "text-anchor": "middle"},
                        r.timestamp[:10]))
    ticks.append(el("line", {"x1": LEFT, "x2": LEFT, "y1": TOP, "y2": HEIGHT - BOTTOM, "class": "axis"}))
    return Raw("".join(t.text for t in ticks))


def _ticks(low, high) -> list[int]:
    step = max(1, int((high - low) / 4))
    for nice in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if nice >= step:
            step = nice
            break
    start = int(low // step + 1) * step
    return list(range(start, int(high) + 1, step))


def _line(vs, x, y, marker, dash) -> Raw:
    points = [(x(k), y(v)) for k, v in enumerate(vs) if v is not None]
    path = " ".join(f"{'M' if i == 0 else 'L'}{_n(px)},{_n(py)}" for i, (px, py) in enumerate(points))
    shapes = [_marker(marker, px, py) for px, py in points]
    return el("g", {"class": "series"},
              el("path", {"d": path, "fill": "none", "stroke-dasharray": dash}) if len(points) > 1 else None, shapes)


def _labels(data, x, y, count) -> Raw:
    """Each series named right of the chart at its latest value, with its marker's name;
    labels pushed apart vertically so that equal values stay readable."""
    rows = []
    for k, (name, vs) in enumerate(data.items()):
        last = next(v for v in reversed(vs) if v is not None)
        rows.append((y(last), f"{MARKERS[k % len(MARKERS)]}: {name} ≥ {_plain(last)} %"))
    texts, floor = [], Decimal(-100)
    for py, text in sorted(rows):
        py = max(py, floor + 15)
        floor = py
        texts.append(el("text", {"x": _n(WIDTH - RIGHT + 8), "y": _n(py + 4)}, text))
    return Raw("".join(t.text for t in texts))


def _marker(kind, px, py) -> Raw:
    cx, cy = _n(px), _n(py)
    if kind == "circle":
        return el("circle", {"cx": cx, "cy": cy, "r": 4})
    if kind == "square":
        return el("rect", {"x": _n(px - 4), "y": _n(py - 4), "width": 8, "height": 8})
    if kind == "cross":
        return el("path", {"d": f"M{_n(px - 4)},{_n(py - 4)}L{_n(px + 4)},{_n(py + 4)}"
                                f"M{_n(px - 4)},{_n(py + 4)}L{_n(px + 4)},{_n(py - 4)}", "class": "cross"})
    pts = ([(px, py - 5), (px + 5, py + 4), (px - 5, py + 4)] if kind == "triangle"
           else [(px, py - 5), (px + 5, py), (px, py + 5), (px - 5, py)])
    return el("polygon", {"points": " ".join(f"{_n(a)},{_n(b)}" for a, b in pts)})


def table(rounds) -> Raw:
    """The chart's numbers as a table (for screen readers, and to read exact values)."""
    data = series(rounds)
    head = el("tr", None, el("th", {"scope": "col"}, "Round"), [el("th", {"scope": "col"}, n) for n in data])
    rows = [el("tr", None, el("th", {"scope": "row"}, f"{r.attestation_id} ({r.timestamp[:10]})"),
               [el("td", {"class": "num"}, f"≥ {_plain(vs[k])} %" if vs[k] is not None else "—")
                for vs in data.values()])
            for k, r in enumerate(rounds)]
    return el("details", None, el("summary", None, "The same figures as a table"),
              el("div", {"class": "scroll"}, el("table", None, el("thead", None, head), el("tbody", None, rows))))


def _n(v) -> str:
    return f"{float(v):.1f}"


def _plain(v: Decimal) -> str:
    text = format(v, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
