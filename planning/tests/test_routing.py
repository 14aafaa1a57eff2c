"""The stop order against known geometry and an exhaustive search; the distances against an independent formula."""

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning import routing
from planning.routing import Point, haversine_m, route_distance_m, stop_order

# The IUGG mean Earth radius, the sphere the module promises to measure on.
EARTH_RADIUS_M = 6_371_008.8
DEPOT = Point(48.0, 11.0)
# About 20 km either way from the depot's latitude: 0.18° of latitude, 0.27° of longitude at 48° N.
SQUARE_DEGREES = (0.18, 0.27)
# Stops on a grid of sixteenths of a degree make the cases a heuristic most often gets wrong: stops in line,
# stops at the same place, and many orders of the same length.
GRID_LATITUDES = [DEPOT.latitude + k / 16 for k in (-1, 0, 1)]
GRID_LONGITUDES = [DEPOT.longitude + k / 16 for k in (-2, -1, 0, 1, 2)]


def reference_distance_m(a, b):
    """The great-circle distance from the angle between the two points' unit vectors, not from haversine."""

    def unit_vector(point):
        lat, lon = math.radians(point[0]), math.radians(point[1])
        return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))

    (ax, ay, az), (bx, by, bz) = unit_vector(a), unit_vector(b)
    cross = math.hypot(ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx)
    return EARTH_RADIUS_M * math.atan2(cross, ax * bx + ay * by + az * bz)


def reference_drive_m(depot, stops, order):
    path = [stops[i] for i in order]
    if depot is not None:
        path = [depot, *path, depot]
    return sum(reference_distance_m(a, b) for a, b in itertools.pairwise(path))


def shortest_drive_m(depot, stops):
    """The optimum, by trying every order."""
    places = [*stops, depot]
    legs = [[0.0 if None in (a, b) else reference_distance_m(a, b) for b in places] for a in places]
    ends = [] if depot is None else [len(stops)]

    def drive(order):
        path = [*ends, *order, *ends]
        return sum(legs[a][b] for a, b in itertools.pairwise(path))

    return min(drive(order) for order in itertools.permutations(range(len(stops))))


def random_stops(rng, count):
    return [
        Point(DEPOT.latitude + rng.uniform(-0.09, 0.09), DEPOT.longitude + rng.uniform(-0.135, 0.135))
        for _ in range(count)
    ]


def grid_stops(rng, count):
    return [Point(rng.choice(GRID_LATITUDES), rng.choice(GRID_LONGITUDES)) for _ in range(count)]


def assert_is_an_order_of(order, stops):
    assert sorted(order) == list(range(len(stops)))


points_in_the_square = st.builds(
    Point,
    st.floats(DEPOT.latitude - SQUARE_DEGREES[0] / 2, DEPOT.latitude + SQUARE_DEGREES[0] / 2),
    st.floats(DEPOT.longitude - SQUARE_DEGREES[1] / 2, DEPOT.longitude + SQUARE_DEGREES[1] / 2),
)
points_on_a_grid = st.builds(Point, st.sampled_from(GRID_LATITUDES), st.sampled_from(GRID_LONGITUDES))


def test_one_degree_of_latitude_is_about_111_2_km():
    assert haversine_m(Point(0.0, 0.0), Point(1.0, 0.0)) == pytest.approx(111_200, rel=0.005)
    assert haversine_m(Point(47.5, 11.0), Point(48.5, 11.0)) == pytest.approx(111_200, rel=0.005)


def test_a_point_is_no_distance_from_itself():
    assert haversine_m(DEPOT, DEPOT) == 0


def test_antipodes_are_half_the_circumference_apart():
    assert haversine_m(Point(0.0, 0.0), Point(0.0, 180.0)) == pytest.approx(math.pi * EARTH_RADIUS_M)


@given(a=points_in_the_square, b=points_in_the_square)
def test_haversine_matches_the_angle_between_unit_vectors(a, b):
    assert haversine_m(a, b) == pytest.approx(reference_distance_m(a, b), rel=1e-9, abs=1e-3)
    assert haversine_m(a, b) == haversine_m(b, a)


def test_route_distance_is_the_round_trip_from_the_depot():
    stops = [Point(48.0, 11.1), Point(48.1, 11.1)]

    assert route_distance_m(DEPOT, stops, [0, 1]) == pytest.approx(reference_drive_m(DEPOT, stops, [0, 1]))
    assert route_distance_m(DEPOT, stops, [1, 0]) == pytest.approx(route_distance_m(DEPOT, stops, [0, 1]))


def test_route_distance_without_a_depot_is_the_open_path():
    stops = [Point(48.0, 11.1), Point(48.1, 11.1), Point(48.1, 11.0)]

    assert route_distance_m(None, stops, [2, 1, 0]) == pytest.approx(
        reference_distance_m(stops[2], stops[1]) + reference_distance_m(stops[1], stops[0])
    )


def test_route_distance_of_no_stops_is_zero():
    assert route_distance_m(DEPOT, [], []) == 0
    assert route_distance_m(None, [], []) == 0


@pytest.mark.parametrize("order", [[0], [0, 0], [0, 2], [1, 0, 2]])
def test_route_distance_refuses_an_order_that_is_not_each_stop_once(order):
    with pytest.raises(ValueError, match="each of the 2 stops once"):
        route_distance_m(DEPOT, [Point(48.0, 11.1), Point(48.1, 11.1)], order)


