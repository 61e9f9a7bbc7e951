"""A bounded load test: 50 signed-in clients read, comment and log for 2 minutes.

Run: .venv/bin/python bench/load.py [--seconds 120] [--clients 50] [--keep]

Loopback only. Builds a PostgreSQL database with a unique name (dropped at the end
unless --keep) holding a tenth of bench/pages.py's data by default (--scale 1 for all
of it), starts gunicorn with production settings and runs --clients threads, each a
member with a session made by Django's SessionStore. Each round a client reads a page
(home, catalogue, a technique page; anonymous or signed in), posts a comment (fetches
the form, sends the CSRF cookie and token) or logs a day of its plan. The benchmark
settings let ``?date=`` choose the day (BENCH_DATE_OVERRIDE=1, as the test settings
do), so each log submission is a new day and every one can be checked; one in ten is
sent twice at once on purpose.

At the end the database is checked: no 5xx, no duplicate (member, technique, day) log
rows, every acknowledged log item stored and the number of rows equal to the distinct
expected ones, every acknowledged comment stored. Comments refused by the rate limit
(5 a minute per member) are counted as refused, not errors. Exits 1 on any violation.
"""

import argparse
import html
import random
import re
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._data import PSOAS, Bench, Gunicorn, generate, request, session_cookie

RATE_LIMITED = b"Take a breath and try again"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
TECHNIQUE_INPUT = re.compile(rb'name="(form-\d+)-technique" value="([a-z0-9-]+)"')


@dataclass
class Tally:
    """What the clients saw; shared, so every change holds the lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)
    logged: set = field(default_factory=set)  # (member id, slug, day) acknowledged
    comments: set = field(default_factory=set)  # marker texts acknowledged
    latencies: list = field(default_factory=list)

    def saw(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)

    def count(self, action: str) -> None:
        with self.lock:
            self.actions[action] += 1

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


class Client:
    """One member's browser: a cookie jar over plain http.client requests."""

    def __init__(self, port: int, tally: Tally, member_id: int, cookie: tuple[str, str]):
        self.port = port
        self.tally = tally
        self.member_id = member_id
        self.jar = {cookie[0]: cookie[1]}

    def send(self, method: str, path: str, *, form: dict | None = None, signed_in=True):
        headers = {}
        if signed_in:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            status, response_headers, content = request(
                "127.0.0.1", self.port, method, path, body=body, headers=headers
            )
        except OSError as error:
            self.tally.saw(0, time.perf_counter() - started)
            self.tally.fail(f"{method} {path}: {error!r}")
            return 0, b""
        self.tally.saw(status, time.perf_counter() - started)
        if signed_in:
            for name, value in response_headers:
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.jar[key] = rest.split(";", 1)[0]
        if status >= 500:
            self.tally.fail(f"{method} {path}: {status}")
        return status, content


def read(client: Client, rng: random.Random, slugs: list[str]) -> None:
    path = rng.choice(["/", "/techniques/", f"/techniques/{PSOAS}/", *[None] * 3])
    path = path or f"/techniques/{rng.choice(slugs)}/"
    signed_in = rng.random() < 0.5
    client.send("GET", path, signed_in=signed_in)
    client.tally.count("read, signed in" if signed_in else "read, anonymous")


def comment(client: Client, rng: random.Random, slugs: list[str], run_id: str, n: int) -> None:
    slug = rng.choice([PSOAS, *slugs])
    status, page = client.send("GET", f"/techniques/{slug}/")
    token = CSRF_INPUT.search(page)
    if status != 200 or token is None:
        client.tally.fail(f"comment form on {slug}: status {status}, token {bool(token)}")
        return
    marker = f"load {run_id} member {client.member_id} comment {n}"
    form = {
        "csrfmiddlewaretoken": html.unescape(token.group(1).decode()),
        "kind": "question",
        "body": f"{marker}: does this help after a long drive?",
        "parent": "",
        "website": "",
    }
    status, page = client.send("POST", f"/techniques/{slug}/comments/", form=form)
    if status == 302:
        with client.tally.lock:
            client.tally.comments.add(marker)
        client.tally.count("comment accepted")
    elif status == 200 and RATE_LIMITED in page:
        client.tally.count("comment refused (rate limit)")
    else:
        client.tally.fail(f"comment on {slug}: unexpected status {status}")


def log_day(client: Client, rng: random.Random, day, twice: bool) -> None:
    query = f"?date={day.isoformat()}"
    status, page = client.send("GET", f"/routine/{query}")
    token = CSRF_INPUT.search(page)
    items = TECHNIQUE_INPUT.findall(page)
    if status != 200 or token is None:
        client.tally.fail(f"today {day}: status {status}")
        return
    if not items:
        # Everything of the day's region backed off after overuse: nothing to tick off.
        client.tally.count("log: nothing planned that day")
        return
    form = {
        "csrfmiddlewaretoken": html.unescape(token.group(1).decode()),
        "form-TOTAL_FORMS": str(len(items)),
        "form-INITIAL_FORMS": str(len(items)),
    }
    for prefix, slug in items:
        form[f"{prefix.decode()}-technique"] = slug.decode()
        form[f"{prefix.decode()}-status"] = "done"
        # Mostly good news; "more" with "worse" is overuse and backs the technique off.
        form[f"{prefix.decode()}-sensitivity"] = rng.choice(["less", "less", "same", "more"])
        form[f"{prefix.decode()}-movement"] = rng.choice(["better", "better", "same", "worse"])
    results = []

    def submit():
        results.append(client.send("POST", f"/routine/log/{query}", form=form)[0])

    if twice:
        # The same form sent twice at once, as a double click does.
        other = threading.Thread(target=submit)
        other.start()
        submit()
        other.join(timeout=120)
    else:
        submit()
    acknowledged = [s for s in results if s in (302, 303)]
    if acknowledged:
        with client.tally.lock:
            for _, slug in items:
                client.tally.logged.add((client.member_id, slug.decode(), day))
    client.tally.count("log double submit" if twice else "log submit")
    for status in results:
        if status not in (302, 303):
            client.tally.fail(f"log {day}: status {status}")


