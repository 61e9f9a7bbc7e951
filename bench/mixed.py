"""Pages read by many members and visitors while comments and logs land, against a bare view.

Run: .venv/bin/python bench/mixed.py [--seconds 60] [--rounds 3] [--redis-db 12] [--env NAME=VAL]

The bench/pages.py set-up (a fresh PostgreSQL database with 10,000 members, 100,000
comments with 500 on Psoas Press, 1,000,000 log rows; gunicorn with 2 sync workers,
production settings, Redis) under real traffic instead of one hot session:

- readers: after one untimed read of each public page (a running site has them built),
  wrk (2 threads, 20 connections) drives one page kind at a time, each request
  taking the next of many addresses and sessions: the bare view, home, the catalogue
  (every ``?region=``), every technique page read anonymously, technique pages read by
  1,000 distinct signed-in members (each on a random technique), "today" for the same
  1,000 members, and the bare view again. Each page kind gets an equal share of
  ``--seconds``;
- writers, in this process, for the whole run: 2 comments a second on random techniques
  by random members (``questions.services.comment_create``, as the comment form posts),
  and 10 log submissions a second for random members of the 1,000 (:func:`submit_log`,
  the service the "today" form calls), from two threads with half the members each;
- freshness: after every comment, the page that shows it is read by a visitor and by a
  signed-in member (not the author) until it does: a read that started after the commit
  and does not show it is stale; after every log submission, the member's "today" is read
  once and must show it. The reads queue behind wrk's like any reader's.

Prints requests/s, p50/p99 and errors per page kind, each as a share of the mean of the
two bare-view runs, the writes made, the comment delays (max, p99, stale reads after
1 s) and the logs not shown at once, and whether the targets hold (a run whose writers
fell below 95% of their rates does not count: it measured a lighter load). ``--env`` passes a
setting to the servers, e.g. ``--env USER_CACHE_SECONDS=0`` to measure without a layer.

With ``--rounds N`` each page kind is measured N times instead, each run (one phase long)
right after a run of the bare view, the writes going on all along, and the round with
the median ratio is reported: a 60 s run's phases are minutes apart from its two
bare-view runs, and on this shared machine that alone moved a page's ratio by half.
"""

import argparse
import random
import re
import secrets
import shutil
import signal
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._data import PSOAS, Bench, Gunicorn, generate, request, session_cookie
from bench.pages import (
    cpu_times,
    load_average,
    median_baseline,
    median_round,
    parse_wrk,
    stolen_since,
)

READERS = 1_000
COMMENTS_PER_SECOND = 2
LOGS_PER_SECOND = 10
# One thread of this process fell to 9.2 logs a second while the host took 7% of the
# CPU: each submission waits on the database and the GIL in turn, so two threads at
# half the rate each keep the load the issue asks for on a slow or busy host.
LOG_WRITERS = 2
FRESH_WITHIN = 1.0
# A run counts only if the writers made this share of their writes.
WRITES_KEPT_UP = 0.95
TARGETS = {"technique, signed in": 0.15, "today": 0.20, "technique, anonymous": 0.40}
PHASES = (
    "baseline",
    "home",
    "catalogue",
    "technique, anonymous",
    "technique, signed in",
    "today",
    "baseline (again)",
)

# Each wrk thread walks the address list from its own offset; any answer but 200 is
# counted (a 302 to the sign-in page would otherwise pass as a success).
WRK_SCRIPT = r"""
local lines = {}
local threads = {}
local position = 0
local bad = 0

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local path, cookie = line:match("^([^\t]*)\t?(.*)$")
    table.insert(lines, {path, cookie})
  end
  position = offset or 0
end

function request()
  position = position + 1
  local entry = lines[(position % #lines) + 1]
  local headers = {}
  if entry[2] ~= "" then headers["Cookie"] = entry[2] end
  return wrk.format("GET", entry[1], headers)
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (thread:get("bad") or 0) end
  io.write(string.format("Not 200: %d\n", total))
end
"""


