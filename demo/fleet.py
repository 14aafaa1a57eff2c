"""A deterministic demo fleet: locations, routes and drivers, devices with cabinets and planograms, a product catalogue
and vend-level sales history.

:func:`plan_demo_fleet` draws everything from one ``numpy.random.default_rng(seed)`` in a fixed order, so the same
seed and end date give the same rows (only database ids, ``auto_now`` timestamps and password salts differ).
:func:`build_demo_fleet` writes a plan with ``bulk_create`` and, on PostgreSQL, the sales with ``COPY``.

Demo rows carry :data:`DEMO_PREFIX` in device assets, route numbers and product SKUs; :func:`flush_demo_fleet` deletes
by it. Driver accounts (``driver1``, ``driver2``, …) are reused rather than deleted, so a password or token given to
them survives a reload.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts import roles
from devices.choices import VenueType
from devices.models import Cabinet, CabinetType, Device, DeviceType, Location, Route
from planograms.models import Planogram, PlanogramSlot, Product
from sales.models import Sale
from sales.services import sales_recorded

DEMO_PREFIX = "DEMO-"
MAX_DEVICES = 99_999
MAX_DAYS = 3_660
DEVICES_PER_ROUTE = 12
CITY_CENTER = (41.8781, -87.6298)

# --- Product catalogue ------------------------------------------------------------------------------------------

CATEGORY_CODES = {
    "Snacks": "SNK",
    "Healthy": "HLT",
    "Cookies": "CKE",
    "Pastry": "PST",
    "Candy": "CND",
    "Gum & Mints": "GUM",
    "Beverages": "BEV",
    "Energy Drinks": "NRG",
}
# Inclusive spiral capacity by category: candy and gum are thin, chips and pastries bulky.
CATEGORY_CAPACITY = {
    "Snacks": (8, 12),
    "Healthy": (10, 15),
    "Cookies": (10, 14),
    "Pastry": (8, 10),
    "Candy": (14, 18),
    "Gum & Mints": (18, 24),
    "Beverages": (10, 15),
    "Energy Drinks": (10, 12),
}
CATALOGUE = {
    "Snacks": [
        ("Doritos Nacho Cheese 1.75 oz", "1.75"),
        ("Doritos Cool Ranch 1.75 oz", "1.75"),
        ("Lay's Classic 1.5 oz", "1.75"),
        ("Lay's Barbecue 1.5 oz", "1.75"),
        ("Cheetos Crunchy 2 oz", "1.75"),
        ("Flamin' Hot Cheetos 2 oz", "1.75"),
        ("Fritos Original 2 oz", "1.50"),
        ("Funyuns Onion Rings 1.25 oz", "1.50"),
        ("Ruffles Cheddar & Sour Cream 1.5 oz", "1.75"),
        ("SunChips Harvest Cheddar 1.5 oz", "1.75"),
        ("Jays Original Potato Chips 1.5 oz", "1.50"),
        ("Garrett Mix Popcorn 1.75 oz", "2.50"),
        ("Cheez-It Original 1.5 oz", "1.50"),
        ("Goldfish Cheddar 1.5 oz", "1.50"),
        ("Rold Gold Pretzel Twists 1 oz", "1.25"),
        ("Chex Mix Traditional 1.75 oz", "1.75"),
        ("Takis Fuego 2 oz", "2.00"),
        ("Pringles Original 1.3 oz", "1.75"),
        ("Kettle Brand Sea Salt 2 oz", "2.00"),
        ("Munchies Cheese Fix 1.5 oz", "1.75"),
        ("Smartfood White Cheddar Popcorn 1 oz", "1.75"),
    ],
    "Healthy": [
        ("KIND Dark Chocolate Nuts & Sea Salt", "2.50"),
        ("Nature Valley Oats 'n Honey", "1.50"),
        ("Clif Bar Chocolate Chip", "2.25"),
        ("RXBAR Chocolate Sea Salt", "2.75"),
        ("Quest Protein Bar Cookies & Cream", "3.00"),
        ("Planters Trail Mix Nuts & Chocolate", "2.00"),
        ("Blue Diamond Smokehouse Almonds", "2.00"),
        ("SkinnyPop Original Popcorn", "1.75"),
        ("Welch's Mixed Fruit Snacks", "1.25"),
        ("belVita Blueberry Breakfast Biscuits", "1.75"),
        ("Popcorners Sea Salt", "1.75"),
        ("Stacy's Simply Naked Pita Chips", "1.75"),
        ("Larabar Peanut Butter Cookie", "2.25"),
        ("Sahale Maple Pecans", "2.50"),
    ],
    "Cookies": [
        ("Chips Ahoy! 1.55 oz", "1.50"),
        ("Oreo 6-pack", "1.75"),
        ("Famous Amos Chocolate Chip", "1.50"),
        ("Grandma's Peanut Butter Cookie", "1.75"),
        ("Nutter Butter Bites", "1.50"),
        ("Keebler Fudge Stripes", "1.50"),
    ],
    "Pastry": [
        ("Pop-Tarts Frosted Strawberry", "1.75"),
        ("Pop-Tarts Brown Sugar Cinnamon", "1.75"),
        ("Hostess Honey Bun", "1.75"),
        ("Hostess CupCakes", "1.75"),
        ("Hostess Twinkies", "1.75"),
        ("Hostess Donettes Powdered", "1.75"),
        ("Little Debbie Oatmeal Creme Pie", "1.25"),
        ("Little Debbie Zebra Cakes", "1.50"),
        ("Otis Spunkmeyer Blueberry Muffin", "2.25"),
        ("Cinnabon Classic Cinnamon Roll", "2.50"),
    ],
    "Candy": [
        ("Snickers 1.86 oz", "1.75"),
        ("Twix Caramel 1.79 oz", "1.75"),
        ("M&M's Peanut 1.74 oz", "1.75"),
        ("M&M's Milk Chocolate 1.69 oz", "1.75"),
        ("Peanut Butter M&M's 1.63 oz", "1.75"),
        ("Reese's Peanut Butter Cups 1.5 oz", "1.75"),
        ("Kit Kat 1.5 oz", "1.75"),
        ("3 Musketeers 1.92 oz", "1.75"),
        ("Milky Way 1.84 oz", "1.75"),
        ("Butterfinger 1.9 oz", "1.75"),
        ("Baby Ruth 1.9 oz", "1.75"),
        ("Skittles Original 2.17 oz", "1.75"),
        ("Starburst Original 2.07 oz", "1.75"),
        ("Hershey's Milk Chocolate 1.55 oz", "1.75"),
        ("Payday 1.85 oz", "1.75"),
        ("Twizzlers Strawberry 2.5 oz", "1.75"),
        ("Sour Patch Kids 2 oz", "1.75"),
    ],
    "Gum & Mints": [
        ("Wrigley's Doublemint", "1.25"),
        ("Orbit Spearmint", "1.25"),
        ("Extra Polar Ice", "1.25"),
        ("Trident Original", "1.25"),
        ("Altoids Peppermint", "2.25"),
        ("Ice Breakers Coolmint", "2.25"),
        ("Mentos Mint Roll", "1.00"),
    ],
    "Beverages": [
        ("Coca-Cola 20 oz", "2.50"),
        ("Diet Coke 20 oz", "2.50"),
        ("Coca-Cola Zero Sugar 20 oz", "2.50"),
        ("Sprite 20 oz", "2.50"),
        ("Dr Pepper 20 oz", "2.50"),
        ("Pepsi 20 oz", "2.50"),
        ("Diet Pepsi 20 oz", "2.50"),
        ("Mountain Dew 20 oz", "2.50"),
        ("Dasani Water 20 oz", "2.00"),
        ("Aquafina Water 20 oz", "2.00"),
        ("smartwater 20 oz", "2.75"),
        ("Gatorade Fruit Punch 20 oz", "2.75"),
        ("Gatorade Cool Blue 20 oz", "2.75"),
        ("Powerade Mountain Berry Blast 20 oz", "2.50"),
        ("Minute Maid Lemonade 20 oz", "2.50"),
        ("Pure Leaf Sweet Tea 18.5 oz", "2.75"),
        ("Starbucks Frappuccino Mocha 13.7 oz", "3.50"),
        ("AriZona Green Tea 23 oz", "2.00"),
        ("bubly Lime 12 oz", "1.75"),
        ("LaCroix Pamplemousse 12 oz", "1.75"),
        ("Tropicana Orange Juice 12 oz", "3.00"),
    ],
    "Energy Drinks": [
        ("Red Bull 8.4 oz", "3.25"),
        ("Red Bull Sugarfree 8.4 oz", "3.25"),
        ("Monster Energy 16 oz", "3.50"),
        ("Celsius Sparkling Orange 12 oz", "3.25"),
        ("Bang Black Cherry Vanilla 16 oz", "3.50"),
        ("Rockstar Original 16 oz", "3.25"),
    ],
}
# Share of the catalogue that is newly listed (stocked, never sold yet) and discontinued (neither stocked nor sold).
NEW_PRODUCT_SHARE = 0.04
DISCONTINUED_PRODUCTS = 2

# --- Machines ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CabinetTypeSpec:
    """A cabinet layout and the categories merchandised in it, top row first."""

    name: str
    rows: int
    columns: int
    categories: tuple[str, ...]


@dataclass(frozen=True)
class DeviceTypeSpec:
    """A machine family: its parent cabinet, the cabinets it may add, and what the fleet's machines look like."""

    name: str
    description: str
    parent: str
    extras: tuple[str, ...]
    share: float
    cooler: str
    models: tuple[str, ...]

    @property
    def allows_additional_cabinets(self) -> bool:
        return bool(self.extras)


