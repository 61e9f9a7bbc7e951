"""Run slow work on a Celery worker when a broker is configured, else right here.

Callers do not care which: ``enqueue(tasks.send_notification, "notify_reply", 42)``.
A broker that cannot be reached is logged and the task runs inline instead, so a
Redis outage slows the request down but loses nothing.
"""

import logging
from typing import Any

from celery import Task
from django.conf import settings

logger = logging.getLogger(__name__)


def broker_configured() -> bool:
    return bool(getattr(settings, "CELERY_BROKER_URL", ""))


def enqueue(task: Task, *args: Any) -> Any:
    """Queue ``task(*args)`` for a worker, or run it inline when there is no broker.

    Returns the Celery ``AsyncResult`` when queued, the task's return value when run inline.
    """
    if broker_configured():
        try:
            return task.delay(*args)
        except Exception:
            logger.warning("Could not queue %s; running it inline", task.name, exc_info=True)
    return task.apply(args=args).get()
