"""Machines: device and cabinet types, the fleet's devices and cabinets, and every slot with its stock and price."""

from dataclasses import dataclass

import numpy as np

from demo.fleet.catalogue import CATEGORY_CAPACITY
from demo.fleet.draws import allocate
from demo.fleet.keys import DEMO_PREFIX
from demo.fleet.venues import PREMIUM_VENUES, VENUES, demand_weights


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


def plan_devices(
    rng: np.random.Generator, location_of_device, route_of_device
) -> tuple[list[DevicePlan], list[CabinetPlan]]:
    """Each device's type, model and serial number, and its cabinets: the parent, then extras where the type allows."""
    n_devices = len(location_of_device)
    type_of_device = allocate(rng, n_devices, {spec.name: spec.share for spec in DEVICE_TYPES})
    expandable = np.flatnonzero([DEVICE_TYPES[t].allows_additional_cabinets for t in type_of_device])
    cabinet_count = np.ones(n_devices, dtype=np.int64)
    cabinet_count[expandable] = 1 + allocate(rng, len(expandable), CABINET_COUNT_SHARES)
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


def plan_slots(rng: np.random.Generator, products, cabinets, venue_of_device) -> SlotTable:
    """Fill each cabinet's grid with products that sell at its venue, then give slots stock and odd states."""
    category_of = np.array([p.category for p in products])
    stocked = np.array([p.stocked for p in products])
    demand_by_venue = [demand_weights(products, venue) for venue in VENUES]
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