CABINET_TYPES = {
    spec.name: spec
    for spec in (
        CabinetTypeSpec("Snack 6x8", 6, 8, ("Snacks", "Healthy", "Cookies", "Pastry", "Candy", "Gum & Mints")),
        CabinetTypeSpec("Drink 5x6", 5, 6, ("Beverages", "Energy Drinks")),
        CabinetTypeSpec("Satellite 4x6", 4, 6, ("Healthy", "Snacks", "Cookies", "Pastry")),
    )
}
DEVICE_TYPES = (
    DeviceTypeSpec(
        name="Snack tower",
        description="Single-cabinet spiral snack merchandiser.",
        parent="Snack 6x8",
        extras=(),
        share=0.40,
        cooler="Ambient",
        models=("Crane National 187", "AMS 39 VCB", "Crane Merchant 6"),
    ),
    DeviceTypeSpec(
        name="Glassfront drink",
        description="Single-cabinet refrigerated glass-front drink machine.",
        parent="Drink 5x6",
        extras=(),
        share=0.25,
        cooler="Glass front, refrigerated",
        models=("Royal Vendors RVV 500", "Dixie-Narco 5800", "Vendo 721"),
    ),
    DeviceTypeSpec(
        name="Combo with satellite",
        description="Snack parent cabinet that drives up to two satellite cabinets.",
        parent="Snack 6x8",
        extras=("Drink 5x6", "Satellite 4x6"),
        share=0.35,
        cooler="Combo, refrigerated satellite",
        models=("Seaga INF5C", "Crane Merchant Media Combo", "AMS Sensit 3 Combo"),
    ),
)
# Of the devices whose type allows more cabinets: how many carry 1, 2 or 3.
CABINET_COUNT_SHARES = {1: 0.30, 2: 0.45, 3: 0.25}

# Slot states, by share of all slots; the rest are stocked.
MAINTENANCE_SLOT_SHARE = 0.02
UNASSIGNED_SLOT_SHARE = 0.04
SOLD_OUT_SLOT_SHARE = 0.07
# Locations of these venues charge a premium, recorded as a slot price over the product price.
PREMIUM_VENUES = {VenueType.TRANSIT: 25, VenueType.HOSPITAL: 25}

# --- Venues and demand ------------------------------------------------------------------------------------------

VENUES = (
    VenueType.OFFICE,
    VenueType.SCHOOL,
    VenueType.HOSPITAL,
    VenueType.GYM,
    VenueType.FACTORY,
    VenueType.TRANSIT,
    VenueType.RETAIL,
)
VENUE_SHARES = {
    VenueType.OFFICE: 0.35,
    VenueType.FACTORY: 0.15,
    VenueType.HOSPITAL: 0.12,
    VenueType.TRANSIT: 0.12,
    VenueType.SCHOOL: 0.10,
    VenueType.GYM: 0.08,
    VenueType.RETAIL: 0.08,
}
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

# Device histories: a few went silent in the last weeks, a few were installed within the window.
SILENT_DEVICE_SHARE = 0.04
NEW_DEVICE_SHARE = 0.03
SILENT_DAYS = (15, 28)
NEW_DEVICE_AGE_DAYS = (7, 25)
# Trend classes: growth over the whole window is exp(±0.3..0.8) for growing/declining devices.
TREND_SHARES = {"growing": 0.25, "declining": 0.25, "steady": 0.50}
# Anomalies strike only busy days: spikes (events) multiply the day, dips (jams, outages) almost empty it.
ANOMALY_DAY_CHANCE = 0.012
SPIKE_FACTOR = (3.0, 5.0)
DIP_FACTOR = (0.0, 0.05)
DAILY_NOISE_SIGMA = 0.15
DEVICE_LEVEL_SIGMA = 0.45
DOUBLE_VEND_SHARE = 0.03
# Sales are formatted and sent this many rows at a time, bounding memory for millions of rows.
SALES_CHUNK = 500_000

# --- Names and places -------------------------------------------------------------------------------------------

