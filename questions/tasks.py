"""Notification emails as Celery tasks, queued once the posting transaction commits."""

import logging
from collections.abc import Callable

from django.db import transaction

from questions import emails
from smrsite import jobs
from smrsite.celery import app

logger = logging.getLogger(__name__)

NOTIFICATIONS = {
    "notify_reply": emails.notify_reply,
    "notify_new_question": emails.notify_new_question,
}


# The task keeps the name it had in the techniques app: messages queued by the release
# before the move still find it on a worker running this one.
@app.task(name="techniques.send_notification", ignore_result=True)
def send_notification(kind: str, comment_id: int) -> int:
    """Send the emails of ``kind`` about one comment; failures are logged, never raised."""
    try:
        return NOTIFICATIONS[kind](comment_id)
    except Exception:
        logger.exception("Could not send %s for comment %s", kind, comment_id)
        return 0


def notify_after_commit(send: Callable[[int], int], comment_id: int) -> None:
    """Send ``send(comment_id)``'s emails once the current transaction commits.

    On a Celery worker when a broker is configured, inline otherwise; failures are
    logged (by the task, or here if even queueing it fails), never raised.
    """

    def run() -> None:
        try:
            jobs.enqueue(send_notification, send.__name__, comment_id)
        except Exception:
            logger.exception("Could not send %s for comment %s", send.__name__, comment_id)

    transaction.on_commit(run)
