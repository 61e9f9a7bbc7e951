"""How much a cached PDF download saves: cold render vs stored file, booklet time, sizes.

Run: .venv/bin/python bench/pdf.py
Uses a throwaway SQLite database with the shipped catalogue and a temporary
MEDIA_ROOT, so it touches nothing of the dev site. Prints times as medians.
"""

import os
import statistics
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
REPEATS = 7
CACHED_REPEATS = 200


def timed(func, repeats):
    times = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    started = time.perf_counter()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("seed_catalogue", verbosity=0)
    import_time = time.perf_counter() - started

    from techniques import pdf, selectors

    site_url = "http://testserver/"
    technique = selectors.technique_handouts().get(slug=SLUG)

    started = time.perf_counter()
    document = pdf.technique_document(technique, size="a4", site_url=site_url)
    first_bytes = document.render()
    first_render = time.perf_counter() - started
    warm_render, _ = timed(
        lambda: pdf.technique_document(technique, size="a4", site_url=site_url).render(), REPEATS
    )
    letter = pdf.technique_document(technique, size="letter", site_url=site_url).render()

    client = Client(HTTP_HOST="testserver")
    url = f"/techniques/{SLUG}/pdf/"
    response = client.get(url)  # renders and stores
    assert response.status_code == 200, response.status_code

    def cached_download():
        response = client.get(url)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    cached, cached_bytes = timed(cached_download, CACHED_REPEATS)
    assert cached_bytes.startswith(b"%PDF")
    etag = response["ETag"]
    not_modified, _ = timed(lambda: client.get(url, HTTP_IF_NONE_MATCH=etag), CACHED_REPEATS)

    techniques = list(selectors.technique_handouts())
    started = time.perf_counter()
    booklet = pdf.booklet_document(techniques, region=None, size="a4", site_url=site_url).render(
        image_cache={}
    )
    booklet_time = time.perf_counter() - started
    hip = selectors.region_list().get(slug="hip")
    started = time.perf_counter()
    hip_booklet = pdf.booklet_document(
        list(selectors.technique_handouts(region=hip)), region=hip, size="a4", site_url=site_url
    ).render(image_cache={})
    hip_time = time.perf_counter() - started

    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(first_bytes)).pages)
    booklet_pages = len(PdfReader(io.BytesIO(booklet)).pages)

    print(f"setup (django, weasyprint import, migrate, seed)  {import_time:7.2f} s")
    print(f"cold render, first in process ({SLUG}, A4)  {first_render * 1000:7.0f} ms")
    print(f"cold render, warm process (median of {REPEATS})       {warm_render * 1000:7.0f} ms")
    print(f"cached download via test client (median of {CACHED_REPEATS}) {cached * 1000:7.2f} ms")
    print(
        f"conditional GET -> 304 (median of {CACHED_REPEATS})        {not_modified * 1000:7.2f} ms"
    )
    print(f"ratio warm render / cached download            {warm_render / cached:7.0f}x")
    print(f"ratio first render / cached download          {first_render / cached:7.0f}x")
    print(f"booklet, whole catalogue ({len(techniques)} techniques)    {booklet_time:7.2f} s")
    print(f"booklet, hip region                            {hip_time:7.2f} s")
    print(f"size {SLUG} A4 ({pages} pages)                  {len(first_bytes) / 1024:7.1f} KB")
    print(f"size {SLUG} Letter                        {len(letter) / 1024:7.1f} KB")
    print(f"size booklet ({booklet_pages} pages)                     {len(booklet) / 1024:7.1f} KB")
    print(f"size hip booklet                               {len(hip_booklet) / 1024:7.1f} KB")
    ok = warm_render / cached >= 50 and first_render < 0.5 and len(first_bytes) < 300 * 1024
    print("targets (>=50x, cold < 0.5 s, < 300 KB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
