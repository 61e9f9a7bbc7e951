"""Writes: onboarding and settings, the daily log, the stretch log, pins, feed tokens, reminders.

Cached pages that show a member's routine or log are kept fresh by model signals
(``smrsite.versions``): nothing here calls the cache.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.formats import date_format

from members.services import profile_for, profile_update, public_name
from routines import selectors
from routines.models import (
    DailySession,
    LogEntry,
    ReminderSent,
    Routine,
    RoutineRegion,
    StretchLog,
    new_feed_token,
)
from smrsite.mail import site_email
from techniques.models import Region, Technique, Tool

logger = logging.getLogger(__name__)

NO_REGIONS_ERROR = "Choose at least one region."
NOT_ON_PLAN_ERROR = "That technique is not on your plan today."
NOT_PINNABLE_ERROR = "Only a release technique can be pinned daily."
REMINDER_SALT = "routines.reminders-off"
# An upsert that lost a race retries once: the other writer's row is there by then.
UPSERT_ATTEMPTS = 3


@dataclass(frozen=True)
class ItemLog:
    """What a member said about one item of the day."""

    technique: Technique
    status: str
    sensitivity: str = ""
    movement: str = ""
    note: str = ""


def excluded_for_tools(*, tools: Iterable[Tool], left_out: Iterable[Technique] = ()) -> set[int]:
    """Ids of the techniques left out: chosen by the member, or needing a tool they lack.

    A technique lists the tools it can be done with; any one of them is enough.
    A technique that needs no tool is never left out for want of one.
    """
    have = {tool.pk for tool in tools}
    excluded = {t.pk for t in left_out}
    for technique in Technique.objects.published().prefetch_related("tools"):
        needed = {tool.pk for tool in technique.tools.all()}
        if needed and not needed & have:
            excluded.add(technique.pk)
    return excluded


def _apply_settings(
    routine: Routine,
    *,
    regions: Sequence[Region],
    tools: Iterable[Tool],
    left_out: Iterable[Technique],
) -> None:
    if not regions:
        raise ValueError(NO_REGIONS_ERROR)
    tools = list(tools)
    RoutineRegion.objects.filter(routine=routine).delete()
    RoutineRegion.objects.bulk_create(
        RoutineRegion(routine=routine, region=region, position=n)
        for n, region in enumerate(dict.fromkeys(regions), start=1)
    )
    routine.tools.set(tools)
    routine.excluded_techniques.set(excluded_for_tools(tools=tools, left_out=left_out))


@transaction.atomic
def routine_create(
    *,
    member,
    regions: Sequence[Region],
    tools: Iterable[Tool],
    per_day: int = 2,
    tension: bool = False,
    start_date: date,
    time_zone: str = "UTC",
    reminders_on: bool = False,
    reminder_time: time | None = None,
    left_out: Iterable[Technique] = (),
) -> Routine:
    """Give a member their routine, starting at the first step of the rotation."""
    routine = Routine(
        member=member,
        per_day=per_day,
        tension=tension,
        start_date=start_date,
        reminders_on=reminders_on,
    )
    if reminder_time is not None:
        routine.reminder_time = reminder_time
    routine.full_clean()
    routine.save()
    _apply_settings(routine, regions=regions, tools=tools, left_out=left_out)
    _set_time_zone(member, time_zone)
    return routine


def _set_time_zone(member, time_zone: str) -> None:
    # The time zone belongs to the member's profile: the plan's day, reminders and
    # the rest of the site follow the same one.
    profile = profile_for(member)
    if profile.time_zone != time_zone or not profile.time_zone_chosen:
        profile_update(profile=profile, time_zone=time_zone)


@transaction.atomic
def routine_update(
    *,
    routine: Routine,
    regions: Sequence[Region],
    tools: Iterable[Tool],
    per_day: int,
    tension: bool,
    time_zone: str,
    reminders_on: bool,
    reminder_time: time,
    left_out: Iterable[Technique] = (),
) -> Routine:
    """Change a routine's settings; the log and the place in the rotation are kept."""
    routine.per_day = per_day
    routine.tension = tension
    routine.reminders_on = reminders_on
    routine.reminder_time = reminder_time
    routine.full_clean()
    routine.save()
    _apply_settings(routine, regions=regions, tools=tools, left_out=left_out)
    _set_time_zone(routine.member, time_zone)
    return routine


def _upsert_row(model, *, lookup: dict, values: dict):
    """Update the one row matching ``lookup`` or create it, safe against a racing insert.

    Two tabs or a double submit may insert the same row at once: the unique
    constraint refuses the second insert, the other row is committed by then, and
    the next round updates it.
    """
    for attempt in range(UPSERT_ATTEMPTS):
        try:
            with transaction.atomic():
                row = model.objects.select_for_update().filter(**lookup).first()
                row = row or model(**lookup)
                for name, value in values.items():
                    setattr(row, name, value)
                row.full_clean(validate_unique=False, validate_constraints=False)
                row.save()
                return row
        except IntegrityError:
            if attempt == UPSERT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _upsert_log(*, member, day: date, item: ItemLog) -> LogEntry:
    done = item.status == LogEntry.Status.DONE
    values = {
        "status": item.status,
        "sensitivity": item.sensitivity if done else "",
        "movement": item.movement if done else "",
    }
    if item.note.strip():
        # An empty note box never wipes a note written earlier (e.g. from the history page).
        values["note"] = item.note.strip()
    return _upsert_row(
        LogEntry, lookup={"member": member, "technique": item.technique, "day": day}, values=values
    )


