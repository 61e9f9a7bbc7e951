"""Requests per second and latency of the site's pages under wrk, as ratios to a bare view.

Run: .venv/bin/python bench/pages.py [--seconds 10] [--workers 2] [--keep] [--redis-db 12]
     [--rounds 3] [--env NAME=VALUE ...]   e.g. --env PAGE_CACHE_SECONDS=0: every cache off

Creates a PostgreSQL database with a unique name (dropped at the end unless --keep),
migrates, seeds the catalogue and writes 10,000 members with profiles and routines,
100,000 comments (500 of them on psoas-press), 1,000,000 log rows and a member with a
year of history. Then starts gunicorn on loopback with production settings (HTTPS
redirect off, a Redis cache under this run's own key prefix) and drives each page with
wrk (2 threads, 20 connections). Loopback only; every run is bounded by --seconds.
"""

import argparse
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._data import PSOAS, Bench, Gunicorn, generate, request, session_cookie

TARGETS = {
    "home": 0.60,
    "catalogue": 0.60,
    "technique, anonymous": 0.60,
    "technique, signed in": 0.20,
    "today": 0.30,
}
# Every cache off (--env PAGE_CACHE_SECONDS=0): what an honest render must reach.
UNCACHED_TARGETS = {
    "technique, anonymous": 0.09,
    "technique, signed in": 0.07,
    "today": 0.10,
}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(output: str) -> dict:
    """Requests/s, p50/p99 in ms, request count and error counts from ``wrk --latency``."""

    def latency(percent: str) -> float:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(found.group(1)) * UNITS[found.group(2)] if found else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50": latency("50"),
        "p99": latency("99"),
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in sockets.groups()) if sockets else 0,
    }


def wrk(url: str, *, seconds: int, cookie: str | None, threads: int, connections: int) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    figures = parse_wrk(done.stdout)
    if not figures["requests"]:
        print(done.stdout, done.stderr, sep="\n")
    return figures