def submit_log(member_id: int, note: str) -> None:
    """One submission of the "today" form for ``member_id``: the first technique of their
    plan done, with ``note``, read and saved as ``routines.views.log`` does it."""
    from django.utils import timezone

    from routines import selectors, services
    from routines.models import Routine

    routine = Routine.objects.select_related("member").get(member_id=member_id)
    day = selectors.local_date(selectors.member_time_zone(routine.member), timezone.now())
    overview = selectors.today_overview(routine, today=day)
    row = overview.loggable[0]
    item = services.ItemLog(
        technique=overview.data.techniques[row.item.slug],
        status="done",
        sensitivity="less",
        movement="better",
        note=note,
    )
    services.day_log_save(routine=routine, day=day, items=[item], before=overview.data)


@dataclass
class Freshness:
    """What the writers did and what the readers saw right after."""

    comments: int = 0
    comment_errors: list[str] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)
    stale_reads: int = 0
    stale_after_limit: int = 0
    never_shown: int = 0
    logs: int = 0
    log_errors: list[str] = field(default_factory=list)
    logs_not_shown: int = 0
    probe_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class ProbeFailed(Exception):
    """A reader's check got no page (an error status or no answer): not a stale read."""


def _shows(port: int, path: str, cookie: str | None, token: str) -> bool:
    headers = {"Cookie": cookie} if cookie else {}
    try:
        status, _, body = request("127.0.0.1", port, "GET", path, headers=headers, timeout=30)
    except OSError as error:
        raise ProbeFailed(f"{path}: {error!r}") from error
    if status != 200:
        raise ProbeFailed(f"{path}: status {status}")
    return token.encode() in body


def _checked(seen: "Freshness", check, *args) -> None:
    """Run a reader's check in the pool, keeping its failure as a figure of the run."""
    try:
        check(*args)
    except ProbeFailed as failure:
        with seen.lock:
            seen.probe_errors.append(str(failure))


def _paced(rate: float, stop: threading.Event, step) -> None:
    """Call ``step`` ``rate`` times a second until ``stop``.

    Calls that fall behind are made up, up to a second's worth: a writer slowed by a
    busy phase still writes at ``rate`` over the run (the report checks that it did),
    without a burst of more than a second's writes at once.
    """
    interval = 1 / rate
    due = time.monotonic()
    while not stop.is_set():
        step()
        due += interval
        pause = due - time.monotonic()
        if pause > 0:
            stop.wait(pause)
        elif pause < -1:
            due = time.monotonic() - 1


