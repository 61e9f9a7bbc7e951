"""The Celery app: slow work (notification emails, PDF prebuilds) on workers.

Used only when ``CELERY_BROKER_URL`` is set; otherwise :func:`smrsite.jobs.enqueue`
runs the same tasks inline. Start a worker with
``celery -A smrsite.celery worker --loglevel=INFO``.
"""

import logging
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrsite.settings")

logger = logging.getLogger(__name__)

app = Celery("smrsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_pdf_renderer(**kwargs) -> None:
    """Each worker process loads WeasyPrint and its fonts before its first PDF prebuild.

    The same warm-up gunicorn workers run (``gunicorn.conf.py``); a failure is logged
    and the worker carries on, slower on its first render.
    """
    from techniques.pdf import warm_up

    try:
        warm_up()
    except Exception:
        logger.exception("PDF warm-up failed; the first PDF render will be slower")