def client_loop(client, *, seed, deadline, slugs, run_id, first_day) -> None:
    rng = random.Random(seed)
    day = first_day
    comments = 0
    rounds = 0
    while time.monotonic() < deadline and rounds < 100_000:
        rounds += 1
        roll = rng.random()
        if roll < 0.5:
            read(client, rng, slugs)
        elif roll < 0.7:
            comments += 1
            comment(client, rng, slugs, run_id, comments)
        else:
            log_day(client, rng, day, twice=rng.random() < 0.1)
            day += timedelta(days=1)


def verify(tally: Tally, members: list[int], first_day, run_id: str) -> list[str]:
    from django.db.models import Count

    from questions.models import Comment
    from routines.models import LogEntry

    problems = []
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    if server_errors:
        problems.append(f"{server_errors} responses were 5xx")
    rows = LogEntry.objects.filter(member_id__in=members, day__gte=first_day)
    duplicates = (
        rows.values("member_id", "technique_id", "day").annotate(n=Count("id")).filter(n__gt=1)
    )
    if duplicates.exists():
        problems.append(f"{duplicates.count()} duplicate (member, technique, day) log rows")
    stored = set(rows.values_list("member_id", "technique__slug", "day"))
    lost = tally.logged - stored
    if lost:
        problems.append(f"{len(lost)} acknowledged log items missing, e.g. {sorted(lost)[:3]}")
    extra = stored - tally.logged
    total_rows = rows.count()
    if total_rows != len(stored) or stored != tally.logged:
        problems.append(
            f"log rows {total_rows}, distinct stored {len(stored)}, expected "
            f"{len(tally.logged)} ({len(extra)} stored without an acknowledgement)"
        )
    bodies = Comment.objects.filter(body__startswith=f"load {run_id} ").values_list(
        "body", flat=True
    )
    stored_markers = {body.split(":", 1)[0] for body in bodies}
    missing = tally.comments - stored_markers
    if missing:
        problems.append(f"{len(missing)} accepted comments missing, e.g. {sorted(missing)[:3]}")
    print(
        f"database: {total_rows} log rows for {len(tally.logged)} acknowledged items, "
        f"{len(stored_markers)} comments stored for {len(tally.comments)} accepted"
    )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--scale", type=float, default=0.1, help="share of pages.py's data")
    parser.add_argument("--keep", action="store_true", help="keep the database and folder")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 3600:
        raise SystemExit("--clients must be 1-200 and --seconds 1-3600")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench("load", keep=args.keep)
    try:
        bench.setup_django(BENCH_DATE_OVERRIDE="1")
        data = generate(
            members=max(int(10_000 * args.scale), args.clients + 2),
            comments=int(100_000 * args.scale),
            log_rows=int(1_000_000 * args.scale),
        )
        print("data:", ", ".join(f"{k} {v:,}" for k, v in data.counts.items()), flush=True)
        problems = run(bench, data, args)
    finally:
        bench.cleanup()
    print("result:", "OK" if not problems else "FAILED")
    for problem in problems:
        print("  -", problem)
    sys.exit(1 if problems else 0)


def run(bench: Bench, data, args) -> list[str]:
    from techniques.models import Technique

    slugs = list(Technique.objects.published().values_list("slug", flat=True))
    members = data.member_ids[2 : 2 + args.clients]
    # The clients log days after every generated one, so each submission is a new day.
    first_day = data.today + timedelta(days=1)
    tally = Tally()
    clients = []
    with Gunicorn(bench, workers=args.workers, BENCH_DATE_OVERRIDE="1") as server:
        for member in members:
            clients.append(Client(server.port, tally, member, session_cookie(member)))
        print(
            f"gunicorn: {args.workers} sync workers on 127.0.0.1:{server.port}; "
            f"{args.clients} clients for {args.seconds} s",
            flush=True,
        )
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(
                target=client_loop,
                args=(client,),
                kwargs={
                    "seed": n,
                    "deadline": deadline,
                    "slugs": slugs,
                    "run_id": bench.run_id,
                    "first_day": first_day,
                },
                daemon=True,
            )
            for n, client in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(deadline - time.monotonic(), 0) + 180)
        elapsed = time.monotonic() - started
        server_log_errors = server.errors_logged()
    requests = sum(tally.statuses.values())
    latencies = sorted(tally.latencies) or [0.0]
    print(f"{requests} requests in {elapsed:.0f} s ({requests / elapsed:.1f}/s)")
    print(
        f"latency p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms"
    )
    print("statuses:", dict(sorted(tally.statuses.items())))
    print("actions:", dict(sorted(tally.actions.items())))
    problems = verify(tally, members, first_day, bench.run_id)
    if any(thread.is_alive() for thread in threads):
        problems.append("some clients did not finish in time")
    if tally.failures:
        problems.append(f"{len(tally.failures)} failed requests, e.g. {tally.failures[:3]}")
    if server_log_errors:
        problems.append(f"{len(server_log_errors)} error lines in the server log")
    return problems


if __name__ == "__main__":
    main()
