"""The score bands: defined once in Python; the dashboard's table, legend, chart and map read them from the server."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from analytics.asset_sales import fleet_benchmarks
from analytics.score_bands import SCORE_BANDS, score_band, score_bands_for_pages
from analytics.tests.test_views import RANGE, build_fleet

ROOT = Path(settings.BASE_DIR)
PAGE_FILES = [
    ROOT / "static/portal/charts.js",
    ROOT / "static/portal/dashboard.js",
    ROOT / "static/portal/portal.css",
    ROOT / "templates/analytics/dashboard.html",
]


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (0.0, "0-20"),
        (19.99, "0-20"),
        (20.0, "20-40"),
        (39.999, "20-40"),
        (40.0, "40-60"),
        (59.5, "40-60"),
        (60.0, "60-80"),
        (79.99, "60-80"),
        (80.0, "80-100"),
        (99.99, "80-100"),
        (100.0, "80-100"),  # the top of the scale is in the top band
    ],
)
def test_a_score_falls_in_the_band_whose_lower_bound_it_reaches(score, label):
    assert score_band(score).label == label


def test_the_bands_run_from_0_to_100_in_fifths_without_gaps():
    assert [(band.low, band.high) for band in SCORE_BANDS] == [(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)]
    assert all(
        re.fullmatch(r"#[0-9a-f]{6}", colour) for band in SCORE_BANDS for colour in (band.colour, band.text_colour)
    )


def test_the_report_counts_active_devices_per_band():
    rows = [
        {"total_revenue": 1, "daily_revenue": 1, "total_units": 1, "performance_score": score}
        for score in (0.0, 19.99, 20.0, 80.0, 100.0)
    ] + [{"total_revenue": 0, "daily_revenue": 0, "total_units": 0, "performance_score": 50.0}]  # not active

    distribution = fleet_benchmarks(rows)["performance_distribution"]

    assert distribution == {"0-20": 2, "20-40": 1, "40-60": 0, "60-80": 0, "80-100": 2}


def test_the_pages_javascript_css_and_template_hold_no_band_of_their_own():
    for path in PAGE_FILES:
        text = path.read_text().lower()
        assert "band-" not in text, path.name  # no per-band class or colour variable
        for band in SCORE_BANDS:
            assert band.label not in text, (path.name, band.label)
            assert f"{band.low}–{band.high}" not in text, (path.name, band.label)
            # The stylesheet may share a colour with a band (danger is red too); the script and the template may not.
            if path.suffix != ".css":
                assert band.colour not in text, (path.name, band.colour)


def test_the_dashboard_gives_the_page_the_bands_and_colours_each_score_by_its_band(client, manager, db):
    build_fleet(4)
    client.force_login(manager)

    response = client.get(reverse("analytics:dashboard"), RANGE)

    html = response.content.decode()
    sent = json.loads(re.search(r'<script id="score-bands" type="application/json">(.*?)</script>', html).group(1))
    assert sent == score_bands_for_pages()
    assert [band["label"] for band in sent] == ["0-20", "20-40", "40-60", "60-80", "80-100"]
    legend = re.search(r'<ul class="legend"[^>]*id="score-legend">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r"background: (#[0-9a-f]{6})", legend) == [band.colour for band in SCORE_BANDS]
    table, points = response.context["table_page"], response.context["map"]["points"]
    assert (len(table), len(points)) == (4, 4)  # every device, in the table and on the map
    for row in table:
        band = score_band(row["performance_score"])
        badge = f'style="background: {band.colour}; color: {band.text_colour}">{row["performance_score"]:.1f}<'
        assert badge in html
    for point in points:
        assert point["band"] == score_band(point["score"]).label
