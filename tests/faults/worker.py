"""``python -m tests.faults.worker``: the portal's Celery worker as deployed, on the fault test's broker and queue.

The settings are production's (the environment says which database and broker). Two things come
from the test: the queue to consume (``FAULTS_QUEUE``), so nothing else on the broker reaches this
worker, and the broker's transport options (``FAULTS_BROKER_TRANSPORT_OPTIONS``, JSON), so a test
can shorten Redis's visibility timeout and see an unacknowledged task delivered again in seconds
rather than an hour.
"""

import json
import os
import sys


def main() -> None:
    from cvd_portal.celery import app

    queue = os.environ["FAULTS_QUEUE"]
    app.conf.task_default_queue = queue
    app.conf.broker_transport_options = json.loads(os.environ.get("FAULTS_BROKER_TRANSPORT_OPTIONS") or "{}")
    app.worker_main(
        [
            "worker",
            "--queues",
            queue,
            "--pool=prefork",
            *sys.argv[1:],
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ]
    )


if __name__ == "__main__":
    main()
