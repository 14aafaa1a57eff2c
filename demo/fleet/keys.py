"""The mark of demo rows.

Every demo row that has a natural key carries :data:`DEMO_PREFIX` in it (device assets, route numbers, product SKUs),
so a demo fleet can be found and flushed beside real data without a flag on the models.
"""

DEMO_PREFIX = "DEMO-"