# (name, city, ZIP, latitude, longitude, kind); kind steers which venues a neighbourhood gets.
NEIGHBORHOODS = (
    ("Loop", "Chicago", "60603", 41.8837, -87.6289, "downtown"),
    ("River North", "Chicago", "60654", 41.8924, -87.6341, "downtown"),
    ("Streeterville", "Chicago", "60611", 41.8927, -87.6200, "downtown"),
    ("West Loop", "Chicago", "60607", 41.8826, -87.6496, "downtown"),
    ("South Loop", "Chicago", "60605", 41.8569, -87.6247, "downtown"),
    ("Gold Coast", "Chicago", "60610", 41.9058, -87.6270, "residential"),
    ("Lincoln Park", "Chicago", "60614", 41.9214, -87.6513, "residential"),
    ("Lakeview", "Chicago", "60657", 41.9434, -87.6543, "residential"),
    ("Wicker Park", "Chicago", "60622", 41.9088, -87.6796, "residential"),
    ("Logan Square", "Chicago", "60647", 41.9234, -87.7083, "residential"),
    ("Uptown", "Chicago", "60640", 41.9665, -87.6533, "residential"),
    ("Rogers Park", "Chicago", "60626", 42.0106, -87.6696, "residential"),
    ("Hyde Park", "Chicago", "60615", 41.7943, -87.5907, "residential"),
    ("Bronzeville", "Chicago", "60653", 41.8169, -87.6176, "residential"),
    ("Pilsen", "Chicago", "60608", 41.8525, -87.6614, "industrial"),
    ("Chinatown", "Chicago", "60616", 41.8523, -87.6324, "residential"),
    ("Bridgeport", "Chicago", "60608", 41.8381, -87.6511, "industrial"),
    ("Little Village", "Chicago", "60623", 41.8443, -87.7130, "industrial"),
    ("Humboldt Park", "Chicago", "60651", 41.9025, -87.7209, "residential"),
    ("Austin", "Chicago", "60644", 41.8947, -87.7654, "residential"),
    ("Englewood", "Chicago", "60621", 41.7798, -87.6456, "residential"),
    ("Chatham", "Chicago", "60619", 41.7409, -87.6124, "residential"),
    ("South Shore", "Chicago", "60649", 41.7615, -87.5760, "residential"),
    ("Beverly", "Chicago", "60643", 41.7205, -87.6721, "residential"),
    ("Albany Park", "Chicago", "60625", 41.9719, -87.7162, "residential"),
    ("Jefferson Park", "Chicago", "60630", 41.9702, -87.7615, "residential"),
    ("O'Hare", "Chicago", "60666", 41.9786, -87.9048, "airport"),
    ("Garfield Ridge", "Chicago", "60638", 41.7868, -87.7522, "airport"),
    ("Evanston", "Evanston", "60201", 42.0451, -87.6877, "suburb"),
    ("Oak Park", "Oak Park", "60302", 41.8850, -87.7845, "suburb"),
    ("Cicero", "Cicero", "60804", 41.8456, -87.7539, "industrial"),
    ("Skokie", "Skokie", "60077", 42.0324, -87.7416, "suburb"),
    ("Schaumburg", "Schaumburg", "60173", 42.0334, -88.0834, "suburb"),
    ("Naperville", "Naperville", "60540", 41.7508, -88.1535, "suburb"),
    ("Elk Grove Village", "Elk Grove Village", "60007", 42.0039, -87.9703, "industrial"),
    ("Bedford Park", "Bedford Park", "60638", 41.7681, -87.8067, "industrial"),
)
# Suburbs number their own streets; inside the city addresses follow Chicago's grid (see ``_street_address``).
SUBURB_STREETS = {
    "Evanston": ("Sherman Ave", "Church St", "Davis St", "Central St", "Chicago Ave", "Main St"),
    "Oak Park": ("Lake St", "Madison St", "Oak Park Ave", "Harlem Ave", "Chicago Ave"),
    "Cicero": ("Cermak Rd", "Cicero Ave", "Roosevelt Rd", "Laramie Ave"),
    "Skokie": ("Dempster St", "Oakton St", "Skokie Blvd", "Touhy Ave"),
    "Schaumburg": ("Golf Rd", "Woodfield Rd", "Meacham Rd", "Roselle Rd"),
    "Naperville": ("Washington St", "Ogden Ave", "Diehl Rd", "Aurora Ave"),
    "Elk Grove Village": ("Busse Rd", "Higgins Rd", "Elmhurst Rd", "Devon Ave"),
    "Bedford Park": ("Cicero Ave", "65th St", "Archer Ave", "Harlem Ave"),
}
# Chicago's grid: State and Madison are zero, 800 address numbers to the mile.
GRID_ORIGIN = (41.88203, -87.62784)
GRID_NUMBERS_PER_DEGREE = (55_240, 41_200)  # north-south, east-west at Chicago's latitude
# Streets that run the length of the city, by grid number: north-south ones by how far west of State they lie
# (addressed N or S), east-west ones by how far north (+) or south (-) of Madison (addressed E or W).
NORTH_SOUTH_STREETS = (
    ("State St", 0), ("Clark St", 100), ("Halsted St", 800), ("Racine Ave", 1200), ("Ashland Ave", 1600),
    ("Damen Ave", 2000), ("Western Ave", 2400), ("California Ave", 2800), ("Kedzie Ave", 3200), ("Pulaski Rd", 4000),
    ("Cicero Ave", 4800), ("Central Ave", 5600), ("Austin Ave", 6000), ("Narragansett Ave", 6400),
    ("Harlem Ave", 7200), ("Cumberland Ave", 8400),
)  # fmt: skip
EAST_WEST_STREETS = (
    ("Madison St", 0), ("Randolph St", 150), ("Grand Ave", 530), ("Chicago Ave", 800), ("Division St", 1200),
    ("North Ave", 1600), ("Armitage Ave", 2000), ("Fullerton Ave", 2400), ("Diversey Pkwy", 2800),
    ("Belmont Ave", 3200), ("Addison St", 3600), ("Irving Park Rd", 4000), ("Montrose Ave", 4400),
    ("Lawrence Ave", 4800), ("Foster Ave", 5200), ("Bryn Mawr Ave", 5600), ("Devon Ave", 6400), ("Touhy Ave", 7200),
    ("Howard St", 7600), ("Jackson Blvd", -300), ("Roosevelt Rd", -1200), ("Cermak Rd", -2200), ("31st St", -3100),
    ("Pershing Rd", -3900), ("47th St", -4700), ("55th St", -5500), ("63rd St", -6300), ("71st St", -7100),
    ("79th St", -7900), ("87th St", -8700), ("95th St", -9500), ("103rd St", -10300),
)  # fmt: skip
STREET_SUFFIXES = (" Ave", " St", " Rd", " Blvd", " Pkwy", " Dr")
TRANSIT_LINES = ("Blue Line", "Red Line", "Green Line", "Brown Line", "Orange Line", "Pink Line")
NEIGHBORHOOD_BIAS = {
    VenueType.OFFICE: {"downtown": 6.0, "suburb": 1.5},
    VenueType.SCHOOL: {"residential": 2.0, "suburb": 1.5, "downtown": 0.3},
    VenueType.HOSPITAL: {},
    VenueType.GYM: {"residential": 1.5, "suburb": 1.5},
    VenueType.FACTORY: {"industrial": 8.0, "downtown": 0.1},
    VenueType.TRANSIT: {"downtown": 3.0, "airport": 4.0},
    VenueType.RETAIL: {"residential": 1.5, "suburb": 1.5},
}
SURNAMES = (
    "Addams", "Armour", "Burnham", "Byrne", "Daley", "Douglas", "Field", "Franklin", "Grant", "Harris", "Hayes",
    "Kennedy", "Kinzie", "Lincoln", "Marshall", "Monroe", "Morgan", "Palmer", "Pullman", "Schwinn", "Sears",
    "Sullivan", "Swift", "Taylor", "Ward", "Washington", "Wright", "Wrigley", "Jenney", "Dearborn",
)  # fmt: skip
SAINTS = ("Anthony", "Bernard", "Elizabeth", "Joseph", "Mary", "Francis", "Luke", "Catherine", "James", "Therese")
VENUE_NAME_TEMPLATES = {
    VenueType.OFFICE: (
        "{address}",
        "{neighborhood} Corporate Center",
        "{surname} Building",
        "{neighborhood} Tech Park",
        "{street} Plaza",
    ),
    VenueType.SCHOOL: (
        "{surname} High School",
        "{surname} Elementary School",
        "{neighborhood} Academy",
        "{surname} College Prep",
        "{neighborhood} Community College",
    ),
    VenueType.HOSPITAL: (
        "{neighborhood} Medical Center",
        "St. {saint} Hospital",
        "{surname} Memorial Hospital",
        "{neighborhood} Health Clinic",
    ),
    VenueType.GYM: (
        "{neighborhood} Fitness",
        "{street} Athletic Club",
        "{neighborhood} YMCA",
        "{surname}'s Boxing Club",
        "Iron {surname} Gym",
    ),
    VenueType.FACTORY: (
        "{surname} Manufacturing",
        "{neighborhood} Distribution Center",
        "{surname} Foods Plant",
        "{surname} Steel Works",
        "{neighborhood} Logistics Hub",
    ),
    VenueType.TRANSIT: (
        "{street_short} {line} Station",
        "{street_short} {line} Station",
        "{neighborhood} Bus Terminal",
    ),
    VenueType.RETAIL: (
        "{neighborhood} Plaza",
        "{street} Shopping Center",
        "{neighborhood} Mall",
        "{surname} Hardware",
        "{neighborhood} Laundromat",
    ),
}
FIRST_NAMES = (
    "Maria", "James", "Luis", "Tanya", "Kevin", "Aisha", "Tomasz", "Grace", "Marcus", "Elena", "Darnell", "Priya",
    "Sean", "Rosa", "Andre", "Hannah", "Victor", "Keisha", "Pawel", "Nicole",
)  # fmt: skip
LAST_NAMES = (
    "Garcia", "Johnson", "Nowak", "Williams", "Hernandez", "Brown", "Kowalski", "Davis", "Lopez", "Jackson",
    "Murphy", "Patel", "Nguyen", "O'Brien", "Robinson", "Kim", "Martinez", "Walker", "Lee", "Thompson",
)  # fmt: skip


