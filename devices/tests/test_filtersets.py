"""The fleet's FilterSets on their own: every filter against rows chosen by hand, and the errors they answer."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import RequestFactory

from devices.choices import VenueType
from devices.filtersets import (
    MAX_ID,
    CabinetFilterSet,
    CabinetTypeFilterSet,
    DeviceFilterSet,
    DeviceTypeFilterSet,
    LocationFilterSet,
    RouteFilterSet,
    validated_filterset,
)
from devices.models import Cabinet, CabinetType, Device, DeviceType, Location, Route
from devices.tests.factories import (
    CabinetFactory,
    CabinetTypeFactory,
    DeviceFactory,
    DeviceTypeFactory,
    LocationFactory,
    RouteFactory,
)

pytestmark = pytest.mark.django_db


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def narrowed(filterset_class, query: str, *, queryset, request=None):
    filterset = filterset_class(QueryDict(query), queryset=queryset, request=request)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def assets(query: str, request=None) -> set[str]:
    return {device.asset for device in narrowed(DeviceFilterSet, query, queryset=Device.objects.all(), request=request)}


def errors(query: str, request=None) -> dict:
    filterset = DeviceFilterSet(QueryDict(query), queryset=Device.objects.all(), request=request)
    assert not filterset.is_valid()
    return filterset.errors


# --- DeviceFilterSet ---------------------------------------------------------------------------------


@pytest.fixture
def fleet(driver):
    """Four devices, each differing from the others in the fields the filters read."""
    office = LocationFactory(name="Tower", venue_type=VenueType.OFFICE)
    school = LocationFactory(name="Campus", venue_type=VenueType.SCHOOL)
    gym = LocationFactory(name="Gym", venue_type=VenueType.GYM)
    combo, coffee = DeviceTypeFactory(name="Combo"), DeviceTypeFactory(name="Coffee")
    north, south = RouteFactory(name="North"), RouteFactory(name="South", driver=driver)
    devices = {
        "A-100": DeviceFactory(asset="A-100", serial_number="SN-77", location=office, device_type=combo, route=north),
        "A-101": DeviceFactory(asset="A-101", serial_number="SN-78", location=school, device_type=combo, route=south),
        "B-200": DeviceFactory(asset="B-200", serial_number="XY-77", location=gym, device_type=coffee, route=south),
        "C-300": DeviceFactory(asset="C-300", serial_number="", location=None, device_type=coffee, route=None),
    }
    # has_planogram is tested where planograms are made: planograms/tests/test_device_api_planograms.py
    return {
        "devices": devices,
        "locations": {"office": office, "school": school, "gym": gym},
        "types": {"combo": combo, "coffee": coffee},
        "routes": {"north": north, "south": south},
    }


def test_no_parameter_narrows_nothing(fleet):
    assert assets("") == {"A-100", "A-101", "B-200", "C-300"}


def test_asset_matches_part_of_the_asset_number_in_any_case(fleet):
    assert assets("asset=a-10") == {"A-100", "A-101"}
    assert assets("asset=200") == {"B-200"}
    assert assets("asset=Z") == set()


def test_serial_number_matches_part_of_it_in_any_case(fleet):
    assert assets("serial_number=77") == {"A-100", "B-200"}
    assert assets("serial_number=sn-") == {"A-100", "A-101"}


def test_location_takes_ids_repeated_or_comma_separated(fleet):
    office, school = fleet["locations"]["office"].pk, fleet["locations"]["school"].pk
    assert assets(f"location={office}") == {"A-100"}
    assert assets(f"location={office}&location={school}") == {"A-100", "A-101"}
    assert assets(f"location={office},{school}") == {"A-100", "A-101"}


def test_venue_type_takes_the_locations_venue_types(fleet):
    assert assets("venue_type=school") == {"A-101"}
    assert assets("venue_type=office,gym") == {"A-100", "B-200"}
    assert assets("venue_type=office&venue_type=gym") == {"A-100", "B-200"}
    assert assets("venue_type=hospital") == set()


def test_device_type_takes_device_type_ids(fleet):
    assert assets(f"device_type={fleet['types']['coffee'].pk}") == {"B-200", "C-300"}


def test_route_takes_route_ids(fleet, manager):
    south = fleet["routes"]["south"].pk
    assert assets(f"route={south}", request_by(manager)) == {"A-101", "B-200"}
    assert assets(f"route={south},{fleet['routes']['north'].pk}") == {"A-100", "A-101", "B-200"}


def test_a_driver_may_name_only_their_own_routes(fleet, driver):
    north, south = fleet["routes"]["north"].pk, fleet["routes"]["south"].pk
    assert assets(f"route={south}", request_by(driver)) == {"A-101", "B-200"}
    assert errors(f"route={north}", request_by(driver)) == {"route": [f"Unknown id(s): {north}."]}


def test_device_ids_take_device_ids_among_those_the_user_may_see(fleet, driver):
    devices = fleet["devices"]
    assert assets(f"device_ids={devices['A-100'].pk},{devices['C-300'].pk}") == {"A-100", "C-300"}
    hidden = devices["A-100"].pk
    assert errors(f"device_ids={hidden}", request_by(driver)) == {"device_ids": [f"Unknown id(s): {hidden}."]}


def test_filters_given_together_all_apply(fleet):
    south = fleet["routes"]["south"].pk
    assert assets(f"route={south}&venue_type=gym,office") == {"B-200"}
    assert assets(f"route={south}&asset=a-") == {"A-101"}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("location=999999", "location", "Unknown id(s): 999999."),
        ("location=999999,999998", "location", "Unknown id(s): 999998, 999999."),
        ("location=abc", "location", "“abc” is not an id"),
        ("location=0", "location", "“0” is not an id"),
        (f"location={MAX_ID + 1}", "location", "is not an id"),
        ("device_type=-1", "device_type", "is not an id"),
        ("venue_type=moon", "venue_type", "Select a valid choice."),
        ("asset=" + "x" * 51, "asset", "at most 50 characters"),
        ("location=" + ",".join(str(n) for n in range(1, 10_002)), "location", "At most 10000 ids"),
    ],
)
def test_a_wrong_value_is_an_error_naming_its_filter(fleet, query, field, message):
    found = errors(query)
    assert list(found) == [field]
    assert message in found[field][0]


def test_an_id_list_is_checked_in_one_query_whatever_its_length(fleet, django_assert_num_queries):
    ids = ",".join(str(location.pk) for location in fleet["locations"].values())
    filterset = DeviceFilterSet(QueryDict(f"location={ids}"), queryset=Device.objects.all())
    with django_assert_num_queries(1):
        assert filterset.is_valid()


def test_validated_filterset_raises_the_errors_by_parameter(fleet):
    with pytest.raises(ValidationError) as raised:
        validated_filterset(DeviceFilterSet, {"location": "999999"}, queryset=Device.objects.all())
    assert raised.value.message_dict == {"location": ["Unknown id(s): 999999."]}
    assert validated_filterset(DeviceFilterSet, None, queryset=Device.objects.all()).qs.count() == 4


def test_the_dashboard_controls_render_as_single_selects_with_an_all_option(fleet):
    form = DeviceFilterSet(QueryDict("venue_type=gym"), queryset=Device.objects.all()).form
    html = str(form["venue_type"])
    assert "multiple" not in html
    assert '<option value="">All venue types</option>' in html
    assert '<option value="gym" selected>Gym</option>' in html
    assert '<option value="" selected>All locations</option>' in str(form["location"])


# --- The other fleet FilterSets ----------------------------------------------------------------------


def test_location_filterset_by_name_and_venue_type():
    LocationFactory(name="North Tower", venue_type=VenueType.OFFICE)
    LocationFactory(name="South Campus", venue_type=VenueType.SCHOOL)
    LocationFactory(name="Tower Gym", venue_type=VenueType.GYM)

    def names(query):
        return {row.name for row in narrowed(LocationFilterSet, query, queryset=Location.objects.all())}

    assert names("name=tower") == {"North Tower", "Tower Gym"}
    assert names("venue_type=school") == {"South Campus"}
    assert names("venue_type=school,gym") == {"South Campus", "Tower Gym"}
    assert names("name=tower&venue_type=office") == {"North Tower"}


def test_route_filterset_by_name_number_and_driver(driver):
    RouteFactory(name="Downtown loop", number="101")
    RouteFactory(name="Airport", number="102", driver=driver)
    RouteFactory(name="Uptown loop", number="1010")

    def numbers(query):
        return {row.number for row in narrowed(RouteFilterSet, query, queryset=Route.objects.all())}

    assert numbers("name=LOOP") == {"101", "1010"}
    assert numbers("number=101") == {"101"}
    assert numbers(f"driver={driver.pk}") == {"102"}


def test_device_type_filterset_by_name_and_additional_cabinets():
    DeviceTypeFactory(name="Snack tower", allows_additional_cabinets=True)
    DeviceTypeFactory(name="Drink", allows_additional_cabinets=False)
    DeviceTypeFactory(name="Snack mini", allows_additional_cabinets=False)

    def names(query):
        return {row.name for row in narrowed(DeviceTypeFilterSet, query, queryset=DeviceType.objects.all())}

    assert names("name=snack") == {"Snack tower", "Snack mini"}
    assert names("allows_additional_cabinets=true") == {"Snack tower"}
    assert names("allows_additional_cabinets=false") == {"Drink", "Snack mini"}


def test_cabinet_type_filterset_by_name_rows_and_columns():
    CabinetTypeFactory(name="Snack 6x8", rows=6, columns=8)
    CabinetTypeFactory(name="Snack 6x10", rows=6, columns=10)
    CabinetTypeFactory(name="Drink 5x8", rows=5, columns=8)

    def names(query):
        return {row.name for row in narrowed(CabinetTypeFilterSet, query, queryset=CabinetType.objects.all())}

    assert names("name=snack") == {"Snack 6x8", "Snack 6x10"}
    assert names("rows=6") == {"Snack 6x8", "Snack 6x10"}
    assert names("columns=8") == {"Snack 6x8", "Drink 5x8"}
    assert names("rows=6&columns=8") == {"Snack 6x8"}


def test_cabinet_filterset_by_device_type_index_and_parent():
    tall = CabinetTypeFactory(name="Tall", rows=8, columns=8)
    first, second = DeviceFactory(asset="D-1"), DeviceFactory(asset="D-2")
    CabinetFactory(device=first, index=1)
    CabinetFactory(device=first, index=2, cabinet_type=tall)
    CabinetFactory(device=second, index=1, cabinet_type=tall)

    def cabinets(query):
        rows = narrowed(CabinetFilterSet, query, queryset=Cabinet.objects.select_related("device"))
        return {(row.device.asset, row.index) for row in rows}

    assert cabinets(f"device={first.pk}") == {("D-1", 1), ("D-1", 2)}
    assert cabinets(f"cabinet_type={tall.pk}") == {("D-1", 2), ("D-2", 1)}
    assert cabinets("index=2") == {("D-1", 2)}
    assert cabinets("is_parent=true") == {("D-1", 1), ("D-2", 1)}
    assert cabinets("is_parent=false") == {("D-1", 2)}
