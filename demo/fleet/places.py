"""Sites and routes: Chicago-area neighbourhoods, street addresses, venue names, and routes with their drivers."""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from demo.fleet.keys import DEMO_PREFIX
from demo.fleet.venues import BUSY_DAY_LEVEL, VENUE_EXTRA_DEVICE_CHANCE, VENUES, WEEKDAY_DEMAND
from devices.choices import VenueType

# About one route per dozen devices, each a wedge of the metro area around the city centre.
DEVICES_PER_ROUTE = 12
CITY_CENTER = (41.8781, -87.6298)
# The weekdays routes are driven (Monday 0), taken in turn by route number: most every weekday, some every other day.
SERVICE_DAY_CADENCES = ((0, 1, 2, 3, 4), (0, 2, 4), (0, 1, 2, 3, 4), (1, 3))
SATURDAY = 5
# The operator's warehouses by the expressways, (name, latitude, longitude); a route loads at the one nearer its sites.
WAREHOUSES = (
    ("Bedford Park", Decimal("41.774500"), Decimal("-87.812300")),
    ("Elk Grove Village", Decimal("42.008100"), Decimal("-87.962400")),
)
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
    """A route, the account of its driver, the weekdays it is driven and the warehouse its driver loads at."""

    number: str
    name: str
    driver_username: str
    driver_first_name: str
    driver_last_name: str
    service_days: tuple[int, ...]
    depot_latitude: Decimal
    depot_longitude: Decimal


def plan_locations(rng: np.random.Generator, venue_of_device: np.ndarray) -> tuple[list[LocationPlan], np.ndarray]:
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


def plan_routes(rng: np.random.Generator, locations, location_of_device) -> tuple[list[RoutePlan], np.ndarray]:
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
        sites = [locations[location_of_device[i]] for i in members]
        hoods = Counter(site.neighborhood for site in sites).most_common(2)
        _, depot_latitude, depot_longitude = _nearest_warehouse(latitude[members].mean(), longitude[members].mean())
        routes.append(
            RoutePlan(
                number=f"{DEMO_PREFIX}{100 + number}",
                name=" & ".join(hood for hood, _ in hoods),
                driver_username=f"driver{number}",
                driver_first_name=FIRST_NAMES[rng.integers(len(FIRST_NAMES))],
                driver_last_name=LAST_NAMES[rng.integers(len(LAST_NAMES))],
                service_days=_service_days(number, sites),
                depot_latitude=depot_latitude,
                depot_longitude=depot_longitude,
            )
        )
    return routes, route_of_device


def _service_days(number: int, sites: list[LocationPlan]) -> tuple[int, ...]:
    """Route ``number``'s weekdays: its turn of the cadences, and Saturday too when most of its machines (``sites``
    holds one entry a machine) stand at venues busy on Saturdays. Nothing is drawn, so the sales stay as they were."""
    days = SERVICE_DAY_CADENCES[(number - 1) % len(SERVICE_DAY_CADENCES)]
    busy_on_saturday = sum(WEEKDAY_DEMAND[site.venue_type][SATURDAY] >= BUSY_DAY_LEVEL for site in sites)
    return (*days, SATURDAY) if 2 * busy_on_saturday > len(sites) else days


def _nearest_warehouse(latitude: float, longitude: float) -> tuple[str, Decimal, Decimal]:
    """The warehouse nearest a point, measured on the map (a degree of longitude is shorter than one of latitude)."""
    squeeze = np.cos(np.radians(CITY_CENTER[0]))
    return min(
        WAREHOUSES,
        key=lambda warehouse: (
            (float(warehouse[1]) - latitude) ** 2 + ((float(warehouse[2]) - longitude) * squeeze) ** 2
        ),
    )
