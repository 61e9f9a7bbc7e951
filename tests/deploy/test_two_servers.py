"""Two gunicorn servers on one PostgreSQL and one Redis behave as one site.

The servers run the production settings (``DJANGO_ENV=production``: manifest and
compressed static files from ``collectstatic``, secure cookies, HSTS, CSP) on two
loopback ports. Requests carry what a TLS-terminating load balancer adds
(``X-Forwarded-Proto: https``, one ``Host``), so no production check is relaxed.
Each run gets its own PostgreSQL database (dropped afterwards), its own media and
static folders and its own Redis key prefix.

Skipped only when PostgreSQL or Redis does not answer on this machine.
"""

import re
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import pytest

from tests.deploy.servers import (
    Response,
    Visitor,
    admin_connection,
    deploy_redis_url,
    gunicorn,
    postgres_unreachable,
    production_site,
    redis_unreachable,
)

pytestmark = pytest.mark.deploy


@dataclass
class Cluster:
    a: str
    b: str
    media_root: Path
    database: str


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two production gunicorn servers on a fresh database, seeded, with one member."""
    reason = postgres_unreachable() or redis_unreachable(deploy_redis_url())
    if reason:
        pytest.skip(reason)
    import redis

    prefix = f"smr-deploy-{uuid.uuid4().hex[:8]}"
    work = tmp_path_factory.mktemp("two-servers")
    shared = {"REDIS_URL": deploy_redis_url(), "CACHE_KEY_PREFIX": prefix, "GUNICORN_WORKERS": "2"}
    try:
        with (
            production_site(work, **shared) as site,
            gunicorn(site, "a") as a,
            gunicorn(site, "b") as b,
        ):
            yield Cluster(a=a, b=b, media_root=site.media_root, database=site.database)
    finally:
        store = redis.Redis.from_url(deploy_redis_url(), socket_timeout=5)
        keys = list(store.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            store.delete(*keys)


@pytest.fixture(scope="module")
def member(cluster):
    """A visitor signed in through server A's sign-in form."""
    visitor = Visitor()
    visitor.sign_in(cluster.a)
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
    with admin_connection() as connection:
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
