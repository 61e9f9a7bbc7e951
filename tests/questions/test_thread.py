"""The thread a reader sees: only the page shown is read, in a fixed number of queries."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models.signals import post_init
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from questions.models import Comment
from questions.selectors import COMMENTS_PER_PAGE, PageNotFound, comment_thread
from tests.factories import (
    CommentFactory,
    ProfileFactory,
    TechniqueFactory,
    UserFactory,
    client_for,
)

pytestmark = pytest.mark.django_db

# Question, staff answer, the asker's follow-up, another member's reply: as bench/_data.py.
THREAD_SHAPE = 4


@pytest.fixture
def technique():
    return TechniqueFactory(name="Psoas Press", slug="psoas-press")


def _threads(technique, comments: int) -> list[Comment]:
    """``comments`` published comments in threads of four, oldest first; returns the questions."""
    asker, coach, reader = (
        UserFactory(username="asker"),
        UserFactory(username="thread-coach", is_staff=True),
        UserFactory(username="reader"),
    )
    start = timezone.now() - timedelta(days=365)
    count = -(-comments // THREAD_SHAPE)
    questions = Comment.objects.bulk_create(
        Comment(
            technique=technique,
            author=asker,
            body=f"Question {n}",
            created_at=start + timedelta(hours=n),
        )
        for n in range(count)
    )
    replies = []
    for n, question in enumerate(questions):
        left = min(THREAD_SHAPE, comments - n * THREAD_SHAPE) - 1
        for k, author in enumerate((coach, asker, reader)[:left]):
            replies.append(
                Comment(
                    technique=technique,
                    author=author,
                    parent=question,
                    root=question,
                    depth=1,
                    kind="reply",
                    body=f"Reply {k} to {n}",
                    created_at=question.created_at + timedelta(minutes=k + 1),
                )
            )
    Comment.objects.bulk_create(replies)
    return questions


@pytest.fixture
def count_loaded_comments():
    """How many Comment rows were turned into objects while the fixture is in use."""
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance)

    post_init.connect(count, sender=Comment)
    yield loaded
    post_init.disconnect(count, sender=Comment)


def test_a_page_reads_only_its_own_threads(
    technique, count_loaded_comments, django_assert_num_queries
):
    """With 500 comments, page 1 reads its 10 threads (40 comments) in one query, as
    plain rows (no model instance per comment), after the list of threads with the count."""
    _threads(technique, 500)
    count_loaded_comments.clear()
    with django_assert_num_queries(2):
        thread = comment_thread(technique=technique, viewer=AnonymousUser())
    assert count_loaded_comments == []

    def shown(nodes):
        return sum(1 + shown(node.children) for node in nodes)

    assert shown(thread.nodes) == COMMENTS_PER_PAGE * THREAD_SHAPE
    assert [node.comment.body for node in thread.nodes] == [f"Question {n}" for n in range(10)]
    assert thread.count == 500
    assert (thread.page_number, thread.page_count) == (1, 13)


def test_the_last_page_holds_the_newest_threads(technique):
    """Page 13 of 125 threads holds the last five; page 14 does not exist."""
    _threads(technique, 500)
    thread = comment_thread(technique=technique, viewer=AnonymousUser(), page_number=13)
    assert [node.comment.body for node in thread.nodes] == [
        f"Question {n}" for n in range(120, 125)
    ]
    assert thread.next_url == ""
    assert thread.previous_url == "/techniques/psoas-press/?comments=12#comments"
    with pytest.raises(PageNotFound):
        comment_thread(technique=technique, viewer=AnonymousUser(), page_number=14)


def test_page_links_name_page_one_without_a_number(technique):
    """From page 2, "Earlier" goes to the page's plain address, never ``?comments=1``."""
    _threads(technique, 4 * 11)
    thread = comment_thread(technique=technique, viewer=AnonymousUser(), page_number=2)
    assert thread.previous_url == "/techniques/psoas-press/#comments"


def test_placeholders_count_only_above_a_reply_the_reader_can_read(technique, staff_user):
    """A removed question shows above a published reply; a hidden one above nothing is gone."""
    kept = CommentFactory(technique=technique, status="removed", body="")
    CommentFactory(parent=kept, body="Still worth reading")
    bare = CommentFactory(technique=technique, status="hidden", body="Spam")
    CommentFactory(parent=bare, status="hidden", body="More spam")
    waiting = CommentFactory(technique=technique, status="removed", body="")
    CommentFactory(parent=waiting, status="pending", body="Not yet approved")
    visitor = comment_thread(technique=technique, viewer=AnonymousUser())
    assert [node.id for node in visitor.nodes] == [kept.pk]
    assert visitor.page_count == 1
    staff = comment_thread(technique=technique, viewer=staff_user)
    assert [node.id for node in staff.nodes] == [kept.pk, bare.pk, waiting.pk]


def test_a_reply_under_a_reply_the_reader_cannot_see_is_left_out(technique):
    """A removed question whose only readable reply hangs under a pending one stays out."""
    question = CommentFactory(technique=technique, status="removed", body="")
    pending = CommentFactory(parent=question, status="pending")
    CommentFactory(parent=pending, body="Answer to something you cannot see")
    assert comment_thread(technique=technique, viewer=AnonymousUser()).nodes == []


