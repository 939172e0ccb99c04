import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string

from waymark.core.charts import (
    ChartError,
    Series,
    bar_chart_svg,
    chart_table,
    line_chart_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</title><script>alert(1)</script>"
MONTHS = [dt.date(2026, month, 1) for month in range(1, 13)]


def context_and_area() -> list[Series]:
    here = [9, 7, 8, None, 6, 5, 3, 6, None, 5, 0, 0]
    area = [40, 42, 38, 45, 39, 41, 37, 36, 35, 38, 34, 33]
    return [
        Series(name=f"Market Street {HOSTILE}", points=list(zip(MONTHS, here, strict=True))),
        Series(name="Surrounding area", points=list(zip(MONTHS, area, strict=True))),
    ]


def line_chart(title: str = "Concerns by month") -> str:
    return line_chart_svg(
        title=title,
        description="Concerns at the context and in the surrounding area, month by month.",
        series=context_and_area(),
        x_title="Month",
        y_title="Concerns",
        marker_date=dt.date(2026, 6, 15),
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own charts)


def marks(root: ET.Element, kind: str) -> list[ET.Element]:
    """The drawn marks of one kind (point, bar, ...), not the key's symbols."""
    return [
        child
        for group in root.iter(f"{SVG}g")
        if f"mark-{kind} role-mark" in group.get("class", "")
        for child in group
    ]


def test_a_line_chart_is_an_image_named_by_its_title_and_description():
    root = parse(line_chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root[0], root[1]
    assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc")
    assert title.text == "Concerns by month"
    assert desc.text.startswith("Concerns at the context")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # It scales: a viewBox, no fixed size.
    assert root.get("viewBox") and root.get("width") is None and root.get("height") is None


def test_a_line_chart_draws_a_point_for_each_figure_shown_and_no_withheld_one():
    root = parse(line_chart())
    assert len(marks(root, "symbol")) == 12 + 10
    assert len(marks(root, "line")) == 2
    assert len(marks(root, "rule")) == 1  # the plan's start
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Plan started" in texts and "Jan 2026" in texts


def test_a_bar_chart_draws_and_labels_each_bar():
    svg = bar_chart_svg(
        title="Concerns before and after the plan",
        description="Six months before and six months after.",
        series=[
            Series(name="Market Street", points=[("Before", 30), ("After", None)]),
            Series(name="Surrounding area", points=[("Before", 700), ("After", 630)]),
        ],
        x_title="Period",
        y_title="Concerns",
    )
    root = parse(svg)
    assert len(marks(root, "rect")) == 3
    labels = {t.text for t in marks(root, "text")}
    assert labels == {"30", "700", "630", "fewer than 5"}


def test_hostile_text_stays_text_and_nothing_can_run_or_fetch():
    svg = line_chart(title=HOSTILE)
    root = parse(svg)
    assert root[0].text == HOSTILE
    assert "&lt;/title&gt;&lt;script&gt;" in svg
    assert any(HOSTILE in (t.text or "") for t in root.iter(f"{SVG}text"))  # the key
    tags = {element.tag for element in root.iter()}
    assert not tags & {f"{SVG}{name}" for name in ("script", "style", "foreignObject", "a")}
    for element in root.iter():
        for name, value in element.attrib.items():
            assert "href" not in name and name != "style" and not name.startswith("on")
            assert "url(" not in value and "http" not in value


def test_each_chart_has_its_own_ids():
    first, second = parse(line_chart()), parse(line_chart())
    assert first[0].get("id") != second[0].get("id")


@pytest.mark.parametrize(
    ("series", "message"),
    [
        ([], "at least one series"),
        ([Series(name=str(i), points=[(MONTHS[0], 1)]) for i in range(5)], "at most 4 series"),
        ([Series(name="Here", points=[("Before", 1)])], "points are dated"),
        ([Series(name="Here", points=[(MONTHS[0], float("nan"))])], "is not a number"),
        ([Series(name="Here", points=[(MONTHS[0], 1)])] * 2, "its own name"),
    ],
)
def test_figures_that_cannot_be_drawn_are_refused(series, message):
    with pytest.raises(ChartError, match=message):
        line_chart_svg(title="t", description="d", series=series, x_title="x", y_title="y")


def test_the_table_beside_a_chart_holds_the_same_figures():
    table = chart_table(caption="Concerns by month", series=context_and_area(), x_title="Month")
    assert table.headings == ["Month", f"Market Street {HOSTILE}", "Surrounding area"]
    assert table.rows[0] == ["Jan 2026", "9", "40"]
    assert table.rows[3] == ["Apr 2026", "fewer than 5", "45"]
    html = render_to_string("core/_chart.html", {"svg": line_chart(), "table": table})
    assert "<svg" in html and "<script>" not in html
    assert "Market Street &lt;/title&gt;" in html
    assert html.count('scope="row"') == 12
