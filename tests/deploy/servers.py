"""Production gunicorn servers for the deployment tests, and a visitor that talks to them.

Each test module gets its own PostgreSQL database (migrated, seeded, static files
collected, dropped afterwards) and starts servers with the production settings
(``DJANGO_ENV=production``) on free loopback ports. Requests carry what a
TLS-terminating load balancer adds (``X-Forwarded-Proto: https``, one ``Host``), so no
production check is relaxed.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HOST = "127.0.0.1"
PASSWORD = "a-long-deploy-test-password-9"
EMAIL = "deploy@example.com"
START_TIMEOUT = 90
REQUEST_TIMEOUT = 30


def postgres_url() -> str:
    """The PostgreSQL server to use, addressed through its ``postgres`` maintenance database
    (the configured database itself need not exist: pytest-django creates ``test_<name>``)."""
    configured = os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        configured = "postgres://postgres@127.0.0.1:5432/postgres"
    return with_database(configured, "postgres")


def deploy_redis_url() -> str:
    return os.environ.get("TEST_DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/14")


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it answers."""
    import psycopg

    try:
        admin_connection().close()
    except psycopg.Error as error:
        return f"PostgreSQL not reachable at {postgres_url()}: {error}"
    return None


def redis_unreachable(url: str) -> str | None:
    """Why the Redis at ``url`` cannot be used, or None when it answers."""
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis not reachable at {url}: {error}"
    return None


def admin_connection():
    import psycopg

    url = postgres_url().replace("postgres://", "postgresql://", 1)
    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def site_connection(site: "Site"):
    """A connection to the site's own database, as the test's (autocommit)."""
    import psycopg

    url = with_database(postgres_url(), site.database).replace("postgres://", "postgresql://", 1)
    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, timeout: int = 300) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}"
    return result.stdout


MEMBER_SCRIPT = f"""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from questions.models import Comment
from techniques.models import Technique

user = get_user_model().objects.create_user("deploy", "{EMAIL}", "{PASSWORD}")
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
# One approved comment already, so this member's new comments go live at once.
Comment.objects.create(
    technique=Technique.objects.get(slug="psoas-press"), author=user, kind="question",
    status="published", body="An earlier question that staff approved.",
)
"""


@dataclass
class Site:
    """A production database with the catalogue and one member, and the servers' settings."""

    env: dict
    work: Path
    database: str

    @property
    def media_root(self) -> Path:
        return self.work / "media"


@contextmanager
def production_site(work: Path, **settings: str) -> Iterator[Site]:
    """A fresh database, migrated and seeded, with collected static files and a member
    (``EMAIL``/``PASSWORD``); dropped afterwards. ``settings`` are extra environment."""
    database = f"smr_deploy_{uuid.uuid4().hex[:12]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "CELERY_"))
        and key not in ("CACHE_URL", "REDIS_URL", "DATABASE_URL")
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=f"deploy-test-{uuid.uuid4().hex}-{uuid.uuid4().hex}",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SETTINGS_MODULE="smrsite.settings",
        DATABASE_URL=with_database(postgres_url(), database),
        MEDIA_ROOT=str(work / "media"),
        STATIC_ROOT=str(work / "static"),
        SITE_URL=f"https://{HOST}",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        GUNICORN_ACCESS_LOG="-",
        LOG_LEVEL="WARNING",
        **settings,
    )
    with admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_catalogue")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "shell", "-c", MEMBER_SCRIPT)
        yield Site(env=env, work=work, database=database)
    finally:
        with admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def gunicorn(site: Site, name: str, **settings: str) -> Iterator[str]:
    """A production gunicorn on a free loopback port, stopped afterwards; yields its
    address. ``settings`` are extra environment (``GUNICORN_WORKERS="1"``, ``REDIS_URL``)."""
    port = free_port()
    server = f"http://{HOST}:{port}"
    log = site.work / f"gunicorn-{name}.log"
    process = subprocess.Popen(
        [GUNICORN, "-c", "gunicorn.conf.py", "--bind", f"{HOST}:{port}", "smrsite.wsgi"],
        cwd=ROOT,
        env={**site.env, **settings},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(server, process, log)
        yield server
    finally:
        stop(process)


def server_log(site: Site, name: str) -> str:
    return (site.work / f"gunicorn-{name}.log").read_text()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Visitor:
    """A browser behind the load balancer: one cookie jar whichever server answers."""

    cookies: dict = field(default_factory=dict)
    opener: urllib.request.OpenerDirector = field(
        default_factory=lambda: urllib.request.build_opener(NoRedirect)
    )

    def request(
        self, server: str, path: str, *, data: dict | None = None, headers: dict | None = None
    ) -> Response:
        sent = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "User-Agent": "smr-deploy-test",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"https://{HOST}"
            sent["Referer"] = f"https://{HOST}{path}"
        request = urllib.request.Request(server + path, data=body, headers=sent)
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as raw:
                response = Response(raw.status, dict(raw.headers), raw.read())
                cookie_headers = raw.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as error:
            response = Response(error.code, dict(error.headers), error.read())
            cookie_headers = error.headers.get_all("Set-Cookie") or []
        for header in cookie_headers:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def get(self, server: str, path: str, **kwargs) -> Response:
        return self.request(server, path, **kwargs)

    def post(self, server: str, path: str, data: dict) -> Response:
        return self.request(server, path, data={**data, "csrfmiddlewaretoken": self.csrf()})

    def csrf(self) -> str:
        return self.cookies["csrftoken"]

    def sign_in(self, server: str) -> None:
        """Sign in as the site's member through the sign-in form."""
        assert self.get(server, "/accounts/login/").status == HTTPStatus.OK
        signed_in = self.post(server, "/accounts/login/", {"login": EMAIL, "password": PASSWORD})
        assert signed_in.status == HTTPStatus.FOUND, signed_in.text[:2000]
        assert "sessionid" in self.cookies


def wait_until_up(server: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn at {server} exited:\n{log.read_text()[-3000:]}")
        try:
            if Visitor().get(server, "/healthz").status == HTTPStatus.OK:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"gunicorn at {server} did not answer within {START_TIMEOUT} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
