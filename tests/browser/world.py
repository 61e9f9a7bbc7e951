"""The people and things the accessibility sweeps visit, on top of the real catalogue."""

import datetime
from dataclasses import dataclass

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import int_to_base36

from members.models import Profile
from questions import emails
from questions.models import Comment, CommentFlag
from routines import services as routine_services
from techniques.models import FaqEntry, FormerSlug, Technique
from tests.browser.steps import PASSWORD
from tests.factories import CommentFactory, LogEntryFactory, RoutineFactory, UserFactory


@dataclass
class World:
    member: object  # a plan with holds and a long round, a history, comments of their own
    newcomer: object  # signed in, no plan yet
    guarded: object  # two-factor sign-in on
    staff: object
    question: Comment  # the member's, answered by staff
    fresh: Comment  # the member's, still editable
    old: Comment  # the member's, too old to edit
    paged: Technique  # a thread with a second page
    note_entry: object
    confirm_key: str
    reset_path: str
    unsubscribe: str
    reminders_off: str


def _member(username: str, **extra):
    user = UserFactory(username=username, email=f"{username}@example.com", **extra)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Profile.objects.create(user=user, display_name=username.title())
    return user


def make_world() -> World:
    """The people and things the sweeps need, on top of the real catalogue."""
    member = _member("mia")
    newcomer = _member("nico")
    guarded = _member("tia")
    TOTP.activate(guarded, generate_totp_secret())
    RecoveryCodes.activate(guarded)
    staff = _member("coach", is_staff=True, is_superuser=True)
    # Every region at 2 a day (a round too long, with its choices), tension (the stretch
    # daily) and overuse on two days this week (held back, and the advice).
    routine = RoutineFactory(
        member=member,
        reminders_on=True,
        tension=True,
        regions=["hip", "thigh", "calves", "shoulder", "arms", "back", "foot"],
    )
    today = timezone.localdate()
    for slug, back in (("glute-ball-roll", 1), ("tfl-ball-press", 5)):
        LogEntryFactory(
            member=member,
            technique=Technique.objects.get(slug=slug),
            day=today - datetime.timedelta(days=back),
            sensitivity="more",
            movement="worse",
        )
    psoas = Technique.objects.get(slug="psoas-press")
    note_entry = LogEntryFactory(
        member=member, technique=psoas, day=datetime.date(2026, 3, 2), note="Left side tight."
    )
    LogEntryFactory(member=member, technique=Technique.objects.get(slug="quads-roll"))
    question = CommentFactory(author=member, technique=psoas, body="Above or below the bone?")
    answer = CommentFactory(author=staff, parent=question, body="Just inside it, below.")
    question.answer = answer
    question.save()
    FaqEntry.objects.create(technique=psoas, question=question.body, answer=answer.body)
    CommentFactory(
        author=newcomer, technique=psoas, body="Does it help sciatica?", status="pending"
    )
    flagged = CommentFactory(technique=psoas, kind="remark", body="Try it after a walk.")
    CommentFlag.objects.create(comment=flagged, member=member)
    old = CommentFactory(author=member, technique=psoas, kind="remark", body="Worked for me.")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    fresh = CommentFactory(author=member, technique=psoas, kind="remark", body="Day two.")
    # The admin's first technique has an old address (a row in a table of inputs).
    FormerSlug.objects.create(technique=Technique.objects.order_by("pk").first(), slug="old-name")
    paged = Technique.objects.get(slug="quads-roll")
    for n in range(11):
        CommentFactory(technique=paged, body=f"Question number {n} about the roll?")
    unconfirmed = EmailAddress.objects.create(
        user=newcomer, email="nico.other@example.com", verified=False, primary=False
    )
    uid = int_to_base36(member.pk)
    return World(
        member=member,
        newcomer=newcomer,
        guarded=guarded,
        staff=staff,
        question=question,
        fresh=fresh,
        old=old,
        paged=paged,
        note_entry=note_entry,
        confirm_key=EmailConfirmationHMAC(unconfirmed).key,
        reset_path=f"/accounts/password/reset/key/{uid}-{default_token_generator.make_token(member)}/",
        unsubscribe=reverse(
            "techniques:comment_unsubscribe",
            args=[
                emails.unsubscribe_token(
                    user_id=member.pk, scope=emails.SCOPE_THREAD, thread_id=question.pk
                )
            ],
        ),
        reminders_off=reverse(
            "routines:reminders_off", args=[routine_services.reminder_stop_token(routine)]
        ),
    )


def sign_in(context, site, user) -> None:
    """The browser context carries a session of ``user`` (no sign-in form, no 2FA)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": site.url}])
