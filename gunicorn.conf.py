"""gunicorn settings for SMR Coach: ``gunicorn -c gunicorn.conf.py smrsite.wsgi``.

Every value can be overridden from the environment (``GUNICORN_WORKERS=5``) or on
the command line. Workers recycle after ``max_requests`` (with jitter, so they do not
all restart at once), which bounds any slow memory growth (WeasyPrint renders). The
limit is high because a worker serves about 500 cached pages a second: at 1,000 it
restarted every couple of seconds under load and dropped whole measurement windows.
Each worker warms the PDF renderer as it starts and then freezes what it has loaded
out of the garbage collector's reach (:func:`post_worker_init`).
"""

import gc
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# gunicorn's documented starting point: (2 x cores) + 1 sync workers.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'
# Behind a reverse proxy on the same host: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# GUNICORN_PRELOAD=true loads the app before forking (less memory, but a HUP then
# does not pick up new code).
preload_app = os.environ.get("GUNICORN_PRELOAD", "false").lower() == "true"


def post_worker_init(worker):
    """Warm the PDF renderer before the worker takes requests.

    Importing the URLconf and WeasyPrint and loading the fonts take about 0.8 s on our
    machine; without this the first visitor of each worker (also after every
    ``max_requests`` recycle) waits for them. A failed warm-up is logged and the worker
    serves anyway.
    """
    from techniques.pdf import warm_up

    try:
        warm_up()
    except Exception:
        worker.log.exception("PDF warm-up failed; the first PDF download will be slower")
    # Django, the templates and the fonts loaded so far live as long as the worker. Out
    # of the collector's generations, its full collections stop walking them: about 1 ms
    # less per signed-in technique page built (1.9 -> 0.8 ms of collection, in-process).
    gc.collect()
    gc.freeze()
