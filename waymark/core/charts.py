"""Charts drawn on the server as accessible SVG, to inline in a page (docs/adr/0013).

A chart is a Vega-Lite specification built here, with its data inline, rendered to SVG by
vl-convert (no browser, no network: its fonts are built in) and then made fit for a page:

- the root is `role="img"`, named and described by a `<title>` and a `<desc>`, its first
  children, through `aria-labelledby` (ids unique to each chart); the marks inside carry no
  roles or labels of their own, since an image's children are not read out;
- it has a `viewBox` and no width or height, so it scales to its container (`.wm-chart`);
- nothing in it can run or fetch: no script, no style element or attribute, no event handler
  and no link. The page's Content-Security-Policy has `style-src 'self'` without
  'unsafe-inline', which blocks `style="..."` attributes and `<style>` elements in inline SVG
  as anywhere else; vl-convert draws with presentation attributes (`fill="#1d70b8"`), which are
  not CSS declarations and are allowed, and any style attribute is removed anyway.

Text a user typed (a place's name, a series' name, a title) goes into the specification as data
or plain strings, never as field names or expressions, and the SVG is parsed and serialised
again with an XML library, so every piece of text in it is escaped text, whatever it contains.

Every chart has a table of the same figures beside it (`chart_table`, and the
`core/_chart.html` include shows both): a reader who cannot see the chart loses nothing.
A value of None is a count withheld by Waymark's suppression rule: the chart leaves it out (a
gap in a line, "fewer than 5" in place of a bar) and the table says "fewer than 5". Callers
apply the rule; charts only show what they are given.

Rendering takes tens of milliseconds (30 to 60 ms on an idle 2-core machine); the first chart
in a process also starts vl-convert's JavaScript engine, 1 to 3 s. Nothing is rendered or
cached at import time.
"""

import datetime as dt
import math
import secrets
import xml.etree.ElementTree as ET  # nosec B405 (parses only vl-convert's own output)
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import vl_convert
from django.utils.safestring import SafeString, mark_safe

from waymark.core.suppression import FEWER_THAN

SVG_NS = "http://www.w3.org/2000/svg"

# GOV.UK Design System colours, in the order series take them. Each has a contrast of at least
# 4.5:1 against white, more than the 3:1 that WCAG asks of graphics. Lines also differ in dash
# and point shape, so colour is never the only way to tell series apart.
COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#505a5f")
SHAPES = ("circle", "square", "triangle-up", "diamond")
DASHES = ([1, 0], [6, 3], [2, 2], [8, 3, 2, 3])
TEXT_COLOUR = "#0b0c0c"
# Waymark's font stack. vl-convert measures text with the Liberation Sans it carries, which has
# the metrics of Arial and Helvetica, so labels are laid out as browsers will draw them.
FONT = "arial, helvetica, sans-serif"
WIDTH, HEIGHT = 600, 300

_UNSAFE_ELEMENTS = {"script", "style", "foreignObject", "a", "image", "use", "iframe"}


class ChartError(ValueError):
    """The figures cannot be drawn as asked."""


@dataclass(frozen=True)
class Series:
    """One line, or one bar in each group: its name (shown in the key) and its points.

    In a line chart each point is (date, value); in a bar chart it is (group label, value).
    None is a withheld count (see the module docstring).
    """

    name: str
    points: Sequence[tuple[dt.date | str, float | None]]


@dataclass(frozen=True)
class ChartTable:
    """The figures of a chart as a table: a caption, column headings, and rows of text."""

    id: str
    caption: str
    headings: list[str]
    rows: list[list[str]]


def _new_id() -> str:
    return f"chart-{secrets.token_hex(6)}"