# --- The plan ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductPlan:
    """A catalogue item: ``stocked`` ones go in slots, ``sells`` ones sell (new listings are stocked but unsold)."""

    name: str
    category: str
    price_cents: int
    sku: str
    barcode: str
    popularity: float
    stocked: bool
    sells: bool


@dataclass(frozen=True)
class LocationPlan:
    """A site; its neighbourhood names the routes that pass it."""

    name: str
    address: str
    venue_type: str
    latitude: Decimal
    longitude: Decimal
    neighborhood: str


@dataclass(frozen=True)
class RoutePlan:
    """A route and the account of its driver."""

    number: str
    name: str
    driver_username: str
    driver_first_name: str
    driver_last_name: str


@dataclass(frozen=True)
class DevicePlan:
    """A machine; ``location`` and ``route`` index the plan's lists."""

    asset: str
    device_type: str
    location: int
    route: int
    cooler: str
    model: str
    serial_number: str


@dataclass(frozen=True)
class CabinetPlan:
    """Cabinet ``index`` (1 is the parent) of the device at plan index ``device``."""

    device: int
    index: int
    cabinet_type: str


@dataclass(frozen=True)
class SlotTable:
    """Every slot of the fleet as parallel arrays, grouped by cabinet (and so by device); -1 means none.

    ``price_cents`` is the slot's own price (-1: the product's), ``vend_cents`` what a vend there costs.
    """

    cabinet: np.ndarray
    device: np.ndarray
    position: list[str]
    product: np.ndarray
    capacity: np.ndarray
    quantity: np.ndarray
    par_level: np.ndarray
    price_cents: np.ndarray
    vend_cents: np.ndarray


@dataclass(frozen=True)
class SaleTable:
    """Every vend as parallel arrays, by day, then device, then time; ``sold_at`` is in Unix seconds."""

    slot: np.ndarray
    units: np.ndarray
    cash_cents: np.ndarray
    sold_at: np.ndarray


@dataclass(frozen=True)
class FleetPlan:
    """The whole demo fleet, decided but not yet written; objects refer to each other by list index."""

    start: datetime
    end: datetime
    products: list[ProductPlan]
    locations: list[LocationPlan]
    routes: list[RoutePlan]
    devices: list[DevicePlan]
    cabinets: list[CabinetPlan]
    slots: SlotTable
    sales: SaleTable


@dataclass(frozen=True)
class DemoFleetSummary:
    """What a build wrote (row counts by kind), what it flushed first, and how long it took."""

    counts: dict[str, int]
    flushed: int
    start: datetime
    end: datetime
    elapsed_seconds: float


class DemoFleetExistsError(Exception):
    """A demo fleet is already loaded and the build was not asked to flush it."""


def plan_demo_fleet(*, devices: int, days: int, seed: int, end_date: date) -> FleetPlan:
    """Decide a fleet of ``devices`` machines with sales over the ``days`` local days before ``end_date``.

    The same arguments always give the same plan. Sales run from local midnight ``days`` days before ``end_date`` up to
    (not including) local midnight starting ``end_date``, in the operator's ``TIME_ZONE``.
    """
    if not 1 <= devices <= MAX_DEVICES:
        raise ValueError(f"devices must be between 1 and {MAX_DEVICES}.")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}.")
    if seed < 0:
        raise ValueError("seed must not be negative.")
    rng = np.random.default_rng(seed)
    zone = timezone.get_default_timezone()
    first_day = end_date - timedelta(days=days)

    products = _plan_products(rng)
    venue_of_device = _allocate(rng, devices, VENUE_SHARES)
    locations, location_of_device = _plan_locations(rng, venue_of_device)
    routes, route_of_device = _plan_routes(rng, locations, location_of_device)
    device_plans, cabinets = _plan_devices(rng, location_of_device, route_of_device)
    slots = _plan_slots(rng, products, cabinets, venue_of_device)
    sales = _plan_sales(rng, products, slots, venue_of_device, first_day, days, zone)
    return FleetPlan(
        start=datetime.combine(first_day, time.min, tzinfo=zone),
        end=datetime.combine(end_date, time.min, tzinfo=zone),
        products=products,
        locations=locations,
        routes=routes,
        devices=device_plans,
        cabinets=cabinets,
        slots=slots,
        sales=sales,
    )


def _allocate(rng: np.random.Generator, n: int, shares: dict) -> np.ndarray:
    """``n`` picks among the keys of ``shares`` (as indices), in those shares exactly, in random order.

    Largest-remainder rounding rather than independent draws, so even a dozen devices get every common kind.
    """
    quotas = np.array(list(shares.values()), dtype=float) * n / sum(shares.values())
    counts = np.floor(quotas).astype(int)
    by_remainder = np.argsort(counts - quotas, kind="stable")
    counts[by_remainder[: n - counts.sum()]] += 1
    picks = np.repeat(np.arange(len(shares)), counts)
    rng.shuffle(picks)
    return picks


