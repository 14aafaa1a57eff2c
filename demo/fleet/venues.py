"""Venue types: how the fleet spreads over them and how, when and what each one buys."""

import numpy as np

from demo.fleet.catalogue import ProductPlan
from devices.choices import VenueType

# Share of the fleet's devices at each venue type.
VENUE_SHARES = {
    VenueType.OFFICE: 0.35,
    VenueType.FACTORY: 0.15,
    VenueType.HOSPITAL: 0.12,
    VenueType.TRANSIT: 0.12,
    VenueType.SCHOOL: 0.10,
    VenueType.GYM: 0.08,
    VenueType.RETAIL: 0.08,
}
# Plans number venue types by their place here, which is VENUE_SHARES's order, so the indices ``allocate`` draws by
# those shares name the venues the shares are for.
VENUES = tuple(VENUE_SHARES)
# Average vends per device per day on a normal day. Weighted by the venue shares this is about 58; silent and new
# devices and dips bring the fleet to about 55, the operator's average.
VENUE_DAILY_VENDS = {
    VenueType.OFFICE: 57,
    VenueType.SCHOOL: 46,
    VenueType.HOSPITAL: 64,
    VenueType.GYM: 41,
    VenueType.FACTORY: 62,
    VenueType.TRANSIT: 78,
    VenueType.RETAIL: 46,
}
# Chance of each extra device (up to two) at a location: stations and hospitals often host several machines.
VENUE_EXTRA_DEVICE_CHANCE = {
    VenueType.OFFICE: 0.15,
    VenueType.SCHOOL: 0.15,
    VenueType.HOSPITAL: 0.30,
    VenueType.GYM: 0.05,
    VenueType.FACTORY: 0.25,
    VenueType.TRANSIT: 0.35,
    VenueType.RETAIL: 0.10,
}
# Relative demand Monday..Sunday; a weekday below BUSY_DAY_LEVEL is a day the venue is mostly closed.
WEEKDAY_DEMAND = {
    VenueType.OFFICE: (1.0, 1.05, 1.05, 1.0, 0.85, 0.12, 0.08),
    VenueType.SCHOOL: (1.0, 1.0, 1.0, 1.0, 0.9, 0.04, 0.02),
    VenueType.HOSPITAL: (1.0, 1.0, 1.0, 1.0, 1.0, 0.85, 0.8),
    VenueType.GYM: (0.85, 0.8, 0.85, 0.8, 0.75, 1.3, 1.2),
    VenueType.FACTORY: (1.0, 1.0, 1.0, 1.0, 0.95, 0.5, 0.25),
    VenueType.TRANSIT: (1.0, 1.0, 1.0, 1.0, 1.1, 0.7, 0.55),
    VenueType.RETAIL: (0.8, 0.8, 0.85, 0.9, 1.1, 1.35, 1.15),
}
BUSY_DAY_LEVEL = 0.5
# Relative demand by local hour, midnight to 11 on the first line, noon to 23 on the second.
# fmt: off
_OFFICE_HOURS = (0, 0, 0, 0, 0, 0, 0.02, 0.15, 0.8, 1.1, 1.3, 1.1,
                 1.6, 1.3, 1.1, 1.4, 1.0, 0.6, 0.3, 0.1, 0.05, 0, 0, 0)
_SCHOOL_HOURS = (0, 0, 0, 0, 0, 0, 0.1, 0.6, 0.9, 0.6, 0.9, 1.3,
                 1.6, 0.8, 0.7, 1.5, 0.8, 0.3, 0.1, 0, 0, 0, 0, 0)
_SCHOOL_WEEKEND_HOURS = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.8, 1.0,
                         1.0, 0.9, 0.7, 0.4, 0.2, 0, 0, 0, 0, 0, 0, 0)
_HOSPITAL_HOURS = (0.3, 0.25, 0.2, 0.2, 0.2, 0.3, 0.6, 1.2, 1.0, 0.9, 1.0, 1.1,
                   1.4, 1.2, 1.0, 1.2, 1.0, 0.9, 1.1, 1.0, 0.8, 0.6, 0.5, 0.5)
_GYM_HOURS = (0, 0, 0, 0, 0, 0.4, 0.9, 0.9, 0.5, 0.3, 0.3, 0.4,
              0.5, 0.4, 0.3, 0.4, 0.8, 1.4, 1.7, 1.6, 1.2, 0.7, 0.3, 0)