def comment_writer(port, authors, reader_cookie, techniques, stop, seen: Freshness, probes, seed):
    """Post comments on random techniques; time until each shows to the next readers."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from questions import selectors, services
    from techniques.models import Technique

    rng = random.Random(seed)
    users = get_user_model().objects

    def probe(path: str, token: str, posted: float) -> None:
        # A read is stale when it started after the commit and does not show the
        # comment; a read queued behind others is late, not stale.
        staleness, stale, late = 0.0, 0, 0
        for cookie in (None, reader_cookie):
            while True:
                started = time.monotonic() - posted
                if _shows(port, path, cookie, token):
                    break
                if started > 5:
                    with seen.lock:
                        seen.never_shown += 1
                    return
                stale += 1
                late += started > FRESH_WITHIN
                staleness = max(staleness, time.monotonic() - posted)
                time.sleep(0.05)
        with seen.lock:
            seen.stale_reads += stale
            seen.stale_after_limit += late
            seen.delays.append(staleness)

    def step() -> None:
        token = f"mixed-{secrets.token_hex(6)}"
        try:
            technique = Technique.objects.get(slug=rng.choice(techniques))
            comment = services.comment_create(
                technique=technique,
                author=users.get(pk=rng.choice(authors)),
                body=f"How often is too often for this one? {token}",
            )
            number = selectors.comment_page_number(comment=comment, viewer=AnonymousUser())
        except Exception as error:
            with seen.lock:
                seen.comment_errors.append(repr(error))
            return
        posted = time.monotonic()
        with seen.lock:
            seen.comments += 1
        path = technique.get_absolute_url() + (f"?comments={number}" if number > 1 else "")
        probes.submit(_checked, seen, probe, path, token, posted)

    try:
        _paced(COMMENTS_PER_SECOND, stop, step)
    finally:
        connection.close()


def log_writer(port, members, cookies, rate, stop, seen: Freshness, probes, seed):
    """Submit ``rate`` logs a second for random members of ``members``; each member's
    "today" must show theirs at once."""
    from django.db import connection

    rng = random.Random(seed)

    def probe(cookie: str, token: str) -> None:
        shown = _shows(port, "/routine/", cookie, token)
        with seen.lock:
            seen.logs_not_shown += not shown

    # Each member in turn, in a shuffled order: with 500 members at 5 a second a member's
    # next log comes 100 s later, so the check of one log never meets the next's token.
    order = list(range(len(members)))
    rng.shuffle(order)
    turns = iter(order * 10)

    def step() -> None:
        n = next(turns)
        token = f"mixed{secrets.token_hex(6)}"
        try:
            submit_log(members[n], token)
        except Exception as error:
            with seen.lock:
                seen.log_errors.append(repr(error))
            return
        with seen.lock:
            seen.logs += 1
        probes.submit(_checked, seen, probe, cookies[n], token)

    try:
        _paced(rate, stop, step)
    finally:
        connection.close()


def wrk(base: str, lines: list[str], *, seconds: int, work: Path, label: str) -> dict:
    import subprocess

    name = re.sub(r"\W+", "-", label)
    addresses = work / f"{name}.txt"
    addresses.write_text("\n".join(lines) + "\n")
    script = work / "mixed.lua"
    script.write_text(WRK_SCRIPT)
    command = ["wrk", "-t2", "-c20", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    command += ["-s", str(script), base, "--", str(addresses)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    figures = parse_wrk(done.stdout)
    found = re.search(r"Not 200: (\d+)", done.stdout)
    figures["not_200"] = int(found.group(1)) if found else 0
    if not figures["requests"]:
        print(done.stdout, done.stderr, sep="\n")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="the whole run; shared by pages")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs per page, each right after a run of the bare view, the writes going on "
        "all along; the median ratio is reported (each run is as long as one phase of "
        "--seconds)",
    )
    parser.add_argument("--redis-db", type=int, default=12, help="Redis database of this run")
    parser.add_argument(
        "--env", action="append", default=[], help="NAME=VALUE for the servers (repeatable)"
    )
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database and folder")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk; scripts/setup.sh does it)")
    extra = dict(item.split("=", 1) for item in args.env)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench("mixed", keep=args.keep, redis_db=args.redis_db)
    try:
        started = time.perf_counter()
        bench.setup_django(**extra)
        print(
            f"database {bench.db_name}: migrated, seeded in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        data = generate(members=args.members, comments=args.comments, log_rows=args.log_rows)
        rows = ", ".join(f"{k} {v:,}" for k, v in data.counts.items())
        print(f"data: {rows} ({time.perf_counter() - started:.1f} s)", flush=True)
        run(bench, data, args, extra)
    finally:
        bench.cleanup()


def run(bench: Bench, data, args, extra: dict) -> None:
    from questions.models import Comment
    from techniques.models import Region, Technique

    rng = random.Random(7)
    readers = rng.sample(data.member_ids, READERS)
    started = time.perf_counter()
    cookies = []
    for member_id in readers:
        name, key = session_cookie(member_id)
        cookies.append(f"{name}={key}")
    print(f"{READERS} signed-in sessions made in {time.perf_counter() - started:.1f} s")
    slugs = list(Technique.objects.published().values_list("slug", flat=True))
    regions = list(Region.objects.values_list("slug", flat=True))
    # Members whose comments go live at once (one of theirs is published already).
    authors = list(
        Comment.objects.filter(status=Comment.Status.PUBLISHED, author__is_staff=False)
        .order_by()
        .values_list("author_id", flat=True)
        .distinct()[:500]
    )
    addresses = {
        "baseline": ["/bench/baseline\t"],
        "home": ["/\t"],
        "catalogue": ["/techniques/\t", *(f"/techniques/?region={r}\t" for r in regions)],
        "technique, anonymous": [f"/techniques/{s}/\t" for s in slugs],
        "technique, signed in": [
            f"/techniques/{rng.choice([PSOAS, *slugs])}/\t{cookie}" for cookie in cookies
        ],
        "today": [f"/routine/\t{cookie}" for cookie in cookies],
    }
    addresses["baseline (again)"] = addresses["baseline"]
    seconds = max(1, args.seconds // len(PHASES))
    seen = Freshness()
    results = {}
    stop = threading.Event()
    # Readers' checks run beside the writers, so a slow page never slows the writes.
    probes = ThreadPoolExecutor(max_workers=4)
    cpu_start = cpu_times()
    with Gunicorn(bench, workers=args.workers, **extra) as server:
        base = f"http://127.0.0.1:{server.port}"
        for path, cookie in (("/routine/", cookies[0]), (f"/techniques/{PSOAS}/", cookies[0])):
            status, _, body = request(
                "127.0.0.1", server.port, "GET", path, headers={"Cookie": cookie}
            )
            if status != 200 or b"Sign out" not in body:
                raise SystemExit(f"{path}: status {status} or not signed in; not measuring")
        # A running site has its public pages built: one untimed read of each before the
        # writes start, so the first phases do not measure a cold start.
        for label in ("home", "catalogue", "technique, anonymous"):
            for line in addresses[label]:
                request("127.0.0.1", server.port, "GET", line.split("\t")[0])
        print(
            f"gunicorn: {args.workers} sync workers on {base}, {extra or 'default settings'}; "
            f"{seconds} s a page; load average {load_average()}",
            flush=True,
        )
        writers = [
            threading.Thread(
                target=comment_writer,
                args=(server.port, authors, cookies[-1], slugs, stop, seen, probes, 1),
            ),
            *(
                # Each thread has its own members, so no member gets two logs at once.
                threading.Thread(
                    target=log_writer,
                    args=(
                        server.port,
                        readers[n::LOG_WRITERS],
                        cookies[n::LOG_WRITERS],
                        LOGS_PER_SECOND / LOG_WRITERS,
                        stop,
                        seen,
                        probes,
                        2 + n,
                    ),
                )
                for n in range(LOG_WRITERS)
            ),
        ]
        for writer in writers:
            writer.start()
        begun = time.monotonic()
        try:
            if args.rounds > 1:
                results = _paired_rounds(base, addresses, seconds, bench.work, args.rounds)
            else:
                for label in PHASES:
                    results[label] = wrk(
                        base, addresses[label], seconds=seconds, work=bench.work, label=label
                    )
                    print(f"  measured {label}: {results[label]['rps']:.0f} req/s", flush=True)
        finally:
            stop.set()
            for writer in writers:
                writer.join(timeout=30)
            elapsed = time.monotonic() - begun
            probes.shutdown(wait=True)
        server_errors = server.errors_logged()
    report(results, seen, elapsed, server_errors, cpu_start)


def _paired_rounds(base: str, addresses: dict, seconds: int, work: Path, rounds: int) -> dict:
    """Each page kind ``rounds`` times, each run right after a bare-view run (see
    ``bench.pages.median_round``): the writers' load and the caches they empty change
    over a run, so a page is compared with the bare view under the same load."""
    error_keys = ("not_200", "socket_errors")
    baselines, results = [], {}
    for label in PHASES:
        if label.startswith("baseline"):
            continue
        results[label], bares = median_round(
            rounds,
            lambda: wrk(base, addresses["baseline"], seconds=seconds, work=work, label="baseline"),
            lambda label=label: wrk(
                base, addresses[label], seconds=seconds, work=work, label=label
            ),
            error_keys,
        )
        baselines += bares
        shown = ", ".join(f"{r:.1%}" for r in results[label]["ratios"])
        print(f"  measured {label}: {results[label]['rps']:.0f} req/s; ratios {shown}", flush=True)
    return {"baseline": median_baseline(baselines, error_keys), **results}


def report(
    results: dict, seen: Freshness, elapsed: float, server_errors: list[str], cpu_start: list[int]
) -> None:
    print()
    if "baseline (again)" in results:
        baseline = (results["baseline"]["rps"] + results["baseline (again)"]["rps"]) / 2
        print(f"ratio against the mean of the two baseline runs ({baseline:.0f} req/s)")
    else:
        baseline = results["baseline"]["rps"]
        runs = results["baseline"]["runs"]
        print(
            f"each page's round with the median ratio to the bare-view run just before it "
            f"(bare view: median of its {runs} runs, {baseline:.0f} req/s)"
        )
    print(
        f"{'page':<22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} {'target':>7} errors"
    )
    failures = []
    for label, figures in results.items():
        ratio = figures.get("ratio", figures["rps"] / baseline if baseline else 0.0)
        errors = figures["not_200"] + figures["socket_errors"]
        target = TARGETS.get(label)
        mark = ""
        if target is not None and ratio < target:
            mark = "  MISSED"
            failures.append(f"{label}: {ratio:.1%} < {target:.0%}")
        if errors:
            failures.append(f"{label}: {errors} errors")
        print(
            f"{label:<22} {figures['rps']:8.0f} {figures['p50']:8.1f} {figures['p99']:8.1f} "
            f"{ratio:7.1%} {f'{target:.0%}' if target else '-':>7} {errors:6d}{mark}"
        )
    delays = sorted(seen.delays)
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else float("nan")
    print(
        f"\nwrites in {elapsed:.0f} s: {seen.comments} comments "
        f"({seen.comments / elapsed:.1f}/s), {seen.logs} log submissions "
        f"({seen.logs / elapsed:.1f}/s); errors: {len(seen.comment_errors)} comments, "
        f"{len(seen.log_errors)} logs"
    )
    for error in (seen.comment_errors + seen.log_errors)[:5]:
        print("  ", error)
    print(
        f"comment missing from reads started after its commit (visitor, then member): "
        f"{seen.stale_reads} stale reads, {seen.stale_after_limit} of them after "
        f"{FRESH_WITHIN:.0f} s; staleness median "
        f"{statistics.median(delays) * 1000 if delays else float('nan'):.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {(delays[-1] if delays else float('nan')) * 1000:.0f} ms; "
        f"never shown within 5 s: {seen.never_shown}"
    )
    print(f"own log not on the member's next 'today': {seen.logs_not_shown} of {seen.logs}")
    print(f"readers' checks that got no page: {len(seen.probe_errors)}")
    for error in seen.probe_errors[:5]:
        print("  ", error)
    if seen.comment_errors or seen.log_errors:
        failures.append("write errors")
    # The targets hold under the writes asked for: a writer that fell behind measured less.
    for label, made, rate in (
        ("comments", seen.comments, COMMENTS_PER_SECOND),
        ("log submissions", seen.logs, LOGS_PER_SECOND),
    ):
        if made < WRITES_KEPT_UP * rate * elapsed:
            failures.append(f"{label} at {made / elapsed:.1f}/s, not {rate}/s")
    if seen.stale_after_limit or seen.never_shown:
        failures.append(f"comments stale after {FRESH_WITHIN:.0f} s")
    if seen.probe_errors:
        failures.append(f"{len(seen.probe_errors)} checks got no page")
    if seen.logs_not_shown:
        failures.append(f"{seen.logs_not_shown} logs not shown at once")
    if server_errors:
        failures.append(f"{len(server_errors)} error lines in the server log")
        print("\n".join(server_errors[:10]))
    print(f"load average after the run: {load_average()}")
    print(f"CPU time taken by the host's other machines during the run: {stolen_since(cpu_start)}")
    print("targets:", "met" if not failures else "NOT met: " + "; ".join(failures))


if __name__ == "__main__":
    main()
