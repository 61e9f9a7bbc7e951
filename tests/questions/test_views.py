import re
from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from questions import services
from questions.models import Comment
from questions.selectors import COMMENTS_PER_PAGE
from questions.views import FLAGGED
from tests.factories import (
    CommentFactory,
    FaqEntryFactory,
    ProfileFactory,
    RegionFactory,
    StepFactory,
    TechniqueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def technique():
    return TechniqueFactory(name="Psoas Press", slug="psoas-press")


def create_url(technique):
    return reverse("techniques:comment_create", args=[technique.slug])


def test_anyone_reads_the_thread(client, technique):
    """Anonymous readers see published comments and a sign-in link instead of the form."""
    CommentFactory(technique=technique, body="Can I do this daily?")
    body = client.get(technique.get_absolute_url()).content.decode()
    assert "Can I do this daily?" in body
    assert "1 thought on “Psoas Press”" in body
    assert 'id="comment-form"' not in body
    assert "/accounts/login/?next=" in body


def test_heading_counts_only_visible_comments(client, technique):
    """Pending and hidden comments are not counted; the plural reads right."""
    question = CommentFactory(technique=technique)
    CommentFactory(parent=question)
    CommentFactory(technique=technique, status="pending")
    CommentFactory(technique=technique, status="hidden")
    assert (
        "2 thoughts on “Psoas Press”" in client.get(technique.get_absolute_url()).content.decode()
    )


def test_sign_in_to_reply_comes_back_to_the_comment(client, technique):
    """A visitor's "Sign in to reply" leads to sign-in, then back to that comment's form."""
    question = CommentFactory(technique=technique)
    link = f"?replyto={question.pk}#reply-{question.pk}"
    assert (
        f'href="{link}" rel="nofollow">Sign in to reply</a>'
        in client.get(technique.get_absolute_url()).content.decode()
    )
    response = client.get(f"{technique.get_absolute_url()}?replyto={question.pk}")
    assert response.status_code == HTTPStatus.FOUND
    back = f"{technique.get_absolute_url()}?replyto={question.pk}#reply-{question.pk}"
    assert response["Location"] == f"{reverse('account_login')}?next={quote(back, safe='/')}"
    missing = client.get(f"/techniques/no-such-technique/?replyto={question.pk}")
    assert missing.status_code == HTTPStatus.NOT_FOUND


def test_anonymous_posting_is_sent_to_sign_in(client, technique):
    """Posting needs an account."""
    response = client.post(create_url(technique), {"body": "Hello"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))
    assert not Comment.objects.exists()


def test_member_posts_a_question(auth_client, user, technique):
    """A member's question is stored and they land on its permalink."""
    response = auth_client.post(
        create_url(technique), {"body": "How long per side?", "kind": "question"}
    )
    comment = Comment.objects.get()
    assert (comment.author, comment.kind, comment.status) == (user, "question", "pending")
    assert response["Location"] == comment.get_absolute_url()
    page = auth_client.get(response["Location"], follow=True)
    body = page.content.decode()
    assert f'id="comment-{comment.pk}"' in body
    assert "Awaiting moderation" in body
    assert "waits for a moderator" in body


def test_pending_comments_are_hidden_from_other_readers(client, other_client, technique):
    """Only the author and staff see a comment waiting for moderation."""
    CommentFactory(technique=technique, status="pending", body="Waiting text")
    assert "Waiting text" not in client.get(technique.get_absolute_url()).content.decode()
    assert "Waiting text" not in other_client.get(technique.get_absolute_url()).content.decode()


def test_staff_see_and_approve_pending_comments_on_the_page(staff_client, client, technique):
    """Staff see pending comments marked, and approve them from the page."""
    comment = CommentFactory(technique=technique, status="pending", body="Waiting text")
    body = staff_client.get(technique.get_absolute_url()).content.decode()
    assert "Waiting text" in body
    assert "Awaiting moderation" in body
    staff_client.post(
        reverse("techniques:comment_moderate", args=[comment.pk]), {"action": "approve"}
    )
    assert "Waiting text" in client.get(technique.get_absolute_url()).content.decode()


def test_members_cannot_moderate(auth_client, technique):
    """The moderate URL is not there for members."""
    comment = CommentFactory(technique=technique, status="pending")
    response = auth_client.post(
        reverse("techniques:comment_moderate", args=[comment.pk]), {"action": "approve"}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_member_replies_to_a_comment(auth_client, user, technique):
    """The reply form sends ``parent``; the reply nests under it."""
    CommentFactory(author=user)  # approved before, so this goes live
    question = CommentFactory(technique=technique)
    auth_client.post(create_url(technique), {"body": "Same here", "parent": question.pk})
    reply = Comment.objects.get(parent=question)
    assert reply.kind == "reply"
    assert reply.status == "published"


def test_replyto_shows_the_inline_form_without_javascript(auth_client, technique):
    """``?replyto=<id>`` shows a reply form under that comment, with the parent filled in."""
    question = CommentFactory(technique=technique)
    body = auth_client.get(f"{technique.get_absolute_url()}?replyto={question.pk}").content.decode()
    assert f'id="reply-{question.pk}"' in body
    assert f'name="parent" value="{question.pk}"' in body


def test_invalid_input_keeps_the_text(auth_client, technique):
    """Too long a comment comes back with the text and a clear message.

    The page's empty form is cached first: a form with the member's text never is.
    """
    auth_client.get(technique.get_absolute_url())
    text = "Long " * 1100
    response = auth_client.post(create_url(technique), {"body": text})
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "5,000 characters or fewer" in body
    assert text.strip()[:200] in body
    assert not Comment.objects.exists()


def test_empty_comment_gets_a_clear_message(auth_client, technique):
    """An empty form says how much to write."""
    response = auth_client.post(create_url(technique), {"body": "  "})
    assert services.BODY_TOO_SHORT in response.content.decode()


def test_a_too_short_comment_is_an_error_of_its_field_shown_once(auth_client, technique):
    """ "Write at least 2 characters" sits under the box, tied to it, not twice above the form."""
    response = auth_client.post(create_url(technique), {"body": "x"})
    assert response.context["form"].errors == {"body": [services.BODY_TOO_SHORT]}
    body = response.content.decode()
    assert body.count(services.BODY_TOO_SHORT) == 1
    textarea = re.search(r"<textarea[^>]*>", body)[0]
    assert 'aria-invalid="true"' in textarea
    assert 'aria-describedby="id_body_helptext id_body_error"' in textarea


def test_honeypot_rejects_calmly_and_stores_nothing(auth_client, technique):
    """A filled hidden field gets a polite refusal and nothing is saved."""
    response = auth_client.post(
        create_url(technique), {"body": "Buy pills", "website": "http://spam.example"}
    )
    assert response.status_code == HTTPStatus.OK
    assert "could not accept this comment" in response.content.decode()
    assert not Comment.objects.exists()


def test_rate_limit_answers_with_a_form_message(auth_client, user, technique):
    """Past the per-minute limit the member sees a message on the form, not an error page."""
    CommentFactory(author=user)
    for n in range(5):
        assert auth_client.post(create_url(technique), {"body": f"Note {n}"}).status_code == 302
    response = auth_client.post(create_url(technique), {"body": "One more thing"})
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "in the last minute" in body
    assert "One more thing" in body
    cache.clear()


def test_csrf_is_enforced_on_posting(user, technique):
    """A post without the CSRF token is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(create_url(technique), {"body": "Hello"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Comment.objects.exists()


def test_csrf_is_enforced_on_comment_actions(user, other_user, technique):
    """Flag, delete and answer posts need the token too."""
    comment = CommentFactory(technique=technique, author=other_user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    for name in ["comment_flag", "comment_answer", "comment_follow"]:
        response = client.post(reverse(f"techniques:{name}", args=[comment.pk]))
        assert response.status_code == HTTPStatus.FORBIDDEN, name


def test_author_edits_their_comment(auth_client, user, technique):
    """The author changes their text from the edit page."""
    comment = CommentFactory(technique=technique, author=user, body="Teh typo")
    url = reverse("techniques:comment_edit", args=[comment.pk])
    assert auth_client.get(url).status_code == HTTPStatus.OK
    auth_client.post(url, {"body": "The typo"})
    comment.refresh_from_db()
    assert comment.body == "The typo"


def test_edit_after_the_window_is_refused(auth_client, user, technique, monkeypatch):
    """After 15 minutes the edit page answers 403."""
    from datetime import timedelta

    from django.utils import timezone

    comment = CommentFactory(technique=technique, author=user)
    later = comment.created_at + timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = auth_client.get(reverse("techniques:comment_edit", args=[comment.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("name", ["comment_edit", "comment_delete"])
def test_others_cannot_edit_or_delete(other_client, user, technique, name):
    """Someone else's comment is a 404 on the edit and delete pages."""
    comment = CommentFactory(technique=technique, author=user)
    url = reverse(f"techniques:{name}", args=[comment.pk])
    assert other_client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert other_client.post(url, {"body": "Hijack"}).status_code == HTTPStatus.NOT_FOUND
    assert Comment.objects.get(pk=comment.pk).body == comment.body


@pytest.mark.parametrize("name", ["comment_edit", "comment_delete", "comment_queue"])
def test_anonymous_users_are_sent_to_sign_in(client, technique, name):
    """Private comment pages ask for sign-in first."""
    comment = CommentFactory(technique=technique)
    url = reverse(f"techniques:{name}", args=[] if name == "comment_queue" else [comment.pk])
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))


