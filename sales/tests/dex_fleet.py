"""The machine the DEX import tests read, and the audits they write of it: shared by the import and void tests."""

import datetime as dt

from django.utils import timezone

from devices.tests.factories import CabinetFactory, DeviceFactory
from planograms.models import PlanogramSlot
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory
from sales.dex.services import dex_import
from sales.models import DexImport

from .dex_writer import WrittenSelection, dex_audit_file

FIRST_READ = dt.datetime(2025, 4, 1, 10, 30)
SECOND_READ = dt.datetime(2025, 4, 8, 11, 0)
THIRD_READ = dt.datetime(2025, 4, 15, 9, 45)
BASE = ((100, 15000), (40, 6000), (7, 1050), (3, 450))
SECOND = ((103, 15450), (40, 6000), (12, 1800), (4, 600))  # sold 3, 0, 5, 1


def dex_device():
    """Serial SN-1001: a parent cabinet with A1, A2, B1 and a second cabinet with A1, every slot holding 15."""
    device = DeviceFactory(serial_number="SN-1001", asset="A-500")
    parent = PlanogramFactory(cabinet=CabinetFactory(device=device, index=1))
    extra = PlanogramFactory(cabinet=CabinetFactory(device=device, index=2))
    # Created out of grid order, so the match cannot lean on creation order.
    for planogram, position in ((parent, "B1"), (parent, "A2"), (extra, "A1"), (parent, "A1")):
        PlanogramSlotFactory(planogram=planogram, position=position, capacity=20, quantity=15, par_level=15)
    return device


def slot(device, cabinet_index, position) -> PlanogramSlot:
    return PlanogramSlot.objects.get(
        planogram__cabinet__device=device, planogram__cabinet__index=cabinet_index, position=position
    )


def audit(read_at, *counters, **identification) -> bytes:
    """An audit of SN-1001 whose n-th selection (named 10, 11, …) has the n-th (units, value) since initialisation."""
    identification.setdefault("serial", "SN-1001")
    selections = [
        WrittenSelection(str(10 + n), price=150, units_since_init=units, value_since_init=value)
        for n, (units, value) in enumerate(counters)
    ]
    return dex_audit_file(selections=selections, read_at=read_at, **identification)


def imported(data: bytes, name="audit.dex", user=None) -> DexImport:
    record, _ = dex_import(file_name=name, data=data, user=user)
    return record


def local(naive: dt.datetime) -> dt.datetime:
    return timezone.make_aware(naive)