@pytest.mark.parametrize("depot", [DEPOT, None])
def test_no_stops_have_no_order(depot):
    assert stop_order(depot, []) == []


@pytest.mark.parametrize("depot", [DEPOT, None])
def test_one_stop_is_the_whole_order(depot):
    assert stop_order(depot, [Point(48.05, 11.05)]) == [0]


@pytest.mark.parametrize("depot", [DEPOT, None])
def test_two_stops_start_with_the_one_listed_first(depot):
    # Both directions are equally long, so the order is the one that starts with the earlier-listed stop.
    assert stop_order(depot, [Point(48.1, 11.1), Point(48.05, 11.0)]) == [0, 1]


@pytest.mark.parametrize("depot", [DEPOT, None])
def test_stops_on_a_line_east_of_the_depot_are_visited_in_line(depot):
    longitudes = [11.04, 11.01, 11.05, 11.02, 11.03]
    stops = [Point(DEPOT.latitude, longitude) for longitude in longitudes]

    order = stop_order(depot, stops)

    by_longitude = sorted(range(len(stops)), key=longitudes.__getitem__)
    assert order in (by_longitude, by_longitude[::-1])


@pytest.mark.parametrize("depot", [DEPOT, Point(48.06, 11.0), None])
def test_a_squares_corners_are_visited_around_its_edge_never_across(depot):
    # Listed so that neighbours in the list are diagonal to each other: copying the list would cross.
    # 0.1° of latitude and 0.15° of longitude are both about 11.1 km at 48° N.
    north_east, south_west, north_west, south_east = corners = [
        Point(48.05, 11.075),
        Point(47.95, 10.925),
        Point(48.05, 10.925),
        Point(47.95, 11.075),
    ]
    diagonals = {frozenset({north_east, south_west}), frozenset({north_west, south_east})}

    order = stop_order(depot, corners)

    assert_is_an_order_of(order, corners)
    legs = {frozenset({corners[a], corners[b]}) for a, b in itertools.pairwise(order)}
    assert not legs & diagonals


@pytest.mark.parametrize("depot", [DEPOT, None])
def test_stops_at_the_same_place_are_all_visited(depot):
    stops = [Point(48.05, 11.05)] * 5

    order = stop_order(depot, stops)

    assert_is_an_order_of(order, stops)
    assert route_distance_m(depot, stops, order) == pytest.approx(reference_drive_m(depot, stops, order))


def test_stops_at_the_same_place_are_visited_one_after_the_other():
    here, there = Point(48.05, 11.05), Point(48.1, 11.2)
    stops = [here, there, here, there, here]

    order = stop_order(DEPOT, stops)

    places = [stops[i] for i in order]
    assert places in ([here, here, here, there, there], [there, there, here, here, here])


@pytest.mark.parametrize("depot", [DEPOT, None])
def test_the_same_stops_always_get_the_same_order(depot):
    stops = random_stops(random.Random(20), 40)

    assert stop_order(depot, stops) == stop_order(depot, list(stops))


@settings(max_examples=60, deadline=None)
@given(
    stops=st.lists(st.one_of(points_in_the_square, points_on_a_grid), max_size=12),
    has_depot=st.booleans(),
)
def test_any_stops_are_each_visited_once_the_first_listed_before_the_last(stops, has_depot):
    order = stop_order(DEPOT if has_depot else None, stops)

    assert_is_an_order_of(order, stops)
    assert len(order) < 2 or order[0] < order[-1]


@pytest.mark.parametrize("seed", range(40))
def test_days_of_up_to_seven_stops_are_ordered_within_one_percent_of_the_optimum(seed):
    # Seeded rather than drawn by hypothesis: the solver is a heuristic, so some day somewhere is more than
    # 1 % off, and the suite should not fail on the run that happens to draw it.
    rng = random.Random(seed)
    depot = DEPOT if seed % 2 else None
    count = rng.randint(2, 7)
    stops = random_stops(rng, count) if seed % 4 < 2 else grid_stops(rng, count)

    order = stop_order(depot, stops)

    assert_is_an_order_of(order, stops)
    # The solver rounds each leg to the metre, so its optimum may be up to a metre a leg off the true one.
    assert reference_drive_m(depot, stops, order) <= shortest_drive_m(depot, stops) * 1.01 + count + 1


def test_a_short_day_is_searched_long_enough_to_leave_its_first_local_optimum():
    # Hypothesis found this day when the search was bounded at four solutions a stop (24 here): it
    # stopped on an order 2.2 % longer than the best.
    stops = [
        Point(48.0, 11.0),
        Point(48.0, 10.875),
        Point(48.0, 11.0625),
        Point(47.9375, 11.125),
        Point(48.0625, 11.0),
        Point(48.0625, 11.125),
    ]

    order = stop_order(None, stops)

    assert reference_drive_m(None, stops, order) == pytest.approx(shortest_drive_m(None, stops))


def test_a_failed_solve_falls_back_to_the_nearest_stop_order(monkeypatch):
    monkeypatch.setattr(routing.pywrapcp.RoutingModel, "SolveWithParameters", lambda self, parameters: None)
    depot = Point(0.0, 0.0)
    stops = [Point(0.0, 0.03), Point(0.0, 0.01), Point(0.0, 0.02)]

    assert routing.stop_order(depot, stops) == [1, 2, 0]