def _check_series(series: Sequence[Series], *, x_kind: type) -> None:
    if not series:
        raise ChartError("A chart needs at least one series")
    if len(series) > len(COLOURS):
        raise ChartError(f"A chart shows at most {len(COLOURS)} series, not {len(series)}")
    names = [s.name for s in series]
    if len(set(names)) != len(names):
        raise ChartError("Each series in a chart needs its own name")
    for s in series:
        if not s.points:
            raise ChartError(f"The series {s.name!r} has no points")
        for x, y in s.points:
            if x_kind is dt.date and (not isinstance(x, dt.date) or isinstance(x, dt.datetime)):
                raise ChartError(f"A line chart's points are dated: {x!r} in {s.name!r} is not")
            if x_kind is str and not isinstance(x, str):
                raise ChartError(f"A bar chart's points are labelled: {x!r} in {s.name!r} is not")
            if y is not None and (
                isinstance(y, bool) or not isinstance(y, int | float) or not math.isfinite(y)
            ):
                raise ChartError(f"{y!r} in {s.name!r} is not a number")


def _whole(series: Sequence[Series]) -> bool:
    return all(float(y).is_integer() for s in series for _, y in s.points if y is not None)


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "aria": False,
        "background": "white",
        "view": {"stroke": None},
        "axis": {
            "labelColor": TEXT_COLOUR,
            "titleColor": TEXT_COLOUR,
            "labelFontSize": 13,
            "titleFontSize": 14,
            "titleFontWeight": "normal",
            "domainColor": TEXT_COLOUR,
            "tickColor": TEXT_COLOUR,
            "gridColor": "#b1b4b6",
        },
        "legend": {
            "labelColor": TEXT_COLOUR,
            "labelFontSize": 14,
            "orient": "bottom",
            "direction": "horizontal",
            "title": None,
            "symbolSize": 120,
            "labelLimit": 0,
        },
        "text": {"color": TEXT_COLOUR, "fontSize": 13},
    }


def _y_axis(series: Sequence[Series], y_title: str) -> dict[str, Any]:
    axis: dict[str, Any] = {"title": y_title, "grid": True}
    if _whole(series):
        axis |= {"format": "d", "tickMinStep": 1}
    return {"field": "y", "type": "quantitative", "axis": axis, "scale": {"zero": True}}


def _series_scale(series: Sequence[Series]) -> dict[str, Any]:
    names = [s.name for s in series]
    return {"domain": names, "range": list(COLOURS[: len(names)])}


def line_chart_svg(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    x_title: str,
    y_title: str,
    marker_date: dt.date | None = None,
    marker_label: str = "Plan started",
    date_format: str = "%b %Y",
) -> SafeString:
    """A line for each series over time, with an optional dated marker (the plan's start).

    `date_format` is used by the axis and by `chart_table`: keep to directives that d3 and
    strftime share (%d %m %b %B %y %Y).
    """
    _check_series(series, x_kind=dt.date)
    names = [s.name for s in series]
    values = [
        {"series": s.name, "x": x.isoformat(), "y": y}  # type: ignore[union-attr]
        for s in series
        for x, y in sorted(s.points, key=lambda point: point[0])
    ]
    x_encoding = {
        "field": "x",
        "type": "temporal",
        "title": x_title,
        "scale": {"type": "utc"},
        "axis": {"format": date_format, "labelAngle": 0, "grid": False},
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": values},
            "mark": {
                "type": "line",
                "point": {"filled": True, "size": 70},
                "strokeWidth": 3,
                "invalid": "break-paths-show-domains",
            },
            "encoding": {
                "x": x_encoding,
                "y": _y_axis(series, y_title),
                "color": {"field": "series", "type": "nominal", "scale": _series_scale(series)},
                "shape": {
                    "field": "series",
                    "type": "nominal",
                    "scale": {"domain": names, "range": list(SHAPES[: len(names)])},
                },
                "strokeDash": {
                    "field": "series",
                    "type": "nominal",
                    "scale": {"domain": names, "range": list(DASHES[: len(names)])},
                },
            },
        }
    ]
    if marker_date is not None:
        marker = {"values": [{"x": marker_date.isoformat(), "label": marker_label}]}
        layers += [
            {
                "data": marker,
                "mark": {"type": "rule", "color": TEXT_COLOUR, "strokeDash": [4, 4]},
                "encoding": {"x": x_encoding},
            },
            {
                "data": marker,
                "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 5, "y": 2},
                "encoding": {"x": x_encoding, "text": {"field": "label"}},
            },
        ]
    spec = {"width": WIDTH, "height": HEIGHT, "layer": layers, "config": _config()}
    return _render(spec, title=title, description=description)


