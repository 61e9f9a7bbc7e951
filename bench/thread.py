"""The technique page with a 500-comment thread, every cache off, against the bare view.

Run: .venv/bin/python bench/thread.py [--requests N]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/SCRATCH .venv/bin/python bench/thread.py

What a page costs when it is built, not served from a cache: production settings with
``PAGE_CACHE_SECONDS=0`` (so no page, fragment, thread-reader or user cache), the test
client through the full middleware stack, Psoas Press holding 500 published comments in
threads of four as bench/_data.py writes them for bench/pages.py (question, staff answer
marked as the answer, the asker's follow-up, another member's reply). Alternating in
rounds, it prints wall and CPU milliseconds per GET and queries for:

- ``bare view``: ``/bench/baseline``, the yardstick; ``healthz``: one query;
- Psoas Press, first page of the thread, read anonymously, by a member and by staff;
- Psoas Press, the last page of the thread, anonymously.

The database is a temporary SQLite file unless ``DATABASE_URL`` names a scratch
PostgreSQL database (migrated and written to; never point it at real data).
"""

import argparse
import os
import random
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from _data import PSOAS, PSOAS_COMMENTS, _comments
from today import WARM_UP, compare, configure, forget_cache, prepare_database

READERS = 60


def build_thread():
    """Psoas Press with 500 comments by 60 members and a coach; returns (member, staff)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from members.models import Profile
    from questions.models import Comment
    from techniques.models import Technique

    users = get_user_model().objects
    existing = users.filter(username="thread-coach").first()
    if existing is not None:
        return users.get(username="thread-reader-1"), existing
    with transaction.atomic():
        staff = users.create_user("thread-coach", "coach@bench.invalid", is_staff=True)
        readers = [
            users.create_user(f"thread-reader-{n}", f"reader{n}@bench.invalid")
            for n in range(READERS)
        ]
        Profile.objects.bulk_create(
            Profile(user=user, display_name=user.username.replace("-", " ").title())
            for user in [staff, *readers]
        )
        psoas = Technique.objects.get(slug=PSOAS)
        other = Technique.objects.exclude(slug=PSOAS).values_list("pk", flat=True).first()
        first_id = (Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        rows = _comments(
            first_id=first_id,
            rng=random.Random(5),
            now=datetime.now(UTC),
            total=PSOAS_COMMENTS,
            psoas=psoas.pk,
            others=[other],
            staff_id=staff.pk,
            readers=[reader.pk for reader in readers[1:]],
        )
        fields = (
            *("id", "technique_id", "author_id", "parent_id", "root_id", "depth", "kind"),
            *("status", "body", "body_html", "answer_id", "answered_at", "created_at"),
        )
        Comment.objects.bulk_create(Comment(**dict(zip(fields, row, strict=True))) for row in rows)
    return readers[0], staff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="GETs of each URL")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="smr-thread-bench-"))
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    prefix = configure(work)
    try:
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        from questions.models import Comment
        from questions.selectors import COMMENTS_PER_PAGE

        prepare_database()
        member, staff = build_thread()
        threads = Comment.objects.filter(technique__slug=PSOAS, parent__isnull=True).count()
        last = (threads + COMMENTS_PER_PAGE - 1) // COMMENTS_PER_PAGE
        comments = Comment.objects.filter(technique__slug=PSOAS).count()
        anonymous, signed_in, coach = Client(), Client(), Client()
        signed_in.force_login(member)
        coach.force_login(staff)
        print(
            f"database {connection.vendor}, PAGE_CACHE_SECONDS={settings.PAGE_CACHE_SECONDS}, "
            f"Psoas Press {comments} comments in {threads} threads ({last} pages), "
            f"{args.requests} GETs each after {WARM_UP} warm-up"
        )
        page = f"/techniques/{PSOAS}/"
        compare(
            {
                "bare view": (anonymous, "/bench/baseline", None),
                "healthz": (anonymous, "/healthz", None),
                "anonymous": (anonymous, page, None),
                "anonymous, last page": (anonymous, f"{page}?comments={last}", None),
                "member": (signed_in, page, None),
                "staff": (coach, page, None),
            },
            args.requests,
        )
    finally:
        forget_cache(prefix)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
