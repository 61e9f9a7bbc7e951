"""Every URL that belongs to a member, walked as another member and as an anonymous visitor.

The URLs come from the resolver, not from a hand-written list: a new private URL that
the walker does not know how to fill fails ``test_the_walker_knows_every_private_url``.
"""

import datetime
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils.http import int_to_base36

from members.models import Profile
from questions import emails
from questions.models import Comment
from routines import services as routine_services
from routines.models import LogEntry, Routine, StretchLog
from techniques.models import Technique
from tests.factories import CommentFactory, LogEntryFactory, RoutineFactory, UserFactory
from tests.urlnames import url_names

A_EMAIL = "alice.private@example.com"
A_NAME = "Alicia Quokkafeather"
A_NOTE = "ZEBRA-NOTE-7731 my left hip clicks"
A_PENDING = "PENDING-QUESTION-4412 is my knee normal"
A_QUESTION = "How hard should I press on the psoas?"
B_NOTE = "B's own note"

# What a visitor who is not the owner may get from a URL of each kind.
OWNER = "owner"  # someone's object in the URL: others get 404 (anonymous: sign-in)
SELF = "self"  # shows the visitor's own data: others see theirs, never A's
STAFF = "staff"  # staff-only actions: members get 404/403 (anonymous: sign-in)
TOKEN = "token"  # a secret in the URL is the authority: a tampered one gives 404
PUBLIC = "public"  # sign-in, sign-up and friends: open to anyone, show nobody's data
OPEN = "open"  # actions any member may take on a public comment (flag, follow, reply…)

SCOPE_NAMESPACES = ("routines", "members")
SCOPE_PREFIXES = ("techniques:comment", "account_", "mfa_")


@dataclass(frozen=True)
class Route:
    kind: str
    kwargs: object = None  # a function of the world's objects giving the URL's kwargs


def _tamper(token: str) -> str:
    return token[:-2] + ("AA" if not token.endswith("AA") else "BB")


ROUTES: dict[str, Route] = {
    # routines/
    "routines:today": Route(SELF),
    "routines:start": Route(SELF),
    "routines:settings": Route(SELF),
    "routines:log": Route(SELF),
    "routines:note": Route(OWNER, lambda w: {"pk": w.entry.pk}),
    "routines:cycle_choice": Route(SELF),
    "routines:pin": Route(SELF, lambda w: {"slug": "quads-roll"}),
    "routines:upcoming": Route(SELF),
    "routines:history": Route(SELF),
    "routines:pdf": Route(SELF),
    "routines:feed": Route(TOKEN, lambda w: {"token": w.routine.feed_token}),
    "routines:feed_regenerate": Route(SELF),
    "routines:session": Route(SELF),
    "routines:session_log": Route(SELF),
    "routines:session_manifest": Route(PUBLIC),
    "routines:reminders_off": Route(
        TOKEN, lambda w: {"token": routine_services.reminder_stop_token(w.routine)}
    ),
    # members/
    "members:profile": Route(SELF),
    # questions and answers
    "techniques:comment": Route(PUBLIC, lambda w: {"pk": w.pending.pk}),
    "techniques:comment_create": Route(OPEN, lambda w: {"slug": w.technique.slug}),
    "techniques:comment_edit": Route(OWNER, lambda w: {"pk": w.question.pk}),
    "techniques:comment_delete": Route(OWNER, lambda w: {"pk": w.question.pk}),
    "techniques:comment_moderate": Route(STAFF, lambda w: {"pk": w.pending.pk}),
    "techniques:comment_answer": Route(OPEN, lambda w: {"pk": w.reply.pk}),
    "techniques:comment_flag": Route(OPEN, lambda w: {"pk": w.question.pk}),
    "techniques:comment_follow": Route(OPEN, lambda w: {"pk": w.question.pk}),
    "techniques:comment_faq": Route(STAFF, lambda w: {"pk": w.reply.pk}),
    "techniques:comment_queue": Route(STAFF),
    "techniques:comment_unsubscribe": Route(
        TOKEN,
        lambda w: {
            "token": emails.unsubscribe_token(
                user_id=w.a.pk, scope=emails.SCOPE_THREAD, thread_id=w.question.pk
            )
        },
    ),
    # allauth: account management belongs to whoever is signed in
    "account_email": Route(SELF),
    "account_change_password": Route(SELF),
    "account_set_password": Route(SELF),
    "account_reauthenticate": Route(SELF),
    # Re-authenticating by an emailed code (allauth 65.22): off here, so 403 for everyone.
    "account_request_reauthentication_code": Route(SELF),
    "account_confirm_reauthentication_code": Route(SELF),
    "account_logout": Route(SELF),
    "account_login": Route(PUBLIC),
    "account_signup": Route(PUBLIC),
    "account_inactive": Route(PUBLIC),
    "account_email_verification_sent": Route(PUBLIC),
    "account_reset_password": Route(PUBLIC),
    "account_reset_password_done": Route(PUBLIC),
    "account_reset_password_from_key_done": Route(PUBLIC),
    "account_confirm_login_code": Route(PUBLIC),
    "account_confirm_email": Route(PUBLIC, lambda w: {"key": "made-up-key"}),
    "account_reset_password_from_key": Route(
        PUBLIC, lambda w: {"uidb36": int_to_base36(w.a.pk), "key": "made-up-key"}
    ),
    # allauth MFA: the signed-in member's own authenticators
    "mfa_index": Route(SELF),
    "mfa_authenticate": Route(PUBLIC),
    "mfa_reauthenticate": Route(SELF),
    "mfa_activate_totp": Route(SELF),
    "mfa_deactivate_totp": Route(SELF),
    "mfa_view_recovery_codes": Route(SELF),
    "mfa_generate_recovery_codes": Route(SELF),
    "mfa_download_recovery_codes": Route(SELF),
}

