"""Settings for benchmark servers only: the site's own settings plus a bare baseline view.

bench/pages.py and bench/load.py start gunicorn with
``DJANGO_SETTINGS_MODULE=bench.bench_settings``. Everything (middleware, cache,
sessions, production switches) comes from ``smrsite.settings`` and the environment;
only the URLconf gains ``/bench/baseline``, and the load test may let ``?date=`` pick
the day (``BENCH_DATE_OVERRIDE=1``) so each client can log a new day per round.
"""

from smrsite.settings import *  # noqa: F403
from smrsite.settings import env

ROOT_URLCONF = "bench.bench_urls"
ROUTINES_ALLOW_DATE_OVERRIDE = env.bool("BENCH_DATE_OVERRIDE", default=False)
