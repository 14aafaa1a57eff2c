"""A deterministic demo fleet: locations, routes and drivers, devices with cabinets and planograms, a product catalogue
and vend-level sales history.

:func:`plan_demo_fleet` draws everything from one ``numpy.random.default_rng(seed)`` in a fixed order, so the same
seed and end date give the same rows (only database ids, ``auto_now`` timestamps and password salts differ).
:func:`build_demo_fleet` writes a plan with ``bulk_create`` and the sales with PostgreSQL's ``COPY``.

Demo rows carry :data:`DEMO_PREFIX` in device assets, route numbers and product SKUs; :func:`flush_demo_fleet` deletes
by it. Driver accounts (``driver1``, ``driver2``, …) are reused rather than deleted, so a password or token given to
them survives a reload.

Each module holds one concept's tables with the code that plans from them: ``catalogue`` (products), ``venues``
(venue mix and demand), ``places`` (sites and routes), ``machines`` (devices, cabinets, slots) and ``history``
(sales). ``keys`` holds the prefix, ``draws`` the random draws they share, ``plan`` puts the parts together and
``write`` loads the result.
"""

from demo.fleet.catalogue import CATALOGUE
from demo.fleet.keys import DEMO_PREFIX
from demo.fleet.plan import MAX_DAYS, MAX_DEVICES, FleetPlan, plan_demo_fleet
from demo.fleet.write import (
    DemoFleetExistsError,
    DemoFleetSummary,
    build_demo_fleet,
    demo_fleet_exists,
    flush_demo_fleet,
)

__all__ = [
    "CATALOGUE",
    "DEMO_PREFIX",
    "MAX_DAYS",
    "MAX_DEVICES",
    "DemoFleetExistsError",
    "DemoFleetSummary",
    "FleetPlan",
    "build_demo_fleet",
    "demo_fleet_exists",
    "flush_demo_fleet",
    "plan_demo_fleet",
]
