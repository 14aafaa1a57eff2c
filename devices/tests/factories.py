import factory

from devices.choices import VenueType
from devices.models import Cabinet, CabinetType, Device, DeviceType, Location, Route


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Location {n}")
    address = factory.Sequence(lambda n: f"{100 + n} Main St, Chicago, IL")
    venue_type = VenueType.OFFICE
    latitude = factory.Sequence(lambda n: f"{41.80 + (n % 50) * 0.002:.6f}")
    longitude = factory.Sequence(lambda n: f"{-87.70 + (n % 50) * 0.002:.6f}")


class RouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Route

    name = factory.Sequence(lambda n: f"Route {n}")
    # Tests name their own routes with plain numbers ("101", "207"); a generated number is never one of them,
    # whatever ran before.
    number = factory.Sequence(lambda n: f"R{n:05d}")
    driver = None


class DeviceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceType
        django_get_or_create = ("name",)

    name = "Combo snack and drink"
    allows_additional_cabinets = True


class CabinetTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CabinetType
        django_get_or_create = ("name",)

    name = "Snack 6x8"
    rows = 6
    columns = 8


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    asset = factory.Sequence(lambda n: f"A{10000 + n}")
    cooler = "Front glass"
    model = "Vendo 721"
    device_type = factory.SubFactory(DeviceTypeFactory)
    location = factory.SubFactory(LocationFactory)
    route = factory.SubFactory(RouteFactory)


class CabinetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cabinet

    device = factory.SubFactory(DeviceFactory)
    cabinet_type = factory.SubFactory(CabinetTypeFactory)
    index = 1
    rows = factory.LazyAttribute(lambda c: c.cabinet_type.rows)
    columns = factory.LazyAttribute(lambda c: c.cabinet_type.columns)