def _plan_products(rng: np.random.Generator) -> list[ProductPlan]:
    rows = [(category, name, price) for category, items in CATALOGUE.items() for name, price in items]
    popularity = rng.lognormal(0.0, 0.6, len(rows))
    order = rng.permutation(len(rows))
    new = set(order[: max(2, round(NEW_PRODUCT_SHARE * len(rows)))].tolist())
    discontinued = set(order[len(new) : len(new) + DISCONTINUED_PRODUCTS].tolist())
    sequence = Counter()
    products = []
    for i, (category, name, price) in enumerate(rows):
        code = CATEGORY_CODES[category]
        sequence[code] += 1
        products.append(
            ProductPlan(
                name=name,
                category=category,
                price_cents=round(Decimal(price) * 100),
                sku=f"{DEMO_PREFIX}{code}-{sequence[code]:03d}",
                barcode=_upc_a(f"0{71000 + 100 * list(CATEGORY_CODES).index(category):05d}{i + 1:05d}"),
                popularity=float(popularity[i]),
                stocked=i not in discontinued,
                sells=i not in new and i not in discontinued,
            )
        )
    return products


def _upc_a(digits11: str) -> str:
    """The 12-digit UPC-A code: the 11 digits and their check digit."""
    odd = sum(int(d) for d in digits11[0::2])
    even = sum(int(d) for d in digits11[1::2])
    return digits11 + str((10 - (3 * odd + even) % 10) % 10)


def _plan_locations(rng: np.random.Generator, venue_of_device: np.ndarray) -> tuple[list[LocationPlan], np.ndarray]:
    """Sites for the devices: each venue's devices stand one to three to a site."""
    location_of_device = np.empty(len(venue_of_device), dtype=np.int64)
    locations: list[LocationPlan] = []
    names: set[str] = set()
    for venue_index, venue in enumerate(VENUES):
        members = np.flatnonzero(venue_of_device == venue_index)
        bias = NEIGHBORHOOD_BIAS[venue]
        weights = np.array([bias.get(kind, 1.0) for *_, kind in NEIGHBORHOODS])
        placed = 0
        while placed < len(members):
            size = min(len(members) - placed, 1 + int(rng.binomial(2, VENUE_EXTRA_DEVICE_CHANCE[venue])))
            hood = NEIGHBORHOODS[rng.choice(len(NEIGHBORHOODS), p=weights / weights.sum())]
            location_of_device[members[placed : placed + size]] = len(locations)
            locations.append(_plan_location(rng, venue, hood, names))
            placed += size
    return locations, location_of_device


def _plan_location(rng: np.random.Generator, venue: str, hood: tuple, names: set[str]) -> LocationPlan:
    neighborhood, city, zip_code, latitude, longitude, _ = hood
    latitude += rng.normal(0, 0.005)
    longitude += rng.normal(0, 0.006)
    street, address = _street_address(rng, city, latitude, longitude)
    parts = {
        "address": address,
        "street": street,
        "street_short": street.removesuffix(next((s for s in STREET_SUFFIXES if street.endswith(s)), "")),
        "line": TRANSIT_LINES[rng.integers(len(TRANSIT_LINES))] if city == "Chicago" else "Metra",
        "neighborhood": neighborhood,
        "surname": SURNAMES[rng.integers(len(SURNAMES))],
        "saint": SAINTS[rng.integers(len(SAINTS))],
    }
    templates = VENUE_NAME_TEMPLATES[venue]
    name = templates[rng.integers(len(templates))].format(**parts)
    # Two sites of one name would be ambiguous on a map and in pickers, so number repeats like operators do.
    unique_name, repeat = name, 1
    while unique_name in names:
        repeat += 1
        unique_name = f"{name} #{repeat}"
    names.add(unique_name)
    return LocationPlan(
        name=unique_name,
        address=f"{address}, {city}, IL {zip_code}",
        venue_type=venue,
        latitude=Decimal(f"{latitude:.6f}"),
        longitude=Decimal(f"{longitude:.6f}"),
        neighborhood=neighborhood,
    )


def _street_address(rng: np.random.Generator, city: str, latitude: float, longitude: float) -> tuple[str, str]:
    """A street and street address for a site: on the nearest grid street inside Chicago, so the house number
    matches the coordinates; on a local street in a suburb."""
    if city != "Chicago":
        street = SUBURB_STREETS[city][rng.integers(len(SUBURB_STREETS[city]))]
        return street, f"{rng.integers(1, 30) * 100 + rng.integers(100)} {street}"
    north = round((latitude - GRID_ORIGIN[0]) * GRID_NUMBERS_PER_DEGREE[0])
    east = round((longitude - GRID_ORIGIN[1]) * GRID_NUMBERS_PER_DEGREE[1])
    # East of State there are no north-south streets in the list, so the site faces an east-west one.
    if east < 0 and rng.random() < 0.5:
        street, _ = min(NORTH_SOUTH_STREETS, key=lambda item: abs(-east - item[1]))
        return street, f"{max(1, abs(north))} {'N' if north >= 0 else 'S'} {street}"
    street, _ = min(EAST_WEST_STREETS, key=lambda item: abs(north - item[1]))
    return street, f"{max(1, abs(east))} {'E' if east >= 0 else 'W'} {street}"


def _plan_routes(rng: np.random.Generator, locations, location_of_device) -> tuple[list[RoutePlan], np.ndarray]:
    """About one route per dozen devices, each a wedge of the metro area around downtown, so routes stay local."""
    n_devices = len(location_of_device)
    n_routes = max(1, round(n_devices / DEVICES_PER_ROUTE))
    latitude = np.array([float(locations[i].latitude) for i in location_of_device])
    longitude = np.array([float(locations[i].longitude) for i in location_of_device])
    bearing = np.arctan2(latitude - CITY_CENTER[0], (longitude - CITY_CENTER[1]) * np.cos(np.radians(CITY_CENTER[0])))
    by_bearing = np.lexsort((np.arange(n_devices), location_of_device, bearing))
    route_of_device = np.empty(n_devices, dtype=np.int64)
    routes = []
    for number, members in enumerate(np.array_split(by_bearing, n_routes), start=1):
        route_of_device[members] = number - 1
        hoods = Counter(locations[location_of_device[i]].neighborhood for i in members).most_common(2)
        routes.append(
            RoutePlan(
                number=f"{DEMO_PREFIX}{100 + number}",
                name=" & ".join(hood for hood, _ in hoods),
                driver_username=f"driver{number}",
                driver_first_name=FIRST_NAMES[rng.integers(len(FIRST_NAMES))],
                driver_last_name=LAST_NAMES[rng.integers(len(LAST_NAMES))],
            )
        )
    return routes, route_of_device