def test_what_a_reader_may_do_is_worked_out_with_the_links(technique, user, staff_user):
    """Each comment carries its action addresses and the viewer's permissions."""
    question = CommentFactory(technique=technique, author=user)
    reply = CommentFactory(parent=question, author=staff_user)
    asker = comment_thread(technique=technique, viewer=user).nodes[0]
    assert (asker.can_edit, asker.can_delete, asker.can_flag, asker.can_follow) == (
        True,
        True,
        False,
        False,
    )
    assert asker.actions.edit == f"/techniques/comments/{question.pk}/edit/"
    answer = asker.children[0]
    assert (answer.can_mark_answer, answer.can_flag, answer.can_moderate) == (True, True, False)
    assert answer.actions.answer == f"/techniques/comments/{reply.pk}/answer/"
    assert answer.reply_url == f"?replyto={reply.pk}#reply-{reply.pk}"
    coach = comment_thread(technique=technique, viewer=staff_user).nodes[0].children[0]
    assert (coach.can_moderate, coach.can_add_to_faq, coach.can_delete) == (True, True, True)


def test_the_permalink_page_agrees_with_the_readers_pages(client, technique, staff_user):
    """A pending question before it moves the thread a page later for staff only."""
    _threads(technique, 4 * 10)
    CommentFactory(
        technique=technique, status="pending", created_at=timezone.now() - timedelta(days=400)
    )
    last = Comment.objects.filter(parent__isnull=True, status="published").latest("created_at")
    assert "comments=" not in client.get(last.get_absolute_url())["Location"]
    staff_link = client_for(staff_user).get(last.get_absolute_url())["Location"]
    assert staff_link == f"/techniques/psoas-press/?comments=2#comment-{last.pk}"


@pytest.mark.parametrize("viewer", ["anonymous", "member", "staff"])
def test_the_page_costs_the_same_queries_with_1_or_500_comments(
    settings, technique, viewer, django_assert_num_queries
):
    """Every cache off, the page's query count does not grow with the thread."""
    settings.PAGE_CACHE_SECONDS = 0
    reader = Client()
    if viewer != "anonymous":
        reader = client_for(UserFactory(username="maya", is_staff=viewer == "staff"))
    url = technique.get_absolute_url()
    _threads(technique, 1)
    with CaptureQueriesContext(connection) as small:
        assert reader.get(url).status_code == HTTPStatus.OK
    _threads(technique, 500)
    with django_assert_num_queries(len(small)):
        response = reader.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response.content.decode().count('class="comment depth-0') == COMMENTS_PER_PAGE


def test_hidden_questions_take_no_room_on_a_readers_pages(technique):
    """Ten questions and an older hidden one: one full page for a visitor, two for staff."""
    CommentFactory(
        technique=technique, status="hidden", created_at=timezone.now() - timedelta(days=2)
    )
    CommentFactory.create_batch(COMMENTS_PER_PAGE, technique=technique)
    visitor = comment_thread(technique=technique, viewer=AnonymousUser())
    assert (len(visitor.nodes), visitor.page_count) == (COMMENTS_PER_PAGE, 1)
    staff = comment_thread(technique=technique, viewer=UserFactory(username="lead", is_staff=True))
    assert staff.page_count == 2


def test_cards_print_names_and_times_as_text(technique, user):
    """A name with markup in it (saved past the form's checks) stays text in every place
    the card prints it: the heading, the card's label and the reply link's data."""
    author = UserFactory(username="odd")
    ProfileFactory(user=author, display_name='Jo "<b>bold</b>" & co')
    CommentFactory(technique=technique, author=author)
    page = client_for(user).get(technique.get_absolute_url()).content.decode()
    escaped = "Jo &quot;&lt;b&gt;bold&lt;/b&gt;&quot; &amp; co"
    assert f'<span class="comment-author">{escaped}</span>' in page
    assert f'aria-label="Question by {escaped}"' in page
    assert f'data-reply-name="{escaped}"' in page
    assert "<b>bold</b>" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plan")
def test_homes_answered_questions_can_be_read_through_their_index(technique):
    """The partial index matches the query's conditions (with 100,000 comments the sort
    without it took 290 ms): with sequential scans off, the plan uses it."""
    from questions.selectors import recent_answered_questions

    sql, params = recent_answered_questions().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "comment_answered_recent" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's query plan")
def test_published_comments_are_counted_through_their_index(technique):
    """The thread's heading and the catalogue count published comments per technique from
    the (technique, status) index, not by reading every comment of the technique."""
    from techniques.selectors import published_comment_counts

    CommentFactory(technique=technique)
    with CaptureQueriesContext(connection) as thread_queries:
        comment_thread(technique=technique, viewer=AnonymousUser())
    with CaptureQueriesContext(connection) as catalogue_queries:
        published_comment_counts(technique_ids=[technique.pk])
    counts = [q["sql"] for q in thread_queries.captured_queries if "COUNT(" in q["sql"]]
    counts += [q["sql"] for q in catalogue_queries.captured_queries]
    assert len(counts) == 2
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in counts:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "comment_technique_status" in plan


def test_replies_waiting_or_hidden_show_only_to_whom_they_should(technique, staff_user):
    """Under a published question, a reply awaiting moderation shows to its author and
    staff, a hidden one to staff only; visitors and other members see neither."""
    author, other = UserFactory(username="waiting-author"), UserFactory(username="other")
    question = CommentFactory(technique=technique, body="Twice a day?")
    published = CommentFactory(parent=question, body="Once is enough")
    waiting = CommentFactory(parent=question, author=author, status="pending", body="Not yet")
    hidden = CommentFactory(parent=question, status="hidden", body="Spam")

    def replies(viewer):
        [node] = comment_thread(technique=technique, viewer=viewer).nodes
        return [child.id for child in node.children]

    assert replies(AnonymousUser()) == [published.pk]
    assert replies(other) == [published.pk]
    assert replies(author) == [published.pk, waiting.pk]
    assert replies(staff_user) == [published.pk, waiting.pk, hidden.pk]
