import datetime as dt
import hashlib
from decimal import Decimal

import factory
from django.utils import timezone

from devices.tests.factories import DeviceFactory
from planograms.tests.factories import ProductFactory
from sales.choices import DexImportStatus
from sales.models import DexImport, Sale


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    device = factory.SubFactory(DeviceFactory)
    product = factory.SubFactory(ProductFactory)
    units = 1
    cash_amount = Decimal("1.50")
    sold_at = factory.LazyFunction(timezone.now)


def local_datetime(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour:minute`` in the operator's time zone (``TIME_ZONE``), whose local days the reports count."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def sale_on(
    device, product, day: dt.date, *, hour: int = 12, minute: int = 0, units: int = 1, cash: str | Decimal = "1.50"
) -> Sale:
    """One raw ``Sale`` row: ``device`` sold ``units`` of ``product`` for ``cash`` on local ``day`` at ``hour:minute``.

    Like every ``SaleFactory`` row it skips ingestion, so the rollups the reports read do not hold it yet:
    write all the sales, then call ``sales_rollups_rebuild()`` (or ``sales_recorded(device_ids=...)``) once.
    """
    return SaleFactory(
        device=device,
        product=product,
        units=units,
        cash_amount=Decimal(cash),
        sold_at=local_datetime(day, hour, minute),
    )


def dex_read(device, at: dt.datetime) -> DexImport:
    """A recorded DEX audit of ``device`` read at ``at``: the machine still reports, whatever it sells."""
    return DexImport.objects.create(
        file_name="audit.dex",
        raw_file=b"DXS",
        sha256=hashlib.sha256(f"{device.pk}{at.isoformat()}".encode()).hexdigest(),
        uploaded_at=at,
        device=device,
        read_at=at,
        status=DexImportStatus.RECORDED,
    )
