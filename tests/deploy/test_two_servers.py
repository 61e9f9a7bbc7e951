"""Two gunicorn servers on one PostgreSQL and one Redis behave as one site.

The servers run the production settings (``DJANGO_ENV=production``: manifest and
compressed static files from ``collectstatic``, secure cookies, HSTS, CSP) on two
loopback ports. Requests carry what a TLS-terminating load balancer adds
(``X-Forwarded-Proto: https``, one ``Host``), so no production check is relaxed.
Each run gets its own PostgreSQL database (dropped afterwards), its own media and
static folders and its own Redis key prefix.

Skipped only when PostgreSQL or Redis does not answer on this machine.
"""

import os
import re
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
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HOST = "127.0.0.1"
PASSWORD = "a-long-deploy-test-password-9"
EMAIL = "deploy@example.com"
START_TIMEOUT = 90
REQUEST_TIMEOUT = 30


def _postgres_url() -> str:
    """The PostgreSQL server to use, addressed through its ``postgres`` maintenance database
    (the configured database itself need not exist: pytest-django creates ``test_<name>``)."""
    configured = os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        configured = "postgres://postgres@127.0.0.1:5432/postgres"
    return _with_database(configured, "postgres")


def _redis_url() -> str:
    return os.environ.get("TEST_DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/14")


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _unreachable() -> str | None:
    """Why the servers cannot run here, or None when PostgreSQL and Redis both answer."""
    import psycopg
    import redis

    try:
        _admin_connection().close()
    except psycopg.Error as error:
        return f"PostgreSQL not reachable at {_postgres_url()}: {error}"
    try:
        redis.Redis.from_url(_redis_url(), socket_timeout=2, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis not reachable at {_redis_url()}: {error}"
    return None


def _admin_connection():
    import psycopg

    url = _postgres_url().replace("postgres://", "postgresql://", 1)
    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str, stdin: str | None = None, timeout: int = 300) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
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


@dataclass
class Cluster:
    a: str
    b: str
    media_root: Path
    database: str


