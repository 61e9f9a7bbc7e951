"""Shared machinery of bench/pages.py and bench/load.py (not a benchmark itself).

A throwaway PostgreSQL database with a unique name, realistic data written with COPY,
signed-in session cookies made with Django's SessionStore, and gunicorn on a loopback
port with production settings. Everything is bounded in time and count, and every
server started here is stopped by its process id.
"""

import http.client
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_BASE = "redis://127.0.0.1:6379"
PSOAS = "psoas-press"
CONFIG = ROOT / "gunicorn.conf.py"
PSOAS_COMMENTS = 500

COMMENT_TEXTS = (
    "How long should I stay on one spot before moving on?",
    "Is it normal that the first few days it feels sore the next morning?\n\n"
    "It eases off by lunchtime.",
    "I use a lacrosse ball instead of the small ball. Same thing?",
    "Stay on it until the sensitivity drops by about half, then move an inch. "
    "There is a good overview at https://example.org/smr-guide too.",
    "Mild soreness the day after is common at the start; if it is worse on the second "
    "day, back off for a couple of days.",
    "Thanks, that made my lower back feel much looser after a week.",
    "Can I do this straight after running, or should I wait?",
    "Better on a rest day at first. Later, after an easy run is fine.",
)


@dataclass
class Bench:
    """One benchmark run: its database, cache prefix, folders and server port."""

    label: str
    keep: bool = False
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    redis_db: int = 12
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="smr-bench-")))

    @property
    def db_name(self) -> str:
        return f"smr_bench_{self.label}_{self.run_id}"

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:5432/{self.db_name}"

    @property
    def cache_prefix(self) -> str:
        return f"smr-bench-{self.run_id}"

    def environ(self, **extra: str) -> dict[str, str]:
        """The environment of this run: production settings on loopback, without HTTPS."""
        values = {
            "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": f"bench-only-{self.run_id}-{'x' * 50}",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # No TLS on loopback: the production settings allow switching the redirect off.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"{REDIS_BASE}/{self.redis_db}",
            "CACHE_KEY_PREFIX": self.cache_prefix,
            "MEDIA_ROOT": str(self.work / "media"),
            "STATIC_ROOT": str(self.work / "static"),
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        values.update(extra)
        return values

    def setup_django(self, **extra: str) -> None:
        """Create the database, point this process at it and migrate, seed, collectstatic."""
        os.environ.update(self.environ(**extra))
        sys.path.insert(0, str(ROOT))
        _admin(f'CREATE DATABASE "{self.db_name}"')
        import django

        django.setup()
        from django.core.management import call_command

        with open(os.devnull, "w") as quiet:
            call_command("migrate", verbosity=0, stdout=quiet)
            call_command("seed_catalogue", verbosity=0, stdout=quiet)
            call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)

    def cleanup(self) -> None:
        """Drop the database (unless kept), this run's cache keys and the temporary folder."""
        from django.db import connections

        connections.close_all()
        _clear_cache_prefix(self.redis_db, self.cache_prefix)
        if self.keep:
            print(f"kept database {self.db_name} and folder {self.work}")
            return
        _admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        shutil.rmtree(self.work, ignore_errors=True)


def year_as_planned(techniques, *, start: date, days: int):
    """A member's ``days`` of the real plan from ``start``, each day done as planned.

    Returns the day plans and the region passes they went through, as the pages would
    have recorded them.
    """
    from routines import scheduler, selectors

    catalogue = selectors.technique_infos(techniques)
    settings = scheduler.RoutineSettings()
    plans = scheduler.plan_days(catalogue, settings, start=start, days=days)
    history = [
        scheduler.LogRecord(plan.day, item.slug, True, "less", "better")
        for plan in plans
        for item in plan.items
    ]
    first = scheduler.PassStart(scheduler.DEFAULT_REGIONS[0], start)
    passes = (
        first,
        *scheduler.passes_to_record(
            catalogue,
            settings,
            today=start + timedelta(days=days),
            passes=(first,),
            history=history,
        ),
    )
    return plans, passes


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _clear_cache_prefix(redis_db: int, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(f"{REDIS_BASE}/{redis_db}")
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))[:1_000_000]
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


# --- Data ----------------------------------------------------------------------------