_GYM_WEEKEND_HOURS = (0, 0, 0, 0, 0, 0, 0.3, 0.7, 1.1, 1.4, 1.5, 1.4,
                      1.2, 1.0, 0.9, 0.9, 1.0, 0.9, 0.7, 0.5, 0.3, 0.1, 0, 0)
_FACTORY_HOURS = (0.3, 0.2, 0.5, 0.3, 0.2, 0.5, 0.8, 0.5, 0.6, 1.2, 0.7, 0.8,
                  1.4, 0.8, 1.0, 0.7, 0.6, 1.2, 0.8, 0.7, 1.1, 0.6, 0.8, 0.4)
_TRANSIT_HOURS = (0.15, 0.08, 0.05, 0.05, 0.15, 0.45, 0.9, 1.6, 1.8, 1.1, 0.8, 0.8,
                  0.9, 0.8, 0.8, 1.0, 1.4, 1.8, 1.5, 0.9, 0.7, 0.5, 0.35, 0.25)
_TRANSIT_WEEKEND_HOURS = (0.25, 0.15, 0.1, 0.05, 0.05, 0.15, 0.3, 0.5, 0.7, 0.9, 1.0, 1.1,
                          1.2, 1.2, 1.2, 1.1, 1.1, 1.1, 1.0, 0.9, 0.8, 0.6, 0.45, 0.35)
_RETAIL_HOURS = (0, 0, 0, 0, 0, 0, 0, 0, 0.2, 0.6, 0.9, 1.1,
                 1.3, 1.2, 1.1, 1.1, 1.2, 1.3, 1.2, 0.9, 0.6, 0.3, 0, 0)
# fmt: on
# (weekdays, weekends) for each venue.
HOURLY_DEMAND = {
    VenueType.OFFICE: (_OFFICE_HOURS, _OFFICE_HOURS),
    VenueType.SCHOOL: (_SCHOOL_HOURS, _SCHOOL_WEEKEND_HOURS),
    VenueType.HOSPITAL: (_HOSPITAL_HOURS, _HOSPITAL_HOURS),
    VenueType.GYM: (_GYM_HOURS, _GYM_WEEKEND_HOURS),
    VenueType.FACTORY: (_FACTORY_HOURS, _FACTORY_HOURS),
    VenueType.TRANSIT: (_TRANSIT_HOURS, _TRANSIT_WEEKEND_HOURS),
    VenueType.RETAIL: (_RETAIL_HOURS, _RETAIL_HOURS),
}
# How much more (or less) a category sells at a venue than its catalogue-wide popularity says.
CATEGORY_AFFINITY = {
    VenueType.OFFICE: {"Healthy": 1.3, "Pastry": 1.2, "Beverages": 1.2, "Gum & Mints": 1.1},
    VenueType.SCHOOL: {"Snacks": 1.3, "Candy": 1.4, "Cookies": 1.3, "Healthy": 0.8, "Energy Drinks": 0.2},
    VenueType.HOSPITAL: {"Healthy": 1.2, "Pastry": 1.2, "Beverages": 1.1, "Energy Drinks": 1.1},
    VenueType.GYM: {
        "Healthy": 2.0,
        "Beverages": 1.5,
        "Energy Drinks": 1.6,
        "Candy": 0.4,
        "Pastry": 0.3,
        "Cookies": 0.4,
        "Snacks": 0.6,
    },
    VenueType.FACTORY: {"Snacks": 1.2, "Candy": 1.2, "Pastry": 1.3, "Energy Drinks": 1.5, "Healthy": 0.6},
    VenueType.TRANSIT: {"Beverages": 1.3, "Gum & Mints": 1.4, "Candy": 1.1, "Snacks": 1.1},
    VenueType.RETAIL: {},
}

# Locations of these venues charge a premium, recorded as a slot price over the product price.
PREMIUM_VENUES = {VenueType.TRANSIT: 25, VenueType.HOSPITAL: 25}


def demand_weights(products: list[ProductPlan], venue: str) -> np.ndarray:
    """How much each product sells at ``venue``, relatively: its popularity times the venue's taste for its category."""
    affinity = CATEGORY_AFFINITY[venue]
    return np.array([p.popularity * affinity.get(p.category, 1.0) for p in products])