def check(port: int, path: str, cookie: str | None, expect: bytes) -> None:
    """One request first: the page answers 200 and shows what it should (not a redirect)."""
    headers = {"Cookie": cookie} if cookie else {}
    status, _, body = request("127.0.0.1", port, "GET", path, headers=headers)
    if status != 200 or expect not in body:
        raise SystemExit(f"{path}: status {status}, {expect!r} not in the page; not measuring")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_times() -> list[int]:
    """The machine's CPU time so far by kind, in ticks (the first line of /proc/stat)."""
    return [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def stolen_since(start: list[int]) -> str:
    """The share of CPU time since ``start`` that the host gave to other machines.

    On a shared host a neighbour's burst takes CPU from the page and the bare view
    alike, but not evenly across rounds; a run with a few percent stolen says less.
    """
    spent = [now - then for then, now in zip(start, cpu_times(), strict=True)]
    # user, nice, system, idle, iowait, irq, softirq, steal; guest time is in user.
    total = sum(spent[:8])
    return f"{spent[7] / total:.1%}" if total else "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured wrk run before each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=0,
        help="gunicorn worker recycling (0: off, so no restart stalls a measurement)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs per page, each beside a bare-view run; the median ratio is reported",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database and folder")
    parser.add_argument("--redis-db", type=int, default=12, help="Redis database of this run")
    parser.add_argument(
        "--env", action="append", default=[], help="NAME=VALUE for the servers (repeatable)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk; scripts/setup.sh does it)")
    args.extra = dict(item.split("=", 1) for item in args.env)

    # A stop by PID (SIGTERM) still drops the database and stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench("pages", keep=args.keep, redis_db=args.redis_db)
    try:
        started = time.perf_counter()
        bench.setup_django(**args.extra)
        elapsed = time.perf_counter() - started
        print(f"database {bench.db_name}: migrated, seeded in {elapsed:.1f} s", flush=True)
        started = time.perf_counter()
        data = generate(members=args.members, comments=args.comments, log_rows=args.log_rows)
        rows = ", ".join(f"{k} {v:,}" for k, v in data.counts.items())
        print(f"data: {rows} ({time.perf_counter() - started:.1f} s)", flush=True)
        run(bench, data, args)
    finally:
        bench.cleanup()


def run(bench: Bench, data, args) -> None:
    from django.conf import settings

    reader = data.member_ids[5]
    name, key = session_cookie(reader)
    reader_cookie = f"{name}={key}"
    name, key = session_cookie(data.year_member_id)
    year_cookie = f"{name}={key}"
    technique = f"/techniques/{PSOAS}/"
    pages = [
        ("baseline", "/bench/baseline", None, b"ok"),
        ("home", "/", None, settings.SITE_NAME.encode()),
        ("catalogue", "/techniques/", None, b"Psoas Press"),
        ("technique, anonymous", technique, None, b"500 thoughts on"),
        ("technique, signed in", technique, reader_cookie, b"Sign out"),
        ("cached PDF", f"/techniques/{PSOAS}/pdf/", None, b"%PDF"),
        ("today", "/routine/", year_cookie, b"Sign out"),
        ("baseline (again)", "/bench/baseline", None, b"ok"),
    ]
    results = {}
    cpu_start = cpu_times()
    with Gunicorn(
        bench, workers=args.workers, max_requests=args.max_requests, **args.extra
    ) as server:
        base = f"http://127.0.0.1:{server.port}"
        # Prebuild the handout: the first request renders and stores it for the host
        # wrk uses, so the measured requests are all cached downloads.
        check(server.port, f"/techniques/{PSOAS}/pdf/", None, b"%PDF")
        print(
            f"gunicorn: {args.workers} sync workers, max-requests {args.max_requests}, on "
            f"{base}, {args.extra or 'default settings'}; load average {load_average()}"
        )
        options = {"threads": args.threads, "connections": args.connections}
        if args.rounds > 1:
            results = paired_rounds(base, server.port, pages, args, options)
        else:
            for label, path, cookie, expect in pages:
                check(server.port, path, cookie, expect)
                if args.warmup:
                    wrk(base + path, seconds=args.warmup, cookie=cookie, **options)
                results[label] = wrk(base + path, seconds=args.seconds, cookie=cookie, **options)
                print(f"  measured {label}: {results[label]['rps']:.0f} req/s", flush=True)
        server_errors = server.errors_logged()
    report(results, server_errors, args, cpu_start)


def median_round(rounds: int, bare, page, error_keys: tuple[str, ...]) -> tuple[dict, list[dict]]:
    """Run ``bare()`` then ``page()`` (each returning wrk's figures) ``rounds`` times.

    Returns the page's figures of the round with the median ratio to its bare-view run,
    with that ``ratio``, every round's ``ratios`` and ``error_keys`` summed over all the
    page's runs; and the bare view's figures of every round.

    On a shared machine a neighbour's burst can halve one ten-second run: a page's ratio
    to a bare-view run minutes away then says more about the neighbour than the page.
    """
    pairs, bares = [], []
    for _ in range(rounds):
        bare_figures = bare()
        page_figures = page()
        bares.append(bare_figures)
        ratio = page_figures["rps"] / bare_figures["rps"] if bare_figures["rps"] else 0.0
        pairs.append((ratio, page_figures))
    ordered = sorted(pairs, key=lambda pair: pair[0])
    ratio, figures = ordered[len(ordered) // 2]
    errors = {key: sum(page_figures[key] for _, page_figures in pairs) for key in error_keys}
    return {**figures, **errors, "ratio": ratio, "ratios": [r for r, _ in ordered]}, bares


def median_baseline(bares: list[dict], error_keys: tuple[str, ...]) -> dict:
    """The bare view's run with the median rate, its errors summed over every run."""
    middle = sorted(bares, key=lambda figures: figures["rps"])[len(bares) // 2]
    errors = {key: sum(figures[key] for figures in bares) for key in error_keys}
    return {**middle, **errors, "ratio": 1.0, "runs": len(bares)}


def paired_rounds(base: str, port: int, pages: list, args, options: dict) -> dict:
    """Each page measured ``args.rounds`` times, each run right after a run of the bare
    view; its figures are those of the round with the median ratio."""
    baseline_path = "/bench/baseline"
    error_keys = ("non_2xx_3xx", "socket_errors")
    baselines, results = [], {}
    for label, path, cookie, expect in pages:
        if path == baseline_path:
            continue
        check(port, path, cookie, expect)
        if args.warmup:
            wrk(base + path, seconds=args.warmup, cookie=cookie, **options)
        results[label], bares = median_round(
            args.rounds,
            lambda: wrk(base + baseline_path, seconds=args.seconds, cookie=None, **options),
            lambda path=path, cookie=cookie: wrk(
                base + path, seconds=args.seconds, cookie=cookie, **options
            ),
            error_keys,
        )
        baselines += bares
        shown = ", ".join(f"{r:.1%}" for r in results[label]["ratios"])
        print(f"  measured {label}: {results[label]['rps']:.0f} req/s; ratios {shown}", flush=True)
    return {"baseline": median_baseline(baselines, error_keys), **results}


def report(results: dict, server_errors: list[str], args, cpu_start: list[int]) -> None:
    print()
    if args.rounds > 1:
        baseline = results["baseline"]["rps"]
        print(
            f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s --latency; "
            f"{args.rounds} rounds a page, each beside a run of the bare view; the round "
            f"with the median ratio (bare view: median of its {results['baseline']['runs']} runs)"
        )
    else:
        baseline = (results["baseline"]["rps"] + results["baseline (again)"]["rps"]) / 2
        print(
            f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s --latency; "
            f"ratio against the mean of the two baseline runs ({baseline:.0f} req/s)"
        )
    header = f"{'page':<22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} {'target':>7}"
    print(header + f" {'errors':>7}")
    failures = []
    for label, figures in results.items():
        ratio = figures.get("ratio", figures["rps"] / baseline if baseline else 0.0)
        errors = figures["non_2xx_3xx"] + figures["socket_errors"]
        uncached = args.extra.get("PAGE_CACHE_SECONDS") == "0"
        target = (UNCACHED_TARGETS if uncached else TARGETS).get(label)
        mark = ""
        if target is not None and ratio < target:
            mark = "  MISSED"
            failures.append(f"{label}: {ratio:.0%} < {target:.0%}")
        if errors:
            failures.append(f"{label}: {errors} errors")
        print(
            f"{label:<22} {figures['rps']:8.0f} {figures['p50']:8.1f} {figures['p99']:8.1f} "
            f"{ratio:7.1%} {f'{target:.0%}' if target else '-':>7} {errors:7d}{mark}"
        )
    if server_errors:
        failures.append(f"{len(server_errors)} error lines in the server log")
        print("\n".join(server_errors[:10]))
    print(f"load average after the run: {load_average()}")
    print(f"CPU time taken by the host's other machines during the run: {stolen_since(cpu_start)}")
    print("targets:", "met" if not failures else "NOT met: " + "; ".join(failures))


if __name__ == "__main__":
    main()