def _wait_until_up(server: str, process: subprocess.Popen, log: Path) -> None:
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


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two production gunicorn servers on a fresh database, seeded, with one member."""
    reason = _unreachable()
    if reason:
        pytest.skip(reason)
    import redis

    work = tmp_path_factory.mktemp("two-servers")
    database = f"smr_deploy_{uuid.uuid4().hex[:12]}"
    prefix = f"smr-deploy-{uuid.uuid4().hex[:8]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "CELERY_")) and key not in ("CACHE_URL",)
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=f"deploy-test-{uuid.uuid4().hex}-{uuid.uuid4().hex}",
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SETTINGS_MODULE="smrsite.settings",
        DATABASE_URL=_with_database(_postgres_url(), database),
        REDIS_URL=_redis_url(),
        CACHE_KEY_PREFIX=prefix,
        MEDIA_ROOT=str(work / "media"),
        STATIC_ROOT=str(work / "static"),
        SITE_URL=f"https://{HOST}",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        GUNICORN_WORKERS="2",
        GUNICORN_ACCESS_LOG="-",
        LOG_LEVEL="WARNING",
    )
    with _admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    processes: list[subprocess.Popen] = []
    try:
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "seed_catalogue")
        _manage(env, "collectstatic", "--noinput", "-v", "0")
        _manage(env, "shell", "-c", MEMBER_SCRIPT)
        servers = []
        for name in ("a", "b"):
            port = _free_port()
            log = work / f"gunicorn-{name}.log"
            process = subprocess.Popen(
                [GUNICORN, "-c", "gunicorn.conf.py", "--bind", f"{HOST}:{port}", "smrsite.wsgi"],
                cwd=ROOT,
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            processes.append(process)
            servers.append(f"http://{HOST}:{port}")
            _wait_until_up(servers[-1], process, log)
        yield Cluster(a=servers[0], b=servers[1], media_root=work / "media", database=database)
    finally:
        for process in processes:
            _stop(process)
        store = redis.Redis.from_url(_redis_url(), socket_timeout=5)
        keys = list(store.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            store.delete(*keys)
        with _admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def member(cluster):
    """A visitor signed in through server A's sign-in form."""
    visitor = Visitor()
    form = visitor.get(cluster.a, "/accounts/login/")
    assert form.status == HTTPStatus.OK
    signed_in = visitor.post(cluster.a, "/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert signed_in.status == HTTPStatus.FOUND, signed_in.text[:2000]
    assert "sessionid" in visitor.cookies
    return visitor


def _post_comment(visitor: Visitor, server: str, body: str) -> Response:
    return visitor.post(
        server,
        "/techniques/psoas-press/comments/",
        {"kind": "question", "body": body, "website": "", "parent": ""},
    )


def _wait_for_fresh_minute(margin: float = 20.0) -> None:
    """Comment limits count per clock minute: start early in one so a test fits in it."""
    into_minute = time.time() % 60
    if into_minute > 60 - margin:
        time.sleep(60 - into_minute + 0.5)


def test_production_pages_and_hashed_static_files_are_served(cluster):
    """Both servers serve pages with the CSP and HSTS headers and gzip the hashed static files."""
    visitor = Visitor()
    for server in (cluster.a, cluster.b):
        home = visitor.get(server, "/")
        assert home.status == HTTPStatus.OK
        assert "default-src 'self'" in home.headers["Content-Security-Policy"]
        assert "max-age=" in home.headers["Strict-Transport-Security"]
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home.text)
    assert stylesheet, "the page links the manifest-hashed stylesheet"
    css = visitor.get(cluster.b, stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert css.status == HTTPStatus.OK
    assert css.headers.get("Content-Encoding") == "gzip"
    assert "immutable" in css.headers["Cache-Control"]


def test_plain_http_is_redirected_to_https(cluster):
    """A request that did not come through TLS is sent to the https address."""
    response = Visitor().get(cluster.a, "/", headers={"X-Forwarded-Proto": "http"})
    assert response.status == HTTPStatus.MOVED_PERMANENTLY
    assert response.headers["Location"].startswith("https://")


def test_comment_on_one_server_is_seen_on_the_other_and_limits_are_shared(cluster, member):
    """A comment posted on A shows on B's cached page; 3 on A and 3 on B: the 6th is refused."""
    reader = Visitor()
    page = "/techniques/psoas-press/"
    assert reader.get(cluster.b, page).status == HTTPStatus.OK
    cached = reader.get(cluster.b, page)
    assert cached.headers.get("X-Page-Cache") == "hit"

    _wait_for_fresh_minute()
    body = f"Posted on server A, read on server B ({uuid.uuid4().hex[:8]})."
    assert member.get(cluster.a, page).status == HTTPStatus.OK  # a CSRF cookie, as a browser
    assert _post_comment(member, cluster.a, body).status == HTTPStatus.FOUND
    seen = reader.get(cluster.b, page)
    assert body in seen.text
    assert seen.headers.get("X-Page-Cache") != "hit"
    assert member.get(cluster.b, "/accounts/profile/").status == HTTPStatus.OK

    accepted = [
        _post_comment(member, server, f"Comment {n} counted across servers.").status
        for n, server in enumerate([cluster.a, cluster.a, cluster.b, cluster.b], start=2)
    ]
    assert accepted == [HTTPStatus.FOUND] * 4
    refused = _post_comment(member, cluster.b, "The sixth comment in one minute.")
    assert refused.status == HTTPStatus.OK
    assert "You have posted 5 comments in the last minute" in refused.text
    assert "The sixth comment in one minute." not in reader.get(cluster.a, page).text


def test_pdf_rendered_by_one_server_is_served_from_storage_by_the_other(cluster):
    """B answers with the PDF A rendered and stored, without rendering or storing another."""
    visitor = Visitor()
    pdf_dir = cluster.media_root / "pdfs" / "quads-roll"
    first = visitor.get(cluster.a, "/techniques/quads-roll/pdf/")
    assert first.status == HTTPStatus.OK
    assert first.headers["Content-Type"] == "application/pdf"
    stored = {path: path.stat().st_mtime_ns for path in pdf_dir.iterdir()}
    assert len(stored) == 1

    second = visitor.get(cluster.b, "/techniques/quads-roll/pdf/")
    assert second.status == HTTPStatus.OK
    assert second.body == first.body
    assert second.headers["ETag"] == first.headers["ETag"]
    assert {path: path.stat().st_mtime_ns for path in pdf_dir.iterdir()} == stored
    revalidated = visitor.get(
        cluster.b, "/techniques/quads-roll/pdf/", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert revalidated.status == HTTPStatus.NOT_MODIFIED


def test_requests_succeed_after_database_connections_are_killed(cluster, member):
    """With every server-side connection terminated, as after a restart, the next requests
    on both servers still succeed (connections are health-checked before use)."""
    pages = ["/", "/techniques/?q=roll", "/routine/", "/accounts/profile/"]
    for server in (cluster.a, cluster.b):
        for path in pages:
            member.get(server, path)
    with _admin_connection() as connection:
        killed = connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [cluster.database],
        ).fetchone()[0]
    assert killed >= 2
    statuses = [
        member.get(server, path).status
        for _ in range(3)
        for server in (cluster.a, cluster.b)
        for path in pages
    ]
    assert HTTPStatus.INTERNAL_SERVER_ERROR not in statuses
    assert set(statuses) <= {HTTPStatus.OK, HTTPStatus.FOUND}