# A POST carrying every field a private form could take, so a missing check would act.
HOSTILE_POST = {
    "note": "hijacked",
    "body": "hijacked text",
    "action": "approve",
    "follow": "1",
    "reason": "hijack",
    "display_name": "Hijacker",
    "time_zone": "UTC",
    "email": "hijack@example.com",
    "form-TOTAL_FORMS": "1",
    "form-INITIAL_FORMS": "0",
    "form-0-technique": "quads-roll",
    "form-0-status": "skipped",
    "stretch-prop": "book",
    "stretch-unbroken_minutes": "1",
}


def private_url_names() -> set[str]:
    """Every named URL pattern in the member-owned parts of the site."""
    return {
        name
        for name in url_names()
        if name.split(":")[0] in SCOPE_NAMESPACES or name.startswith(SCOPE_PREFIXES)
    }


@dataclass
class World:
    a: object
    b: object
    staff: object
    routine: Routine
    entry: LogEntry
    technique: Technique
    question: Comment
    reply: Comment
    pending: Comment


@pytest.fixture
def world(catalogue):
    a = UserFactory(username="alice", email=A_EMAIL)
    EmailAddress.objects.create(user=a, email=A_EMAIL, verified=True, primary=True)
    Profile.objects.create(user=a, display_name=A_NAME, time_zone="Europe/London")
    b = UserFactory(username="bob", email="bob@example.com")
    EmailAddress.objects.create(user=b, email=b.email, verified=True, primary=True)
    Profile.objects.create(user=b, display_name="Bob")
    RoutineFactory(member=b)
    LogEntryFactory(member=b, technique=Technique.objects.get(slug="quads-roll"), note=B_NOTE)
    staff = UserFactory(username="coach", is_staff=True)
    routine = RoutineFactory(member=a, reminders_on=True)
    technique = Technique.objects.get(slug="psoas-press")
    entry = LogEntryFactory(
        member=a, technique=technique, day=datetime.date(2026, 3, 2), note=A_NOTE
    )
    LogEntryFactory(member=a, technique=Technique.objects.get(slug="quads-roll"))
    StretchLog.objects.create(
        member=a, day=datetime.date(2026, 3, 2), prop="book", unbroken_minutes=3, tension=True
    )
    question = CommentFactory(author=a, technique=technique, body=A_QUESTION)
    reply = CommentFactory(author=a, parent=question, body="Gently, then a little more.")
    pending = CommentFactory(author=a, technique=technique, body=A_PENDING, status="pending")
    return World(a, b, staff, routine, entry, technique, question, reply, pending)


def _url(world: World, name: str) -> str:
    route = ROUTES[name]
    return reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _is_sign_in_redirect(response) -> bool:
    return response.status_code == HTTPStatus.FOUND and response["Location"].startswith(
        reverse("account_login")
    )


def _assert_shows_nothing_of_a(response, world: World, where: str) -> None:
    body = b"" if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    for secret in (A_EMAIL, A_NAME, A_NOTE, A_PENDING, world.routine.feed_token):
        assert secret not in text, f"{where} shows A's {secret!r}"
    assert A_EMAIL not in response.get("Location", ""), where


def _snapshot(world: World) -> dict:
    routine = Routine.objects.get(pk=world.routine.pk)
    question = Comment.objects.filter(pk=world.question.pk).first()
    return {
        "note": LogEntry.objects.get(pk=world.entry.pk).note,
        "logs": list(LogEntry.objects.filter(member=world.a).values_list("pk", "status", "note")),
        "stretch": list(StretchLog.objects.filter(member=world.a).values_list("prop", "tension")),
        "feed_token": routine.feed_token,
        "reminders_on": routine.reminders_on,
        "pinned": list(routine.pinned_techniques.values_list("pk", flat=True)),
        "question": question and (question.body, question.status, question.answer_id),
        "pending": Comment.objects.get(pk=world.pending.pk).status,
        "profile": Profile.objects.filter(user=world.a).values_list("display_name", "time_zone")[0],
        "emails": list(EmailAddress.objects.filter(user=world.a).values_list("email", "verified")),
        "faq": world.technique.faq_entries.count(),
    }