@transaction.atomic
def log_items(
    *,
    member,
    routine: Routine,
    day: date,
    step_index: int,
    rotation_slugs: Iterable[str],
    items: Sequence[ItemLog],
) -> list[LogEntry]:
    """Record the day's items (one entry per technique and day, updated on a resubmit).

    The day's session is created at the rotation step the member saw and is
    marked finished once every rotation technique of the day has an entry.
    """
    entries = [_upsert_log(member=member, day=day, item=item) for item in items]
    session = _session_for(routine=routine, day=day, step_index=step_index)
    rotation = set(rotation_slugs)
    logged = set(
        LogEntry.objects.filter(member=member, day=day, technique__slug__in=rotation).values_list(
            "technique__slug", flat=True
        )
    )
    finished = rotation <= logged
    if session.finished != finished:
        session.finished = finished
        session.save(update_fields=["finished"])
    return entries


def _session_for(*, routine: Routine, day: date, step_index: int) -> DailySession:
    for attempt in range(UPSERT_ATTEMPTS):
        try:
            with transaction.atomic():
                session, _ = DailySession.objects.select_for_update().get_or_create(
                    routine=routine, day=day, defaults={"step_index": step_index}
                )
                return session
        except IntegrityError:
            if attempt == UPSERT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def note_update(*, entry: LogEntry, note: str) -> LogEntry:
    """Replace the note of one logged item."""
    entry.note = note.strip()
    entry.full_clean(validate_unique=False, validate_constraints=False)
    entry.save(update_fields=["note", "updated_at"])
    return entry


@transaction.atomic
def stretch_log_record(
    *, member, day: date, prop: str, unbroken_minutes: Decimal, tension: bool
) -> StretchLog:
    """Record (or correct) the day's Supported Corpse Stretch."""
    log = _upsert_row(
        StretchLog,
        lookup={"member": member, "day": day},
        values={"prop": prop, "unbroken_minutes": unbroken_minutes, "tension": tension},
    )
    return log


def technique_pin(*, routine: Routine, technique: Technique) -> None:
    """Add a release technique to the member's daily extras."""
    if technique.kind != Technique.Kind.RELEASE:
        raise ValueError(NOT_PINNABLE_ERROR)
    routine.pinned_techniques.add(technique)


def technique_unpin(*, routine: Routine, technique: Technique) -> None:
    """Stop doing a pinned technique daily; it stays in the rotation."""
    routine.pinned_techniques.remove(technique)


def feed_token_regenerate(*, routine: Routine) -> Routine:
    """Give the calendar feed a new secret URL; the old one stops working at once."""
    routine.feed_token = new_feed_token()
    routine.save(update_fields=["feed_token", "updated_at"])
    return routine


def reminders_switch_off(*, routine: Routine) -> Routine:
    """Stop the daily reminder emails."""
    if routine.reminders_on:
        routine.reminders_on = False
        routine.save(update_fields=["reminders_on", "updated_at"])
    return routine


# --- Reminders ----------------------------------------------------------------------


def reminder_stop_token(routine: Routine) -> str:
    """A signed token that switches off this member's reminders without signing in."""
    return signing.dumps(routine.member_id, salt=REMINDER_SALT)


def routine_from_stop_token(token: str) -> Routine | None:
    """The routine a stop token was made for, or None when it is forged or unknown."""
    try:
        member_id = signing.loads(token, salt=REMINDER_SALT)
    except signing.BadSignature:
        return None
    return Routine.objects.filter(member_id=member_id).first()


def reminder_is_due(routine: Routine, *, now: datetime) -> bool:
    """Whether the member's local time has passed their reminder time today."""
    local = now.astimezone(ZoneInfo(selectors.member_time_zone(routine.member)))
    return local.time() >= routine.reminder_time


def reminders_send(*, now: datetime, site_url: str) -> int:
    """Email each member whose reminder time has passed today and who has had none today.

    The ReminderSent row is inserted in the same transaction as the email is
    sent: a second (or concurrent) run finds it, or fails to insert it, and sends
    nothing; a failed send rolls it back so the next run tries again.
    """
    sent = 0
    for routine in selectors.reminder_candidates():
        if not reminder_is_due(routine, now=now) or not routine.member.email:
            continue
        today = selectors.local_today(routine, now)
        if ReminderSent.objects.filter(member_id=routine.member_id, day=today).exists():
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(member_id=routine.member_id, day=today)
                _send_reminder(routine, today=today, site_url=site_url)
        except IntegrityError:
            continue
        except Exception:
            logger.exception("Reminder to member %s failed", routine.member_id)
            continue
        sent += 1
    return sent


def _send_reminder(routine: Routine, *, today: date, site_url: str) -> None:
    data = selectors.routine_data(routine, today=today)
    plan = selectors.plan_for_today(data)
    stop_url = site_url.rstrip("/") + reverse(
        "routines:reminders_off", kwargs={"token": reminder_stop_token(routine)}
    )
    message = site_email(
        subject=f"{settings.SITE_NAME}: Your plan for {date_format(today, 'l j F')}",
        template="email/reminder",
        context={
            "name": public_name(routine.member),
            "today": today,
            "plan": plan,
            "rows": selectors.item_rows(data, plan),
            "today_url": site_url.rstrip("/") + reverse("routines:today"),
            "stop_url": stop_url,
        },
        to=[routine.member.email],
        headers={
            # Mail clients show their own unsubscribe button and POST to it (RFC 8058).
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        site_url=site_url,
    )
    message.send()
