"""Versions of what cached entries are built from, and the one place that bumps them.

Every cached value is stored with the versions of the things it shows, its *scopes*,
and is served only while all of them are current:

- :data:`CATALOGUE`: regions, tools, techniques and their steps: the catalogue, home,
  each technique page (its instructions and region links), the plans' catalogue;
- :func:`technique_scope`: one technique's own content (its fields, FAQ entries, former
  slugs);
- :func:`thread_scope`: one technique's questions and answers (its comments, and the
  names and staff badges of the people who wrote there);
- :data:`QUESTIONS`: the recently answered questions on the home page;
- :func:`member_scope`: what is one member's own: their account, profile, routine, log,
  notes, pins, stretch log, their own comments and the questions they follow.

A version is a random token in the shared cache. The receivers below, connected to
``post_save``, ``post_delete`` and ``m2m_changed`` by :func:`connect` (from
``smrsite.apps``), replace the tokens of every scope a write touches, right away and
again when the transaction commits, so a value built from data read in between cannot
outlive the write. Services, views and admins (Django's ``UserAdmin`` included) never
call anything: saving the model is enough. Bulk writes send no model signals; the one
bulk writer, the catalogue seed, sends :data:`catalogue_loaded` instead.
"""

import uuid
from collections.abc import Iterable, Mapping
from functools import partial

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import Signal

CATALOGUE = "catalogue"
QUESTIONS = "questions"
# A member's token only has to outlive what is stored under it; losing one costs a miss.
MEMBER_SECONDS = 7 * 24 * 60 * 60

#: Sent by bulk writers of the catalogue (``techniques.services.catalogue_load``), with
#: ``slugs``: every slug, current or former, of the techniques written.
catalogue_loaded = Signal()


def technique_scope(slug: str) -> str:
    """The scope of one technique's page and thread, by its slug (as addresses name it)."""
    return f"technique:{slug}"


def thread_scope(slug: str) -> str:
    """The scope of one technique's thread, by the technique's slug."""
    return f"thread:{slug}"


def member_scope(member_id: int) -> str:
    """The scope of what is one member's own."""
    return f"member:{member_id}"


def key(scope: str) -> str:
    """Where a scope's token lives in the cache (read it with the entries it vouches for)."""
    return f"version:{scope}"


def _seconds(scope: str) -> int | None:
    return MEMBER_SECONDS if scope.startswith("member:") else None


def stamp(scopes: Iterable[str], found: Mapping[str, object]) -> tuple[str, ...] | None:
    """The current tokens of ``scopes``, taking those already read into ``found``.

    A scope without a token gets one. None when the cache cannot hold tokens (then
    nothing may be kept).
    """
    tokens = []
    for scope in scopes:
        token = found.get(key(scope))
        if token is None:
            cache.add(key(scope), uuid.uuid4().hex, _seconds(scope))
            token = cache.get(key(scope))
        if token is None:
            return None
        tokens.append(token)
    return tuple(tokens)


def current(*scopes: str) -> tuple[str, ...] | None:
    """The current tokens of ``scopes``, in one cache round trip when they all exist."""
    return stamp(scopes, cache.get_many([key(scope) for scope in scopes]))


def _replace(scopes: frozenset[str]) -> None:
    for scope in scopes:
        cache.set(key(scope), uuid.uuid4().hex, _seconds(scope))


def bump(*scopes: str) -> None:
    """Make everything kept under ``scopes`` stale, now and when the transaction commits."""
    changed = frozenset(scopes)
    if changed:
        _replace(changed)
        transaction.on_commit(partial(_replace, changed), robust=True)


# --- Receivers ---------------------------------------------------------------------------


def _technique_slug(technique_id: int | None) -> list[str]:
    from techniques.models import Technique

    if technique_id is None:
        return []
    return list(Technique.objects.filter(pk=technique_id).values_list("slug", flat=True))


def _written_on(member_id: int) -> list[str]:
    """The scopes of the threads a member has written in (their name shows there)."""
    from questions.models import Comment

    slugs = (
        Comment.objects.filter(author_id=member_id)
        .order_by()
        .values_list("technique__slug", flat=True)
        .distinct()
    )
    return [thread_scope(slug) for slug in slugs]


def catalogue_changed(sender, instance, **kwargs) -> None:
    """A region or a tool: every page that lists or describes the catalogue."""
    bump(CATALOGUE)


def technique_changed(sender, instance, **kwargs) -> None:
    """A technique (or stretch): the catalogue and its own page and thread."""
    bump(CATALOGUE, technique_scope(instance.slug))


def step_changed(sender, instance, **kwargs) -> None:
    """A step: its technique's instructions, which plans print too."""
    bump(CATALOGUE, *(technique_scope(s) for s in _technique_slug(instance.technique_id)))


def technique_part_changed(sender, instance, **kwargs) -> None:
    """An FAQ entry or a former slug: that technique's page (and the old address)."""
    slugs = _technique_slug(instance.technique_id)
    if sender.__name__ == "FormerSlug":
        slugs.append(instance.slug)
    bump(*(technique_scope(slug) for slug in slugs))