def _plan_devices(
    rng: np.random.Generator, location_of_device, route_of_device
) -> tuple[list[DevicePlan], list[CabinetPlan]]:
    n_devices = len(location_of_device)
    type_of_device = _allocate(rng, n_devices, {spec.name: spec.share for spec in DEVICE_TYPES})
    expandable = np.flatnonzero([DEVICE_TYPES[t].allows_additional_cabinets for t in type_of_device])
    cabinet_count = np.ones(n_devices, dtype=np.int64)
    cabinet_count[expandable] = 1 + _allocate(rng, len(expandable), CABINET_COUNT_SHARES)
    devices, cabinets = [], []
    for i in range(n_devices):
        spec = DEVICE_TYPES[type_of_device[i]]
        model = spec.models[rng.integers(len(spec.models))]
        devices.append(
            DevicePlan(
                asset=f"{DEMO_PREFIX}{i + 1:05d}",
                device_type=spec.name,
                location=int(location_of_device[i]),
                route=int(route_of_device[i]),
                cooler=spec.cooler,
                model=model,
                serial_number=f"{model[:2].upper()}{rng.integers(10**6, 10**7)}",
            )
        )
        extras = list(spec.extras)
        if cabinet_count[i] == 2:
            extras = [extras[rng.integers(len(extras))]]
        for index, cabinet_type in enumerate([spec.parent, *extras[: cabinet_count[i] - 1]], start=1):
            cabinets.append(CabinetPlan(device=i, index=index, cabinet_type=cabinet_type))
    return devices, cabinets


def _demand_weights(products: list[ProductPlan], venue: str) -> np.ndarray:
    affinity = CATEGORY_AFFINITY[venue]
    return np.array([p.popularity * affinity.get(p.category, 1.0) for p in products])


def _plan_slots(rng: np.random.Generator, products, cabinets, venue_of_device) -> SlotTable:
    """Fill each cabinet's grid with products that sell at its venue, then give slots stock and odd states."""
    category_of = np.array([p.category for p in products])
    stocked = np.array([p.stocked for p in products])
    demand_by_venue = [_demand_weights(products, venue) for venue in VENUES]
    columns: dict[str, list] = {"cabinet": [], "position": [], "product": []}
    for c, cabinet in enumerate(cabinets):
        spec = CABINET_TYPES[cabinet.cabinet_type]
        eligible = np.flatnonzero(stocked & np.isin(category_of, spec.categories))
        weights = demand_by_venue[venue_of_device[cabinet.device]][eligible]
        size = spec.rows * spec.columns
        distinct = min(size, max(1, round(len(eligible) * rng.uniform(0.6, 0.9))))
        chosen = rng.choice(eligible, size=distinct, replace=False, p=weights / weights.sum())
        # Bestsellers get a second facing when the grid has more slots than the machine carries products.
        doubled = rng.choice(eligible, size=size - distinct, p=weights / weights.sum())
        picked = np.concatenate([chosen, doubled])
        # Merchandised by category, top row first (chips up top, gum by the coin slot), as operators load them.
        picked = picked[np.lexsort((picked, [spec.categories.index(category_of[p]) for p in picked]))]
        columns["cabinet"].extend([c] * size)
        columns["position"].extend(f"{chr(65 + r)}{col + 1}" for r in range(spec.rows) for col in range(spec.columns))
        columns["product"].extend(picked.tolist())

    cabinet = np.array(columns["cabinet"], dtype=np.int64)
    device = np.array([cabinets[c].device for c in range(len(cabinets))], dtype=np.int64)[cabinet]
    product = np.array(columns["product"], dtype=np.int64)
    n = len(product)
    low = np.array([CATEGORY_CAPACITY[p.category][0] for p in products])[product]
    high = np.array([CATEGORY_CAPACITY[p.category][1] for p in products])[product]
    capacity = rng.integers(low, high + 1)

    state = rng.random(n)
    maintenance = state < MAINTENANCE_SLOT_SHARE
    unassigned = ~maintenance & (state < MAINTENANCE_SLOT_SHARE + UNASSIGNED_SLOT_SHARE)
    sold_out = (
        ~maintenance & ~unassigned & (state < MAINTENANCE_SLOT_SHARE + UNASSIGNED_SLOT_SHARE + SOLD_OUT_SLOT_SHARE)
    )
    # Half the maintenance slots keep their product label, so metrics must skip them by capacity, not by product.
    product = np.where(unassigned | (maintenance & (rng.random(n) < 0.5)), -1, product)
    capacity = np.where(maintenance, 0, capacity)
    quantity = np.where(sold_out | unassigned | maintenance, 0, 1 + np.floor(rng.random(n) * capacity).astype(np.int64))
    par_level = np.where(rng.random(n) < 0.7, capacity, np.maximum(1, np.round(capacity * 0.8).astype(np.int64)))
    par_level = np.where(unassigned | maintenance, 0, par_level)

    price = np.array([p.price_cents for p in products])
    premium = np.array([PREMIUM_VENUES.get(venue, 0) for venue in VENUES])[venue_of_device[device]]
    list_price = np.where(product >= 0, price[np.maximum(product, 0)], -1)
    price_cents = np.where((product >= 0) & (premium > 0), list_price + premium, -1)
    return SlotTable(
        cabinet=cabinet,
        device=device,
        position=columns["position"],
        product=product,
        capacity=capacity,
        quantity=quantity,
        par_level=par_level,
        price_cents=price_cents,
        vend_cents=np.where(price_cents >= 0, price_cents, list_price),
    )