def bar_chart_svg(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    x_title: str,
    y_title: str,
) -> SafeString:
    """Grouped bars: one group for each label (say "Before" and "After"), one bar in each group
    for each series (say the context and the surrounding area), each bar labelled with its
    value. Groups are in the order of their first appearance."""
    _check_series(series, x_kind=str)
    groups = list(dict.fromkeys(str(x) for s in series for x, _ in s.points))
    whole = _whole(series)
    values = [
        {
            "series": s.name,
            "x": x,
            "y": 0 if y is None else y,
            "label": FEWER_THAN if y is None else (f"{y:,.0f}" if whole else f"{y:,.1f}"),
            "withheld": y is None,
        }
        for s in series
        for x, y in s.points
    ]
    x_encoding = {
        "field": "x",
        "type": "nominal",
        "title": x_title,
        "sort": groups,
        "axis": {"labelAngle": 0},
    }
    offset = {"field": "series", "type": "nominal", "sort": [s.name for s in series]}
    y_encoding = _y_axis(series, y_title)
    spec = {
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": values},
        "encoding": {"x": x_encoding, "xOffset": offset, "y": y_encoding},
        "layer": [
            {
                "transform": [{"filter": "!datum.withheld"}],
                "mark": {"type": "bar"},
                "encoding": {
                    "color": {
                        "field": "series",
                        "type": "nominal",
                        "scale": _series_scale(series),
                    }
                },
            },
            {
                "mark": {"type": "text", "baseline": "bottom", "dy": -3},
                "encoding": {"text": {"field": "label"}},
            },
        ],
        "config": _config(),
    }
    return _render(spec, title=title, description=description)


def _value_text(y: float | None) -> str:
    if y is None:
        return FEWER_THAN
    return f"{y:,.0f}" if float(y).is_integer() else f"{y:,.1f}"


def chart_table(
    *, caption: str, series: Sequence[Series], x_title: str, date_format: str = "%b %Y"
) -> ChartTable:
    """The figures of a chart, for the table beside it: a row for each date or group, a column
    for each series. Withheld counts read "fewer than 5"; a series with no point at a row's date
    or group has an empty cell."""
    keys: list[dt.date | str] = list(dict.fromkeys(x for s in series for x, _ in s.points))
    if keys and all(isinstance(k, dt.date) for k in keys):
        keys.sort(key=lambda k: k.isoformat() if isinstance(k, dt.date) else k)
    by_series = [dict(s.points) for s in series]
    rows = [
        [
            key.strftime(date_format) if isinstance(key, dt.date) else key,
            *(_value_text(points[key]) if key in points else "" for points in by_series),
        ]
        for key in keys
    ]
    return ChartTable(
        id=_new_id(), caption=caption, headings=[x_title, *(s.name for s in series)], rows=rows
    )


def _render(spec: dict[str, Any], *, title: str, description: str) -> SafeString:
    svg = vl_convert.vegalite_to_svg(spec)
    return _accessible(svg, title=title, description=description)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _accessible(svg: str, *, title: str, description: str) -> SafeString:
    """The rendered SVG made safe to inline, scalable, and named for assistive technology."""
    # vl-convert's output, not user input: user text in it is already escaped XML text.
    root = ET.fromstring(svg)  # noqa: S314  # nosec B314
    for parent in root.iter():
        for child in list(parent):
            if _local(child.tag) in _UNSAFE_ELEMENTS:
                parent.remove(child)
    for element in root.iter():
        # Plain SVG names, the namespace declared once on the root, as HTML pages write it.
        element.tag = _local(element.tag)
        for name in list(element.attrib):
            local = _local(name).lower()
            if local in {"style", "role", "href"} or local.startswith(("on", "aria-")):
                del element.attrib[name]
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    chart_id = _new_id()
    root.set("xmlns", SVG_NS)
    root.set("class", "wm-chart")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    title_element = ET.Element("title", {"id": f"{chart_id}-title"})
    title_element.text = title
    desc_element = ET.Element("desc", {"id": f"{chart_id}-desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    markup = ET.tostring(root, encoding="unicode")
    # Serialised by the XML library from parsed elements: every text and attribute is escaped.
    return mark_safe(markup)  # noqa: S308  # nosec B308 B703
