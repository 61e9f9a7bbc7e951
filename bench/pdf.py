"""How much a cached PDF download saves: cold render vs stored file, booklet time, sizes.

Run: .venv/bin/python bench/pdf.py
Uses a throwaway SQLite database with the shipped catalogue and a temporary
MEDIA_ROOT, so it touches nothing of the dev site. Prints times as medians.

"Cold" means what a visitor meets on a server: a download, through the whole request
path (test client), of a technique whose PDF is not stored yet, in a process that has
run ``techniques.pdf.warm_up()`` as every gunicorn worker does before it takes
requests (``post_worker_init`` in gunicorn.conf.py). The first such download after the
warm-up is timed on its own; the median comes from repeating it with the stored file
deleted each time. For comparison the script also times the first download in a fresh
process that skipped the warm-up, which pays for importing the URLconf, WeasyPrint and
the fonts. The aims: the slowest cold download under 0.5 s, the median cold download at
least 50 times a cached one, a handout under 300 KB.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="smr-bench-pdf-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "smrsite.settings"
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'db.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")

SLUG = "psoas-press"
URL = f"/techniques/{SLUG}/pdf/"
REPEATS = 7
CACHED_REPEATS = 200

# Run by a fresh interpreter: set up like a gunicorn worker without post_worker_init
# (settings, apps, middleware), then its first download, in milliseconds.
_UNWARMED = f"""
import time, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="testserver")
client.handler.load_middleware()
started = time.perf_counter()
response = client.get("{URL}")
assert response.status_code == 200, response.status_code
print((time.perf_counter() - started) * 1000)
"""


def timed(func, repeats):
    times = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def unwarmed_first_download() -> float:
    """The first download in a process that skipped the warm-up, own media folder."""
    env = {**os.environ, "MEDIA_ROOT": str(WORK / "media-unwarmed")}
    output = subprocess.run(
        [sys.executable, "-c", _UNWARMED], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if output.returncode:
        raise SystemExit(output.stderr)
    return float(output.stdout.split()[-1]) / 1000


def main() -> None:
    started = time.perf_counter()
    import django

    django.setup()
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("seed_catalogue", verbosity=0)
    setup_time = time.perf_counter() - started

    unwarmed = unwarmed_first_download()

    started = time.perf_counter()
    from techniques import pdf, selectors

    pdf.warm_up()
    warm_up_time = time.perf_counter() - started

    client = Client(HTTP_HOST="testserver")
    # gunicorn's WSGI handler loads the middleware when the worker boots, too.
    client.handler.load_middleware()

    def cold_download():
        response = client.get(URL)
        assert response.status_code == 200, response.status_code
        return response

    first_cold, response = timed(cold_download, 1)
    first_bytes = response.content
    stored = pdf.stored_name(SLUG, response["ETag"].strip('"'))

    cold_times = [first_cold]
    for _ in range(REPEATS):
        default_storage.delete(stored)
        cold_times.append(timed(cold_download, 1)[0])
    cold = statistics.median(cold_times)
    letter = client.get(URL, {"size": "letter"}).content

    def cached_download():
        response = client.get(URL)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    cached, cached_bytes = timed(cached_download, CACHED_REPEATS)
    assert cached_bytes == first_bytes
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        cached_download()
    etag = response["ETag"]
    not_modified, answer = timed(lambda: client.get(URL, HTTP_IF_NONE_MATCH=etag), CACHED_REPEATS)
    assert answer.status_code == 304

    techniques = list(selectors.technique_handouts())
    started = time.perf_counter()
    booklet = pdf.booklet_document(
        techniques, region=None, size="a4", site_url="http://testserver/"
    ).render(image_cache={})
    booklet_time = time.perf_counter() - started
    hip = selectors.region_list().get(slug="hip")
    started = time.perf_counter()
    hip_booklet = pdf.booklet_document(
        list(selectors.technique_handouts(region=hip)),
        region=hip,
        size="a4",
        site_url="http://testserver/",
    ).render(image_cache={})
    hip_time = time.perf_counter() - started

    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(first_bytes)).pages)
    booklet_pages = len(PdfReader(io.BytesIO(booklet)).pages)

    runs = len(cold_times)
    rows = [
        ("setup (django, migrate, seed)", f"{setup_time:.2f} s"),
        ("first download in a fresh process, no warm-up", f"{unwarmed * 1000:.0f} ms"),
        ("worker warm-up (import techniques.pdf, warm_up())", f"{warm_up_time * 1000:.0f} ms"),
        (f"cold download {SLUG} A4, first after warm-up", f"{first_cold * 1000:.0f} ms"),
        (f"cold download, median of {runs} (stored file deleted)", f"{cold * 1000:.0f} ms"),
        (f"cold download, slowest of {runs}", f"{max(cold_times) * 1000:.0f} ms"),
        (f"cached download (median of {CACHED_REPEATS})", f"{cached * 1000:.2f} ms"),
        (f"conditional GET -> 304 (median of {CACHED_REPEATS})", f"{not_modified * 1000:.2f} ms"),
        ("queries per cached download", str(len(queries))),
        ("ratio median cold / cached", f"{cold / cached:.0f}x"),
        ("ratio first download without warm-up / cached", f"{unwarmed / cached:.0f}x"),
        (f"booklet, whole catalogue ({len(techniques)} techniques)", f"{booklet_time:.2f} s"),
        ("booklet, hip region", f"{hip_time:.2f} s"),
        (f"size {SLUG} A4 ({pages} pages)", f"{len(first_bytes) / 1024:.1f} KB"),
        (f"size {SLUG} Letter", f"{len(letter) / 1024:.1f} KB"),
        (f"size booklet ({booklet_pages} pages)", f"{len(booklet) / 1024:.1f} KB"),
        ("size hip booklet", f"{len(hip_booklet) / 1024:.1f} KB"),
    ]
    for label, value in rows:
        print(f"{label:<52} {value:>10}")
    ok = max(cold_times) < 0.5 and cold / cached >= 50 and len(first_bytes) < 300 * 1024
    print("aims (cold < 0.5 s, cold >= 50x cached, < 300 KB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