@dataclass
class Dataset:
    today: date
    staff_id: int
    year_member_id: int
    member_ids: list[int]
    counts: dict[str, int]


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _reset_sequences(cursor, tables: tuple[str, ...]) -> None:
    for table in tables:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def generate(
    *,
    members: int = 10_000,
    comments: int = 100_000,
    log_rows: int = 1_000_000,
    year_days: int = 365,
    seed: int = 6,
) -> Dataset:
    """Members with profiles and routines, threaded comments, a long log; written with COPY.

    ``psoas-press`` holds exactly 500 published comments in threads of four (question,
    staff answer marked as the answer, the asker's follow-up, another member's reply);
    the other comments are spread evenly over the other published techniques. One member
    ("yearlong") has a year of daily plans done as planned (the real scheduler's plan).
    The other members share the rest of the log rows, two techniques a day, so
    (member, technique, day) stays unique.
    """
    from django.db import connection, transaction

    from routines import scheduler, selectors
    from techniques.models import Region, Technique, Tool

    rng = random.Random(seed)
    now = datetime.now(UTC)
    today = now.date()
    techniques = selectors.catalogue_techniques()
    by_slug = {t.slug: t for t in techniques}
    releases = [t for t in techniques if t.kind == Technique.Kind.RELEASE]
    regions = [Region.objects.get(slug=s) for s in scheduler.DEFAULT_REGIONS]
    tool_ids = list(Tool.objects.values_list("id", flat=True))
    counts: dict[str, int] = {}

    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        first = _next_id(cursor, "auth_user")
        staff_id, year_id = first, first + 1
        member_ids = list(range(first, first + members))

        def users():
            for n, pk in enumerate(member_ids):
                name = {0: "coach", 1: "yearlong"}.get(n, f"member{n}")
                yield (
                    pk,
                    "!bench",  # unusable password: benchmarks sign in with made sessions
                    False,
                    name,
                    "",
                    "",
                    f"{name}@bench.invalid",
                    n == 0,
                    True,
                    now - timedelta(days=400),
                )

        counts["members"] = _copy(
            cursor,
            "auth_user",
            (
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ),
            users(),
        )
        _copy(
            cursor,
            "members_profile",
            (
                "user_id",
                "display_name",
                "time_zone",
                "notify_replies",
                "notify_followed",
                "notify_new_questions",
                "time_zone_chosen",
                "created_at",
            ),
            (
                (pk, "Coach Sam" if n == 0 else f"Reader {n}", "UTC", True, True, False, True, now)
                for n, pk in enumerate(member_ids)
            ),
        )
        routine_first = _next_id(cursor, "routines_routine")
        routine_of = {pk: routine_first + n for n, pk in enumerate(member_ids)}
        counts["routines"] = _copy(
            cursor,
            "routines_routine",
            (
                "id",
                "member_id",
                "per_day",
                "tension",
                "start_date",
                "reminders_on",
                "reminder_time",
                "feed_token",
                "created_at",
                "updated_at",
            ),
            (
                (
                    routine_of[pk],
                    pk,
                    2,
                    False,
                    today - timedelta(days=year_days if pk == year_id else 120),
                    False,
                    "08:00",
                    secrets.token_urlsafe(24),
                    now,
                    now,
                )
                for pk in member_ids
            ),
        )
        _copy(
            cursor,
            "routines_routineregion",
            ("routine_id", "region_id", "position"),
            (
                (routine_of[pk], region.pk, n)
                for pk in member_ids
                for n, region in enumerate(regions, start=1)
            ),
        )
        _copy(
            cursor,
            "routines_routine_tools",
            ("routine_id", "tool_id"),
            ((routine_of[pk], tool) for pk in member_ids for tool in tool_ids),
        )

        # The year-long member: a year of the real plan, each day done as planned.
        plans, passes = year_as_planned(
            techniques, start=today - timedelta(days=year_days), days=year_days
        )
        region_ids = {r.slug: r.pk for r in Region.objects.all()}
        year_rows = []
        for plan in plans:
            for slug in dict.fromkeys(item.slug for item in plan.items):
                note = "Felt easier than last time." if rng.random() < 0.1 else ""
                row = (year_id, by_slug[slug].pk, plan.day, "done", "less", "better", note)
                year_rows.append(row)
        _copy(
            cursor,
            "routines_dailysession",
            ("routine_id", "day", "region_id", "finished"),
            ((routine_of[year_id], plan.day, region_ids[plan.region], True) for plan in plans),
        )
        _copy(
            cursor,
            "routines_routinepass",
            ("routine_id", "region_id", "since", "created_at"),
            ((routine_of[year_id], region_ids[p.region], p.since, now) for p in passes),
        )

        def log_entries():
            yield from year_rows
            others = [pk for pk in member_ids if pk != year_id]
            remaining = max(log_rows - len(year_rows), 0)
            per, extra = divmod(remaining, len(others))
            for n, pk in enumerate(others):
                offset = n % 200
                for j in range(per + (1 if n < extra else 0)):
                    technique = releases[(n * 3 + j) % len(releases)]
                    day = today - timedelta(days=1 + offset + j // 2)
                    if rng.random() < 0.1:
                        yield (pk, technique.pk, day, "skipped", "", "", "")
                    else:
                        yield (
                            pk,
                            technique.pk,
                            day,
                            "done",
                            rng.choice(("less", "less", "same", "more")),
                            rng.choice(("better", "better", "same", "worse")),
                            "Tight today." if j % 25 == 0 else "",
                        )

        counts["log_rows"] = _copy(
            cursor,
            "routines_logentry",
            (
                "member_id",
                "technique_id",
                "day",
                "status",
                "sensitivity",
                "movement",
                "note",
                "created_at",
                "updated_at",
            ),
            ((*row, now, now) for row in log_entries()),
        )
        counts["year_member_log_rows"] = len(year_rows)

        counts["comments"] = _copy(
            cursor,
            "techniques_comment",
            (
                "id",
                "technique_id",
                "author_id",
                "parent_id",
                "root_id",
                "depth",
                "kind",
                "status",
                "body",
                "body_html",
                "answer_id",
                "answered_at",
                "created_at",
            ),
            _comments(
                first_id=_next_id(cursor, "techniques_comment"),
                rng=rng,
                now=now,
                total=comments,
                psoas=by_slug[PSOAS].pk,
                others=[t.pk for t in techniques if t.slug != PSOAS],
                staff_id=staff_id,
                readers=member_ids[2:],
            ),
        )
        counts["psoas_comments"] = min(PSOAS_COMMENTS, comments)
        _reset_sequences(
            cursor,
            (
                "auth_user",
                "members_profile",
                "routines_routine",
                "routines_routineregion",
                "routines_dailysession",
                "routines_logentry",
                "techniques_comment",
            ),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Dataset(
        today=today, staff_id=staff_id, year_member_id=year_id, member_ids=member_ids, counts=counts
    )


# Threads: (parent position in the thread or None, depth). Psoas Press threads have four.
PSOAS_THREAD = ((None, 0), (0, 1), (1, 2), (0, 1))
OTHER_THREAD = ((None, 0), (0, 1), (1, 2), (0, 1), (3, 2))


def _comments(*, first_id, rng, now, total, psoas, others, staff_id, readers):
    """Rows for techniques_comment, parents always before their replies."""
    from questions.text import comment_to_html

    html = {text: comment_to_html(text) for text in COMMENT_TEXTS}
    next_id = first_id
    plan = [(psoas, min(PSOAS_COMMENTS, total))]
    rest = max(total - PSOAS_COMMENTS, 0)
    per, extra = divmod(rest, len(others))
    plan += [(pk, per + (1 if n < extra else 0)) for n, pk in enumerate(others)]
    for technique_id, count in plan:
        shape = PSOAS_THREAD if technique_id == psoas else OTHER_THREAD
        step = timedelta(days=365) / max(count, 1)
        made = 0
        thread_no = 0
        while made < count:
            size = min(len(shape), count - made)
            ids = [next_id + k for k in range(size)]
            next_id += size
            asker = rng.choice(readers)
            answered = size > 1 and (technique_id == psoas or thread_no % 3 == 0)
            for k in range(size):
                parent_pos, depth = shape[k]
                created = now - timedelta(days=365) + step * (made + k)
                status = "published"
                if technique_id != psoas and k == 4 and thread_no % 20 == 0:
                    status = "pending"
                elif technique_id != psoas and k == 2 and thread_no % 50 == 0:
                    status = "hidden"
                author = staff_id if k == 1 else (asker if k == 2 else rng.choice(readers))
                yield (
                    ids[k],
                    technique_id,
                    author,
                    None if parent_pos is None else ids[parent_pos],
                    None if k == 0 else ids[0],
                    depth,
                    "question" if k == 0 else "reply",
                    status,
                    (text := COMMENT_TEXTS[(thread_no + k) % len(COMMENT_TEXTS)]),
                    html[text],
                    ids[1] if k == 0 and answered else None,
                    created + step if k == 0 and answered else None,
                    created,
                )
            made += size
            thread_no += 1


def session_cookie(user_id: int) -> tuple[str, str]:
    """A signed-in session for ``user_id``, made as ``django.contrib.auth.login`` makes one."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    user = get_user_model().objects.get(pk=user_id)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return settings.SESSION_COOKIE_NAME, store.session_key


# --- Server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn on a loopback port with this run's environment; stopped by its PID."""

    def __init__(self, bench: Bench, *, workers: int = 2, max_requests: int = 0, **extra_env: str):
        self.bench = bench
        self.workers = workers
        self.max_requests = max_requests
        self.port = free_port()
        self.log_path = bench.work / f"gunicorn-{self.port}.log"
        self.extra_env = extra_env
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        env = {**os.environ, **self.bench.environ(**self.extra_env)}
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                # The project's production config (access log, timeouts, keep-alive);
                # workers, bind and worker recycling are set by the benchmark.
                *(["--config", str(CONFIG)] if CONFIG.exists() else []),
                "smrsite.wsgi:application",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--chdir",
                str(ROOT),
                "--max-requests",
                str(self.max_requests),
                "--max-requests-jitter",
                str(self.max_requests // 10),
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                status, _, _ = request("127.0.0.1", self.port, "GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()

    def errors_logged(self) -> list[str]:
        """Lines of the server log that report an error (tracebacks, 5xx from django.request)."""
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]


def request(host, port, method, path, *, body=None, headers=None, timeout=60.0):
    """One HTTP request: (status, headers as a list of pairs, body bytes)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()
