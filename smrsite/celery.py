"""The Celery app: slow work (notification emails, PDF prebuilds) on workers.

Used only when ``CELERY_BROKER_URL`` is set; otherwise :func:`smrsite.jobs.enqueue`
runs the same tasks inline. Start a worker with
``celery -A smrsite.celery worker --loglevel=INFO``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrsite.settings")

app = Celery("smrsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
