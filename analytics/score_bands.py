"""The performance score's bands: where each starts and ends, and its colours.

The one definition the report's score distribution, the dashboard's table, legend, chart and map
read; the pages get it from the server (``score_bands_for_pages``), so neither the templates nor the
JavaScript hold a threshold or a colour of their own.
"""

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ScoreBand:
    """Scores from ``low`` (inclusive) to ``high`` (exclusive; 100 itself falls in the top band)."""

    low: int
    high: int
    colour: str  # the band's fill: table badge, legend swatch, chart bar, map marker
    text_colour: str  # a score written on ``colour``, readable on it

    @property
    def label(self) -> str:
        """The band's name in the API (``performance_distribution``'s keys) and on the pages."""
        return f"{self.low}-{self.high}"


SCORE_BANDS = (
    ScoreBand(0, 20, colour="#c8372d", text_colour="#ffffff"),
    ScoreBand(20, 40, colour="#e8772e", text_colour="#ffffff"),
    ScoreBand(40, 60, colour="#e3b53a", text_colour="#1b2430"),
    ScoreBand(60, 80, colour="#7cb342", text_colour="#ffffff"),
    ScoreBand(80, 100, colour="#2e7d32", text_colour="#ffffff"),
)


def score_band(score: float) -> ScoreBand:
    """The band ``score`` falls in: lower bound inclusive, 100 (and anything above) in the top band.

    A score below the first band's lower bound (or not a number) falls in the first band.
    """
    if not math.isnan(score):
        for band in SCORE_BANDS:
            if score < band.high:
                return band
        return SCORE_BANDS[-1]
    return SCORE_BANDS[0]


def score_bands_for_pages() -> list[dict]:
    """The bands as the pages' JavaScript reads them (``json_script``): label, bounds and colours, lowest first."""
    return [{"label": band.label, **asdict(band)} for band in SCORE_BANDS]
