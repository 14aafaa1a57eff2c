"""``python -m tests.faults.seed``: migrate the database DATABASE_URL names and put a small stocked fleet in it.

For a fault test whose portal runs on a PostgreSQL server of its own. Writes the fleet's slots and
the manager's login as JSON to the file ``FAULTS_SEED_OUTPUT`` names: the test's reference
computation starts from them.
"""

import json
import os
from pathlib import Path

import django

PASSWORD = "portal-pass-123"


def main() -> None:
    django.setup()
    from django.core.management import call_command

    from accounts import roles
    from accounts.tests.factories import UserFactory

    from .fleet import stocked_fleet

    call_command("migrate", verbosity=0)
    slots = stocked_fleet(4, history=False)
    manager = UserFactory(username="faults-manager", role=roles.MANAGER, password=PASSWORD)
    fleet = {
        "username": manager.username,
        "password": PASSWORD,
        "slots": [
            {
                "id": slot.pk,
                "device_id": slot.planogram.cabinet.device_id,
                "asset": slot.planogram.cabinet.device.asset,
                "position": slot.position,
                "product_id": slot.product_id,
                "quantity": slot.quantity,
            }
            for slot in slots
        ],
    }
    Path(os.environ["FAULTS_SEED_OUTPUT"]).write_text(json.dumps(fleet))


if __name__ == "__main__":
    main()