def _plan_sales(
    rng: np.random.Generator, products, slots: SlotTable, venue_of_device, first_day: date, days: int, zone
) -> SaleTable:
    """Vends per device and day from venue, weekday, trend, noise and anomalies; then hour, second and slot of each."""
    n_devices = len(venue_of_device)
    dates = [first_day + timedelta(days=t) for t in range(days)]
    weekday = np.array([d.weekday() for d in dates])
    # Unix second of each local hour of each day, so DST days keep sales on the local clock.
    hour_start = np.array(
        [[int(datetime.combine(d, time(h), tzinfo=zone).timestamp()) for h in range(24)] for d in dates],
        dtype=np.int64,
    )

    weekday_demand = np.array([WEEKDAY_DEMAND[v] for v in VENUES])[venue_of_device][:, weekday]
    busy = weekday_demand >= BUSY_DAY_LEVEL
    level = np.array([VENUE_DAILY_VENDS[v] for v in VENUES], dtype=float)[venue_of_device]
    level *= rng.lognormal(-(DEVICE_LEVEL_SIGMA**2) / 2, DEVICE_LEVEL_SIGMA, n_devices)
    # Normalised to a weekly mean of 1, so ``level`` stays the device's average vends per day.
    weekday_factor = weekday_demand / np.array([np.mean(WEEKDAY_DEMAND[v]) for v in VENUES])[venue_of_device][:, None]

    trend_class = _allocate(rng, n_devices, TREND_SHARES)
    growth = np.select(
        [trend_class == 0, trend_class == 1],
        [rng.uniform(0.3, 0.8, n_devices), -rng.uniform(0.3, 0.8, n_devices)],
        rng.normal(0.0, 0.1, n_devices),
    )
    phase = np.linspace(-0.5, 0.5, days) if days > 1 else np.zeros(1)
    trend = np.exp(growth[:, None] * phase[None, :])
    noise = rng.lognormal(-(DAILY_NOISE_SIGMA**2) / 2, DAILY_NOISE_SIGMA, (n_devices, days))

    active = _active_days(rng, n_devices, days)
    eligible = busy & active
    spikes = eligible & (rng.random((n_devices, days)) < ANOMALY_DAY_CHANCE)
    dips = eligible & ~spikes & (rng.random((n_devices, days)) < ANOMALY_DAY_CHANCE)
    # Small fleets over short windows might draw none, yet every demo should show both kinds.
    for anomalies in (spikes, dips):
        free = np.flatnonzero(eligible & ~spikes & ~dips)
        if not anomalies.any() and len(free):
            anomalies.flat[rng.choice(free)] = True
    anomaly = np.where(spikes, rng.uniform(*SPIKE_FACTOR, (n_devices, days)), 1.0)
    anomaly *= np.where(dips, rng.uniform(*DIP_FACTOR, (n_devices, days)), 1.0)

    sellable = np.flatnonzero(
        (slots.product >= 0) & (slots.capacity > 0) & np.array([p.sells for p in products])[slots.product]
    )
    sellable_device = slots.device[sellable]
    has_sellable = np.isin(np.arange(n_devices), sellable_device)
    expected = level[:, None] * weekday_factor * trend * noise * anomaly * active * has_sellable[:, None]
    vends = rng.poisson(expected)

    cell = np.repeat(np.arange(n_devices * days, dtype=np.int64), vends.ravel())
    device, day = np.divmod(cell, days)
    weekend = weekday[day] >= 5
    hour_groups = venue_of_device[device] * 2 + weekend
    hourly = np.array([HOURLY_DEMAND[v][w] for v in VENUES for w in (0, 1)], dtype=float)
    hour = _sample_within_groups(rng, hour_groups, hourly.ravel(), np.arange(0, hourly.size + 1, 24)) - hour_groups * 24

    demand_by_venue = np.array([_demand_weights(products, v) for v in VENUES])
    slot_weights = demand_by_venue[venue_of_device[sellable_device], slots.product[sellable]]
    # Same product, different spiral: placement and machine quirks spread sales unevenly between facings.
    slot_weights = slot_weights * rng.lognormal(0.0, 0.3, len(sellable))
    starts = np.searchsorted(sellable_device, np.arange(n_devices + 1))
    slot = sellable[_sample_within_groups(rng, device, slot_weights, starts)]

    units = np.where(rng.random(len(cell)) < DOUBLE_VEND_SHARE, 2, 1)
    sold_at = hour_start[day, hour] + rng.integers(0, 3600, len(cell))
    # Rows come as telemetry delivers them, one batch per device and day; on PostgreSQL this order also keeps the
    # device-first indexes' inserts local, loading about a third faster than strict time order.
    order = np.lexsort((sold_at, device, day))
    return SaleTable(
        slot=slot[order],
        units=units[order],
        cash_cents=(units * slots.vend_cents[slot])[order],
        sold_at=sold_at[order],
    )


def _active_days(rng: np.random.Generator, n_devices: int, days: int) -> np.ndarray:
    """Which days each device could sell: silent devices stopped some weeks ago, new ones started within the window."""
    active = np.ones((n_devices, days), dtype=bool)
    if n_devices < 4:
        return active
    order = rng.permutation(n_devices)
    silent = order[: max(1, round(SILENT_DEVICE_SHARE * n_devices))]
    new = order[len(silent) : len(silent) + max(1, round(NEW_DEVICE_SHARE * n_devices))]
    # Keep at least a week of sales before the silence, so a silent device still has a history.
    longest = max(1, min(SILENT_DAYS[1], days - 7))
    for device, quiet in zip(silent, rng.integers(min(SILENT_DAYS[0], longest), longest + 1, len(silent)), strict=True):
        active[device, days - quiet :] = False
    oldest = max(1, min(NEW_DEVICE_AGE_DAYS[1], days - 1))
    for device, age in zip(new, rng.integers(min(NEW_DEVICE_AGE_DAYS[0], oldest), oldest + 1, len(new)), strict=True):
        active[device, : days - age] = False
    return active


def _sample_within_groups(
    rng: np.random.Generator, groups: np.ndarray, weights: np.ndarray, starts: np.ndarray
) -> np.ndarray:
    """For each entry of ``groups``, draw a member of that group with probability proportional to its weight.

    Group ``g`` owns ``weights[starts[g]:starts[g + 1]]``; the result indexes ``weights``. Groups drawn from must have
    a positive total. One ``searchsorted`` serves all draws: members sit on a shared axis where group ``g`` spans
    ``(g, g + 1]`` in proportion to their weights.
    """
    sizes = np.diff(starts)
    owner = np.repeat(np.arange(len(sizes)), sizes)
    running = np.concatenate(([0.0], np.cumsum(weights)))
    before = running[starts[:-1]]
    totals = running[starts[1:]] - before
    totals[totals == 0] = 1.0
    edges = owner + (running[1:] - before[owner]) / totals[owner]
    # Shrinking the draw keeps rounding in the edges from ever spilling a draw into the next group.
    points = groups + rng.random(len(groups)) * (1 - 1e-9)
    return np.searchsorted(edges, points, side="right")


# --- Writing ----------------------------------------------------------------------------------------------------


def demo_fleet_exists() -> bool:
    """Whether rows of a demo fleet are in the database."""
    return (
        Device.all_objects.filter(asset__startswith=DEMO_PREFIX).exists()
        or Route.objects.filter(number__startswith=DEMO_PREFIX).exists()
        or Product.objects.filter(sku__startswith=DEMO_PREFIX).exists()
    )


@transaction.atomic
def flush_demo_fleet() -> int:
    """Delete the demo fleet: its sales, devices (with cabinets, planograms, slots, metrics), sites, routes and
    products. Driver accounts stay. Returns the number of rows deleted."""
    devices = Device.all_objects.filter(asset__startswith=DEMO_PREFIX)
    location_ids = list(devices.exclude(location=None).values_list("location_id", flat=True).distinct())
    deleted = Sale.objects.filter(device__in=devices).delete()[0]
    deleted += devices.delete()[0]
    # A site someone has since put a real device on stays.
    deleted += Location.objects.filter(pk__in=location_ids, devices__isnull=True).delete()[0]
    deleted += Route.objects.filter(number__startswith=DEMO_PREFIX).delete()[0]
    deleted += Product.objects.filter(sku__startswith=DEMO_PREFIX).delete()[0]
    return deleted


def build_demo_fleet(
    *, devices: int = 50, days: int = 90, seed: int = 42, end_date: date | None = None, flush: bool = False
) -> DemoFleetSummary:
    """Plan the demo fleet (see :func:`plan_demo_fleet`) and write it in one transaction.

    ``end_date`` defaults to today in the operator's time zone. With ``flush`` an existing demo fleet is replaced;
    without it, an existing one raises :class:`DemoFleetExistsError`.
    """
    started = perf_counter()
    plan = plan_demo_fleet(devices=devices, days=days, seed=seed, end_date=end_date or timezone.localdate())
    with transaction.atomic():
        flushed = flush_demo_fleet() if flush else 0
        if demo_fleet_exists():
            raise DemoFleetExistsError("A demo fleet is already loaded; flush it to replace it.")
        counts = _write_fleet(plan)
        # Like every path that writes sales: bring the daily rollup up to date, mark metrics stale.
        sales_recorded(device_ids=Device.all_objects.filter(asset__startswith=DEMO_PREFIX).values_list("pk", flat=True))
    return DemoFleetSummary(
        counts=counts,
        flushed=flushed,
        start=plan.start,
        end=plan.end,
        elapsed_seconds=perf_counter() - started,
    )