def _check(response, *, kind: str, visitor: str, where: str) -> None:
    status = response.status_code
    assert status < 500, f"{where} answered {status}"
    anonymous = visitor == "anonymous"
    if kind in (OWNER, STAFF):
        if anonymous:
            assert _is_sign_in_redirect(response) or status == 404, f"{where}: {status}"
        else:
            # A POST-only action may refuse a GET before it looks at who is asking.
            allowed = (403, 404, 405) if where.startswith("GET") else (403, 404)
            assert status in allowed, f"{where} answered {status}"
    elif kind == SELF and anonymous:
        assert _is_sign_in_redirect(response) or status in (302, 404, 405), f"{where}: {status}"
    elif kind == TOKEN:
        assert status == 404, f"{where} with a tampered token answered {status}"
    elif kind == OPEN and anonymous and where.split()[0] == "POST":
        assert _is_sign_in_redirect(response), f"{where}: {status}"


def test_the_walker_knows_every_private_url():
    """Every named URL of the member-owned parts of the site has a fill rule in the walker."""
    names = private_url_names()
    assert names - ROUTES.keys() == set(), "teach the privacy walker these URLs"
    assert ROUTES.keys() - names == set(), "these URLs no longer exist"


def test_the_walker_fills_urls_that_work_for_their_owner(world):
    """Signed in as A, each owner-only URL the walker builds opens A's own data."""
    client = _client(world.a)
    note_page = client.get(_url(world, "routines:note"))
    assert A_NOTE in note_page.content.decode()
    edit_page = client.get(_url(world, "techniques:comment_edit"))
    assert A_QUESTION in edit_page.content.decode()
    assert client.get(_url(world, "techniques:comment_delete")).status_code == 200
    feed = Client().get(_url(world, "routines:feed"))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    assert Client().get(_url(world, "routines:reminders_off")).status_code == 200
    assert Client().get(_url(world, "techniques:comment_unsubscribe")).status_code == 200
    assert A_NAME in client.get(_url(world, "members:profile")).content.decode()
    assert A_NOTE in client.get(_url(world, "routines:history")).content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("visitor", ["member B", "anonymous"])
def test_no_private_url_shows_or_changes_a_members_data_for_others(world, visitor, method):
    """Another member and an anonymous visitor get 404, 403 or sign-in, never A's data."""
    before = _snapshot(world)
    for name in sorted(ROUTES):
        kind = ROUTES[name].kind
        url = _url(world, name)
        if kind == TOKEN:
            token = ROUTES[name].kwargs(world)["token"]
            url = url.replace(token, _tamper(token))
        client = _client(world.b if visitor == "member B" else None)
        response = client.get(url) if method == "get" else client.post(url, HOSTILE_POST)
        where = f"{method.upper()} {url} ({name}) as {visitor}"
        _check(response, kind=kind, visitor=visitor, where=where)
        _assert_shows_nothing_of_a(response, world, where)
    assert _snapshot(world) == before


def test_a_pending_comment_is_not_shown_to_others_through_its_permalink(world):
    """Following a pending comment's permalink shows others the page without the comment."""
    url = _url(world, "techniques:comment")
    for client in (_client(world.b), Client()):
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404)
        assert A_PENDING not in response.content.decode()


def test_a_routine_pdf_and_feed_for_b_never_carry_as_notes(world):
    """B's own plan PDF and calendar feed are built from B's routine only."""
    b_routine = Routine.objects.get(member=world.b)
    feed = Client().get(reverse("routines:feed", kwargs={"token": b_routine.feed_token}))
    assert feed.status_code == 200
    assert A_NOTE not in feed.content.decode()
    assert A_NAME not in feed.content.decode()
    pdf = _client(world.b).get(reverse("routines:pdf"))
    assert pdf.status_code == 200
    assert pdf["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("visitor", ["member B", "anonymous"])
def test_the_admin_turns_away_members_and_anonymous_visitors(world, visitor):
    """Every admin screen, including those listing A's log and profile, sends non-staff away."""
    client = _client(world.b if visitor == "member B" else None)
    names = [
        "admin:index",
        "admin:routines_logentry_changelist",
        "admin:members_profile_changelist",
        "admin:questions_comment_changelist",
    ]
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        _assert_shows_nothing_of_a(response, world, name)
    change = reverse("admin:routines_logentry_change", args=[world.entry.pk])
    response = client.get(change)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "name", ["account_request_reauthentication_code", "account_confirm_reauthentication_code"]
)
def test_reauthentication_by_emailed_code_is_closed(world, name):
    """Members re-authenticate with their password: allauth's emailed-code pages answer 403."""
    assert _client(world.a).get(reverse(name)).status_code == HTTPStatus.FORBIDDEN