def comment_changed(sender, instance, **kwargs) -> None:
    """A comment: its technique's thread, the home page's answers, its author's view."""
    scopes = [thread_scope(s) for s in _technique_slug(instance.technique_id)]
    if instance.author_id is not None:
        scopes.append(member_scope(instance.author_id))
    bump(QUESTIONS, *scopes)


def member_row_changed(sender, instance, **kwargs) -> None:
    """A row that belongs to one member (``member_id``), e.g. a log entry or a follow."""
    bump(member_scope(instance.member_id))


def routine_row_changed(sender, instance, **kwargs) -> None:
    """A row of one routine (a day's session, a region link, a region pass): its member."""
    from routines.models import Routine

    members = Routine.objects.filter(pk=instance.routine_id).values_list("member_id", flat=True)
    bump(*(member_scope(member_id) for member_id in members))


def routine_changed(sender, instance, **kwargs) -> None:
    """A member's routine settings."""
    bump(member_scope(instance.member_id))


def routine_links_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A routine's regions, tools, left-out or pinned techniques, from either side."""
    from routines.models import Routine

    if not action.startswith("post_"):
        return
    if not reverse:
        bump(member_scope(instance.member_id))
        return
    routines = Routine.objects.all()
    if pk_set is not None:
        routines = routines.filter(pk__in=pk_set)
    bump(*(member_scope(m) for m in routines.values_list("member_id", flat=True)))


def technique_tools_changed(sender, instance, action, reverse, **kwargs) -> None:
    """Which tools a technique needs: the catalogue and that technique's page."""
    if action.startswith("post_"):
        scopes = [CATALOGUE] if reverse else [CATALOGUE, technique_scope(instance.slug)]
        bump(*scopes)


def profile_changed(sender, instance, **kwargs) -> None:
    """A profile: the member's own pages, and their name on every thread they wrote in.

    The kept copy of the user (``members.auth``) holds the profile too, so it goes.
    """
    from members.auth import forget_user

    forget_user(instance.user_id)
    bump(member_scope(instance.user_id), *_written_on(instance.user_id))


def user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """A user, also from Django's ``UserAdmin``: staff flag, name, activity, deletion.

    The kept copy of the user (``members.auth``) goes at once. A sign-in only stamps
    ``last_login``, which no page shows, so it leaves the threads they wrote in alone.
    Connected to ``pre_delete``: once deleted, their comments no longer name them.
    """
    from members.auth import forget_user

    forget_user(instance.pk)
    scopes = [member_scope(instance.pk)]
    if update_fields is None or set(update_fields) != {"last_login"}:
        scopes += _written_on(instance.pk)
    bump(*scopes)


def catalogue_reloaded(sender, slugs, **kwargs) -> None:
    """The catalogue seed wrote in bulk: the catalogue and the techniques it names."""
    bump(CATALOGUE, *(technique_scope(slug) for slug in slugs))


def connect() -> None:
    """Connect every receiver above to the models it watches (once, from ``ready()``)."""
    from members.models import Profile
    from questions.models import Comment, ThreadSubscription
    from routines.models import (
        DailySession,
        LogEntry,
        Routine,
        RoutinePass,
        RoutineRegion,
        StretchLog,
    )
    from techniques.models import FaqEntry, FormerSlug, Region, Step, Technique, Tool

    def on_write(receiver, *senders) -> None:
        for sender in senders:
            for signal in (post_save, post_delete):
                signal.connect(receiver, sender=sender, dispatch_uid=f"versions.{sender.__name__}")

    # Stretch is a proxy of Technique: its admin saves send signals for Stretch.
    stretch = [m for m in Technique._meta.apps.get_models() if m._meta.proxy_for_model is Technique]
    on_write(catalogue_changed, Region, Tool)
    on_write(technique_changed, Technique, *stretch)
    on_write(step_changed, Step)
    on_write(technique_part_changed, FaqEntry, FormerSlug)
    on_write(comment_changed, Comment)
    on_write(member_row_changed, LogEntry, StretchLog, ThreadSubscription)
    on_write(routine_row_changed, DailySession, RoutineRegion, RoutinePass)
    on_write(profile_changed, Profile)
    post_save.connect(user_changed, sender=get_user_model(), dispatch_uid="versions.user")
    pre_delete.connect(user_changed, sender=get_user_model(), dispatch_uid="versions.user")
    on_write(routine_changed, Routine)
    for through in (
        Routine.regions.through,
        Routine.tools.through,
        Routine.excluded_techniques.through,
        Routine.pinned_techniques.through,
    ):
        m2m_changed.connect(routine_links_changed, sender=through, dispatch_uid="versions.routine")
    m2m_changed.connect(
        technique_tools_changed, sender=Technique.tools.through, dispatch_uid="versions.tools"
    )
    catalogue_loaded.connect(catalogue_reloaded, dispatch_uid="versions.seed")
