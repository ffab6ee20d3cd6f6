"""Enqueue Celery tasks without letting a broker outage break the caller.

Documents and mail go through the background-job pipeline (partnership/jobs.py); `enqueue` is left
for the nightly purge, one task per child whose data is due (referrals/tasks.py).

Sweeps derive their work from the database, so a task that could not be enqueued is simply found
again by the next sweep: log the failure and go on.
"""

import logging

from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

BROKER_ERRORS = (KombuOperationalError, ConnectionError, OSError, TimeoutError)


def enqueue(task, *args) -> bool:
    """Send the task with these (id) arguments; False, logged, when the broker is unreachable."""
    try:
        task.delay(*args)
    except BROKER_ERRORS as error:
        logger.warning("Could not enqueue %s%s: %s; the next sweep retries", task.name, args, error)
        return False
    return True
