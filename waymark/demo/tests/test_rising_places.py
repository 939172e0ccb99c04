"""The demo town's planted rising places are what emerging hot spot analysis finds.

The analysis is the Places page's default: every concern with a place over the twelve months to
the latest one, monthly slices ending on that day, H3 resolution 9 with one ring, 95% after the
Benjamini-Hochberg correction.
"""

import datetime

import numpy as np
import pytest

from waymark.analytics.emerging import emerging_hotspots, months_back
from waymark.analytics.hotspots import bin_points
from waymark.concerns.models import Concern
from waymark.contexts.models import Place
from waymark.demo.generator import demo_ensure
from waymark.demo.truths import demo_truths

pytestmark = pytest.mark.django_db

RISING = {"new hot spot", "intensifying hot spot"}


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.WAYMARK_DEMO = True


def test_the_rising_places_are_new_or_intensifying_hot_spots():
    demo_ensure(seed=7, scale=0.25)
    truths = demo_truths()
    rows = list(
        Concern.objects.filter(place__isnull=False).values_list(
            "place__latitude", "place__longitude", "occurred_on"
        )
    )
    last_day = max(r[2] for r in rows)
    end = np.datetime64(last_day, "D")
    start = months_back(end + 1, np.array([12]))[0].astype(datetime.date)
    points = [r for r in rows if start <= r[2] <= last_day]
    result = emerging_hotspots(
        np.array([r[0] for r in points]),
        np.array([r[1] for r in points]),
        np.array([r[2] for r in points], dtype="datetime64[D]"),
        interval="month",
        resolution=9,
        k=1,
        alpha=0.05,
        end=end,
    )
    column = {cell: i for i, cell in enumerate(result.cells.tolist())}

    for name, pk in zip(truths.rising_places, truths.rising_place_ids, strict=True):
        place = Place.objects.get(pk=pk)
        i = column[bin_points([place.latitude], [place.longitude], 9)[0]]
        planted = "new hot spot" if name in truths.sudden_places else "intensifying hot spot"
        months = "".join("H" if hot else "." for hot in result.hot[:, i])
        assert result.category[i] == planted, f"{name}: hot in months {months}"
        assert result.p_fdr[-1, i] < 0.05

    # For contrast: the rest of the town is not rising, so few areas are.
    rising_share = sum(c in RISING for c in result.category) / len(result.category)
    assert rising_share <= 0.05


def test_the_places_page_shows_the_rising_places(client):
    """The same through the Places page's selectors and page, as a practitioner sees it."""
    from waymark.accounts.models import User
    from waymark.contexts.place_analysis.filters import AnalysisFilters, analysis_default_period
    from waymark.contexts.place_analysis.hotspots import place_analysis
    from waymark.contexts.place_analysis.points import places_per_cell

    demo_ensure(seed=7, scale=0.25)
    truths = demo_truths()
    start, end = analysis_default_period()
    analysis = place_analysis(filters=AnalysisFilters(date_from=start, date_to=end))
    rows = {row.cell: row for row in analysis.rows}
    per_cell = places_per_cell(resolution=9)
    cell_of = {pk: cell for cell, pks in per_cell.items() for pk in pks}
    for name, pk in zip(truths.rising_places, truths.rising_place_ids, strict=True):
        row = rows[cell_of[pk]]
        planted = "new hot spot" if name in truths.sudden_places else "intensifying hot spot"
        assert row.trend == planted, name
        # Hot at 95% after FDR in the latest month (the page's slices are at 95% by default).
        assert analysis.hot is not None
        assert analysis.hot.hot[-1, analysis.hot.cells.tolist().index(row.cell)], name
        # As published, the latest month is hot, or withheld under the suppression rule.
        assert analysis.slice_classes()[row.cell][-1] in (1, None), name
    client.force_login(User.objects.get(username="practitioner"))
    body = client.get("/places/at-risk/?sort=trend&order=ascending").content.decode()
    for pk in truths.rising_place_ids:
        assert f"/places/at-risk/areas/{cell_of[pk]}/" in body