def _write_fleet(plan: FleetPlan) -> dict[str, int]:
    """Insert the plan's rows, reusing existing device types, cabinet types and driver accounts; count them by kind."""
    cabinet_types = {
        spec.name: CabinetType.objects.get_or_create(
            name=spec.name, defaults={"rows": spec.rows, "columns": spec.columns}
        )[0]
        for spec in CABINET_TYPES.values()
    }
    device_types = {
        spec.name: DeviceType.objects.get_or_create(
            name=spec.name,
            defaults={"description": spec.description, "allows_additional_cabinets": spec.allows_additional_cabinets},
        )[0]
        for spec in DEVICE_TYPES
    }
    products = Product.objects.bulk_create(
        Product(name=p.name, category=p.category, price=_money(p.price_cents), sku=p.sku, barcode=p.barcode)
        for p in plan.products
    )
    drivers = _driver_accounts(plan.routes)
    routes = Route.objects.bulk_create(
        Route(number=r.number, name=r.name, driver=drivers[r.driver_username]) for r in plan.routes
    )
    locations = Location.objects.bulk_create(
        Location(
            name=loc.name,
            address=loc.address,
            venue_type=loc.venue_type,
            latitude=loc.latitude,
            longitude=loc.longitude,
        )
        for loc in plan.locations
    )
    devices = Device.objects.bulk_create(
        Device(
            asset=d.asset,
            cooler=d.cooler,
            model=d.model,
            serial_number=d.serial_number,
            device_type=device_types[d.device_type],
            location=locations[d.location],
            route=routes[d.route],
        )
        for d in plan.devices
    )
    cabinets = Cabinet.objects.bulk_create(
        Cabinet(
            device=devices[c.device],
            cabinet_type=cabinet_types[c.cabinet_type],
            index=c.index,
            rows=CABINET_TYPES[c.cabinet_type].rows,
            columns=CABINET_TYPES[c.cabinet_type].columns,
        )
        for c in plan.cabinets
    )
    planograms = Planogram.objects.bulk_create(
        Planogram(cabinet=cabinet, name=f"{plan.devices[c.device].asset} cabinet {c.index}")
        for cabinet, c in zip(cabinets, plan.cabinets, strict=True)
    )
    table = plan.slots
    slots = PlanogramSlot.objects.bulk_create(
        (
            PlanogramSlot(
                planogram=planograms[table.cabinet[i]],
                position=table.position[i],
                product=products[table.product[i]] if table.product[i] >= 0 else None,
                quantity=int(table.quantity[i]),
                capacity=int(table.capacity[i]),
                par_level=int(table.par_level[i]),
                price=_money(table.price_cents[i]) if table.price_cents[i] >= 0 else None,
            )
            for i in range(len(table.position))
        ),
        batch_size=5_000,
    )
    slot_pk = np.array([s.pk for s in slots], dtype=np.int64)
    device_pk = np.array([d.pk for d in devices], dtype=np.int64)[table.device]
    product_pk = np.where(table.product >= 0, np.array([p.pk for p in products])[np.maximum(table.product, 0)], -1)
    if connection.vendor == "postgresql":
        _copy_sales(plan.sales, slot_pk, device_pk, product_pk, table.vend_cents)
    else:
        _bulk_create_sales(plan.sales, slot_pk, device_pk, product_pk)
    return {
        "locations": len(locations),
        "routes": len(routes),
        "drivers": len(drivers),
        "device types": len(device_types),
        "cabinet types": len(cabinet_types),
        "devices": len(devices),
        "cabinets": len(cabinets),
        "planograms": len(planograms),
        "slots": len(slots),
        "products": len(products),
        "sales": len(plan.sales.slot),
    }


def _money(cents) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _driver_accounts(routes: list[RoutePlan]) -> dict:
    """The driver of each route, in the Driver group; accounts that exist are reused as they are."""
    User = get_user_model()
    usernames = [r.driver_username for r in routes]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    # An unusable password: whoever runs the demo sets a real one, never this loader.
    created = User.objects.bulk_create(
        User(
            username=r.driver_username,
            first_name=r.driver_first_name,
            last_name=r.driver_last_name,
            email=f"{r.driver_username}@example.com",
            password=make_password(None),
        )
        for r in routes
        if r.driver_username not in existing
    )
    drivers = existing | {u.username: u for u in created}
    Group.objects.get(name=roles.DRIVER).user_set.add(*drivers.values())
    return drivers


def _copy_sales(sales: SaleTable, slot_pk, device_pk, product_pk, vend_cents) -> None:
    """Stream the sales into PostgreSQL with ``COPY … FROM STDIN`` in text format, a chunk of rows at a time.

    The arrays map a slot (by plan index) to its device, product and slot ids and its vend price in cents. A row is its
    UTC timestamp and a tail that depends only on the slot and the units, so tails are formatted once per slot and rows
    are assembled by array indexing rather than a Python loop per sale.
    """
    quote = connection.ops.quote_name
    names = ("sold_at", "device", "product", "slot", "units", "cash_amount")
    columns = ", ".join(quote(Sale._meta.get_field(name).column) for name in names)
    tails = np.array(
        [
            f"\t{device}\t{product}\t{slot}\t{units}\t{_money(units * cents)}\n"
            for device, product, slot, cents in zip(
                device_pk.tolist(), product_pk.tolist(), slot_pk.tolist(), vend_cents.tolist(), strict=True
            )
            for units in (1, 2)
        ],
        dtype=object,
    )
    keys = sales.slot * 2 + sales.units - 1
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(Sale._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for begin in range(0, len(keys), SALES_CHUNK):
            chunk = slice(begin, begin + SALES_CHUNK)
            stamps = np.datetime_as_string(sales.sold_at[chunk].astype("datetime64[s]"), timezone="UTC")
            copy.write("".join((stamps.astype(object) + tails[keys[chunk]]).tolist()))


def _bulk_create_sales(sales: SaleTable, slot_pk, device_pk, product_pk) -> None:
    """Insert the sales with ``bulk_create`` on databases without ``COPY``; the pk arrays are as for ``_copy_sales``."""
    cash = {int(c): _money(c) for c in np.unique(sales.cash_cents)}
    for begin in range(0, len(sales.slot), SALES_CHUNK):
        chunk = slice(begin, begin + SALES_CHUNK)
        slot = sales.slot[chunk]
        stamps = sales.sold_at[chunk].astype("datetime64[s]").astype(object)
        Sale.objects.bulk_create(
            (
                Sale(
                    device_id=d,
                    product_id=p,
                    slot_id=s,
                    units=u,
                    cash_amount=cash[c],
                    sold_at=t.replace(tzinfo=UTC),
                )
                for d, p, s, u, c, t in zip(
                    device_pk[slot].tolist(),
                    product_pk[slot].tolist(),
                    slot_pk[slot].tolist(),
                    sales.units[chunk].tolist(),
                    sales.cash_cents[chunk].tolist(),
                    stamps,
                    strict=True,
                )
            ),
            batch_size=5_000,
        )