def test_deleted_comment_with_replies_shows_a_placeholder(auth_client, user, client, technique):
    """Deleting keeps the replies readable under a "comment removed" note."""
    question = CommentFactory(technique=technique, author=user, body="Delete me")
    CommentFactory(parent=question, body="A reply that stays")
    auth_client.post(reverse("techniques:comment_delete", args=[question.pk]))
    body = client.get(technique.get_absolute_url()).content.decode()
    assert "Delete me" not in body
    assert "This comment was removed." in body
    assert "A reply that stays" in body


def test_asker_marks_the_answer_and_it_is_highlighted(auth_client, user, client, technique):
    """The asker picks a reply; readers see it as the answer."""
    question = CommentFactory(technique=technique, author=user)
    reply = CommentFactory(parent=question)
    auth_client.post(reverse("techniques:comment_answer", args=[reply.pk]))
    body = client.get(technique.get_absolute_url()).content.decode()
    assert f'id="comment-{reply.pk}" class="comment depth-1 is-answer"' in body
    assert "The answer" in body
    assert "Answered" in body


def test_other_members_cannot_mark_the_answer(other_client, user, technique):
    """Someone who did not ask gets 403."""
    question = CommentFactory(technique=technique, author=user)
    reply = CommentFactory(parent=question)
    response = other_client.post(reverse("techniques:comment_answer", args=[reply.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN
    question.refresh_from_db()
    assert question.answer is None


def test_staff_comments_carry_a_badge_and_display_names_not_emails(client, staff_user, technique):
    """Staff answers say "Staff"; names shown are display names, never emails."""
    ProfileFactory(user=staff_user, display_name="Coach Sam")
    question = CommentFactory(technique=technique)
    CommentFactory(parent=question, author=staff_user)
    body = client.get(technique.get_absolute_url()).content.decode()
    assert "Coach Sam" in body
    assert 'class="badge badge-staff">Staff<' in body
    assert "@example.com" not in body


def test_staff_queue_lists_unanswered_questions_oldest_first(staff_client, technique):
    """The queue shows unanswered questions, oldest first, plus flags and pending ones."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    newer = CommentFactory(technique=technique, body="Newer question", created_at=now)
    older = CommentFactory(
        technique=technique, body="Older question", created_at=now - timedelta(days=2)
    )
    answered = CommentFactory(technique=technique, body="Answered question")
    answered.answer = CommentFactory(parent=answered)
    answered.save()
    response = staff_client.get(reverse("techniques:comment_queue"))
    unanswered = response.context["queue"].unanswered
    assert [item.comment.pk for item in unanswered] == [older.pk, newer.pk]
    assert "Answered question" not in response.content.decode()


def test_staff_queue_is_not_for_members(auth_client):
    """Members get a 404 for the staff queue."""
    assert auth_client.get(reverse("techniques:comment_queue")).status_code == 404


def test_flagged_comments_reach_the_queue(auth_client, staff_client, other_user, technique):
    """A member's flag puts the comment in the staff queue."""
    comment = CommentFactory(technique=technique, author=other_user, body="Odd advice")
    auth_client.post(reverse("techniques:comment_flag", args=[comment.pk]))
    response = staff_client.get(reverse("techniques:comment_queue"))
    assert [item.comment.pk for item in response.context["queue"].flagged] == [comment.pk]


def test_promoted_answer_appears_under_asked_and_answered(staff_client, client, technique):
    """Staff add an answer to the FAQ; the page shows it after "How often"."""
    question = CommentFactory(technique=technique, body="Can I do it daily?")
    reply = CommentFactory(parent=question, body="Yes, while it keeps helping.")
    staff_client.post(
        reverse("techniques:comment_faq", args=[reply.pk]),
        {"question": "Can I do it daily?", "answer": "Yes, while it keeps helping."},
    )
    body = client.get(technique.get_absolute_url()).content.decode()
    assert body.index("How often, and what to pair it with") < body.index("Asked and answered")
    assert body.index("Asked and answered") < body.index("When to back off")


def test_permalink_goes_to_the_right_page(client, technique):
    """A comment past the first page links to ?comments=2#comment-<id>."""
    comments = CommentFactory.create_batch(COMMENTS_PER_PAGE + 1, technique=technique)
    response = client.get(comments[-1].get_absolute_url())
    assert response["Location"] == (
        f"{technique.get_absolute_url()}?comments=2#comment-{comments[-1].pk}"
    )
    page = client.get(f"{technique.get_absolute_url()}?comments=2").content.decode()
    assert f'id="comment-{comments[-1].pk}"' in page
    assert f'id="comment-{comments[0].pk}"' not in page


def test_catalogue_shows_comment_counts_without_extra_queries(
    client, technique, django_assert_num_queries
):
    """Each technique shows how many published comments it has, counted in one query; the
    page stays at three."""
    CommentFactory.create_batch(3, technique=technique)
    CommentFactory(technique=technique, status="pending")
    with django_assert_num_queries(3):
        body = client.get("/techniques/").content.decode()
    assert "3 comments" in body


def test_home_lists_recent_answered_questions(client, technique):
    """Answered questions appear on the home page; unanswered ones do not."""
    from django.utils import timezone

    question = CommentFactory(technique=technique, body="Does it help sciatica?")
    question.answer = CommentFactory(parent=question)
    question.answered_at = timezone.now()
    question.save()
    CommentFactory(technique=technique, body="Nobody answered me")
    body = client.get("/").content.decode()
    assert "Recent questions" in body
    assert "Does it help sciatica?" in body
    assert "Nobody answered me" not in body


def _thread(technique, comments):
    """``comments`` comments: questions with a staff answer and a nested follow-up."""
    made = 0
    while made < comments:
        question = CommentFactory(technique=technique)
        made += 1
        parent = question
        for _ in range(min(2, comments - made)):
            parent = CommentFactory(parent=parent)
            made += 1
    FaqEntryFactory(technique=technique)


@pytest.mark.parametrize("comments", [1, 200])
def test_thread_query_count_is_constant_for_readers(
    client, technique, django_assert_num_queries, comments
):
    """1 or 200 comments: the page costs the same queries (5 for an anonymous reader)."""
    _thread(technique, comments)
    with django_assert_num_queries(5):
        response = client.get(technique.get_absolute_url())
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("comments", [1, 200])
def test_thread_query_count_is_constant_for_members(
    auth_client, technique, django_assert_num_queries, comments, settings
):
    """Signed in the count is fixed too: 7 to build the page, one once it is kept (how the
    member reads the thread, which names their copy; the user is kept too), plus reading
    the session where it is not read through Redis."""
    _thread(technique, comments)
    with django_assert_num_queries(7 + _session_queries(settings)):
        response = auth_client.get(technique.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    with django_assert_num_queries(1 + _session_queries(settings)):
        again = auth_client.get(technique.get_absolute_url())
    assert again.content == response.content.replace(
        _csrf(response).encode(), _csrf(again).encode()
    )


def _session_queries(settings):
    """1 where sessions are read from the database, 0 where Redis holds them."""
    return int(settings.SESSION_ENGINE == "django.contrib.sessions.backends.db")


def _csrf(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def _thread_part(response):
    """The cached part of the page: from the thread's heading to the actions form."""
    body = response.content.decode()
    end = 'id="comment-actions"' if 'id="comment-actions"' in body else 'id="respond"'
    return body[body.index('id="comments-heading"') : body.index(end)]


def test_members_who_see_the_thread_alike_share_one_copy(
    auth_client, other_client, technique, django_assert_num_queries, settings
):
    """The second member's page reuses the page the first one's request built: only
    their user with their time zone, and their own comments and follows are read."""
    CommentFactory(technique=technique, body="Does it help after cycling?")
    first = auth_client.get(technique.get_absolute_url())
    with django_assert_num_queries(2 + _session_queries(settings)):
        second = other_client.get(technique.get_absolute_url())
    assert "Does it help after cycling?" in _thread_part(second)
    assert _thread_part(first) == _thread_part(second)


def test_the_shared_thread_holds_no_csrf_token_and_buttons_still_post(
    auth_client, other_user, technique
):
    """Action buttons post through one form outside the cached part, which has the token."""
    comment = CommentFactory(technique=technique, author=other_user, kind="question")
    response = auth_client.get(technique.get_absolute_url())
    assert "csrfmiddlewaretoken" not in _thread_part(response)
    flag_url = reverse("techniques:comment_flag", args=[comment.pk])
    assert f'form="comment-actions" formaction="{flag_url}"' in _thread_part(response)
    body = response.content.decode()
    form = body[body.index('<form id="comment-actions"') :]
    assert form[: form.index("</form>")].count("csrfmiddlewaretoken") == 1


def test_a_members_own_comments_are_not_shared(auth_client, other_client, user, technique):
    """Own pending comments and edit links are for the author; others get the shared copy."""
    other_client.get(technique.get_absolute_url())
    mine = CommentFactory(technique=technique, author=user, body="Mine, waiting", status="pending")
    edit_url = reverse("techniques:comment_edit", args=[mine.pk])
    own_page = _thread_part(auth_client.get(technique.get_absolute_url()))
    assert "Mine, waiting" in own_page
    assert edit_url in own_page
    other_page = _thread_part(other_client.get(technique.get_absolute_url()))
    assert "Mine, waiting" not in other_page
    assert edit_url not in other_page


def test_the_edit_link_goes_when_the_window_closes(auth_client, user, technique, monkeypatch):
    """A cached copy with the Edit link is not shown once editing is no longer allowed."""
    from datetime import timedelta

    from django.utils import timezone

    comment = CommentFactory(technique=technique, author=user)
    edit_url = reverse("techniques:comment_edit", args=[comment.pk])
    assert edit_url in _thread_part(auth_client.get(technique.get_absolute_url()))
    later = comment.created_at + timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert edit_url not in _thread_part(auth_client.get(technique.get_absolute_url()))


def test_following_a_question_shows_at_once(auth_client, other_user, technique):
    """Follow flips to Stop following on the next page view, though the thread is cached."""
    question = CommentFactory(technique=technique, author=other_user, kind="question")
    assert ">Follow</button>" in _thread_part(auth_client.get(technique.get_absolute_url()))
    auth_client.post(reverse("techniques:comment_follow", args=[question.pk]), {"follow": "1"})
    page = _thread_part(auth_client.get(technique.get_absolute_url()))
    assert ">Stop following</button>" in page


def test_a_new_comment_shows_to_members_who_had_the_thread_cached(
    staff_client, other_client, technique
):
    """Posting through the site drops the cached thread for everyone."""
    CommentFactory(technique=technique, body="First question")
    other_client.get(technique.get_absolute_url())
    staff_client.post(
        create_url(technique),
        {"body": "A second question", "kind": "question", "display_name": "Coach Sam"},
    )
    assert "A second question" in _thread_part(other_client.get(technique.get_absolute_url()))


def test_an_unpublished_technique_is_gone_for_members_who_had_it_cached(auth_client, technique):
    """Withdrawing a technique (an admin save changes the content version) gives a 404."""
    assert auth_client.get(technique.get_absolute_url()).status_code == HTTPStatus.OK
    technique.is_published = False
    technique.save()
    assert auth_client.get(technique.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_a_members_comment_waiting_for_moderation_shows_to_them_at_once(auth_client, technique):
    """A newcomer's first comment changes no public page, but their own page shows it."""
    auth_client.get(technique.get_absolute_url())
    auth_client.post(create_url(technique), {"body": "Is a tennis ball too soft?"})
    page = _thread_part(auth_client.get(technique.get_absolute_url()))
    assert "Is a tennis ball too soft?" in page
    assert "Awaiting moderation" in page


def test_staff_always_see_the_newest_waiting_comments(staff_client, other_user, technique):
    """Comments waiting for moderation do not drop caches, so staff pages are never cached."""
    staff_client.get(technique.get_absolute_url())
    CommentFactory(technique=technique, author=other_user, body="Just arrived", status="pending")
    assert "Just arrived" in _thread_part(staff_client.get(technique.get_absolute_url()))


def test_a_thread_of_500_comments_renders(client, db):
    """A long thread still renders its first page of top-level comments."""
    region = RegionFactory()
    technique = TechniqueFactory(region=region)
    StepFactory(technique=technique)
    _thread(technique, 500)
    response = client.get(technique.get_absolute_url())
    assert "500 thoughts on" in response.content.decode()
    assert len(response.context["thread"].nodes) == COMMENTS_PER_PAGE


def test_a_shared_page_carries_each_members_own_csrf_token(user, other_user, technique):
    """The kept page is shared, its CSRF token is not: each member's buttons still post."""
    question = CommentFactory(technique=technique, kind="question")
    first = Client(enforce_csrf_checks=True)
    first.force_login(user)
    second = Client(enforce_csrf_checks=True)
    second.force_login(other_user)
    first.get(technique.get_absolute_url())
    page = second.get(technique.get_absolute_url())
    token = _csrf(page)
    assert token != _csrf(first.get(technique.get_absolute_url()))
    follow_url = reverse("techniques:comment_follow", args=[question.pk])
    response = second.post(follow_url, {"follow": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == HTTPStatus.FOUND
    assert ">Stop following</button>" in _thread_part(second.get(technique.get_absolute_url()))


def test_a_page_with_a_message_is_neither_kept_nor_served_from_the_cache(
    auth_client, other_user, technique
):
    """The note after an action shows once, on a page built for it, and then goes."""
    question = CommentFactory(technique=technique, author=other_user, kind="question")
    auth_client.get(technique.get_absolute_url())
    auth_client.post(reverse("techniques:comment_flag", args=[question.pk]))
    assert FLAGGED in auth_client.get(technique.get_absolute_url()).content.decode()
    assert FLAGGED not in auth_client.get(technique.get_absolute_url()).content.decode()
