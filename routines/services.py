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

from members.services import profile_for, profile_update, public_name
from routines import scheduler, selectors
from routines.models import (
    DailySession,
    LogEntry,
    ReminderSent,
    Routine,
    RoutinePass,
    RoutineRegion,
    StretchLog,
    new_feed_token,
)
from smrsite.mail import site_email
from smrsite.wording import day_text
from techniques.models import Region, Technique, Tool

logger = logging.getLogger(__name__)

NO_REGIONS_ERROR = "Choose at least one region."
NOT_ON_PLAN_ERROR = "That technique is not on your plan today."
NOT_PINNABLE_ERROR = "Only a release technique can be pinned daily."
CHOICE_GONE_ERROR = "That change no longer applies to your routine: here is how it stands now."
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


@dataclass(frozen=True)
class StretchEntry:
    """What a member logged of the day's stretch."""

    prop: str
    unbroken_minutes: Decimal
    tension: bool


@dataclass(frozen=True)
class DaySaved:
    """What saving a day's log did: how many items, whether the day is finished, and
    what changed in the plan because of it, in sentences for the member."""

    items: int
    stretch: bool
    finished: bool
    changes: tuple[str, ...]


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
    RoutinePass.objects.create(routine=routine, region=regions[0], since=start_date)
    _set_time_zone(member, time_zone)
    return routine


def place_sync(*, routine: Routine, today: date, data: selectors.RoutineData | None = None) -> None:
    """Record the region passes the member's log has begun up to ``today``.

    The planner derives them from the last recorded pass and the log; recording them
    fixes the member's place before a change of settings could read the log anew.
    ``data``: the routine as read for ``today`` after the last write, when the caller
    has it already (it is read otherwise).
    """
    if data is None:
        data = selectors.routine_data(routine, today=today)
    new = scheduler.passes_to_record(
        data.catalogue,
        data.settings,
        today=today,
        passes=data.passes,
        history=data.history,
    )
    unrecorded = (*data.passes[data.recorded_passes :], *new)
    if not unrecorded:
        return
    regions = {r.slug: r for r in Region.objects.filter(slug__in={p.region for p in unrecorded})}
    RoutinePass.objects.bulk_create(
        [
            RoutinePass(routine=routine, region=regions[p.region], since=p.since)
            for p in unrecorded
            if p.region in regions
        ],
        ignore_conflicts=True,
    )


def _place_after_change(
    routine: Routine, *, today: date, old_regions: Sequence[str], new_regions: Sequence[str]
) -> None:
    """Begin the next region's pass today if the change dropped the current region."""
    current = RoutinePass.objects.filter(routine=routine).order_by("-since", "-id").first()
    if current is None:
        return
    region = scheduler.region_after_change(current.region.slug, old_regions, new_regions)
    if region is not None and region != current.region.slug:
        RoutinePass.objects.get_or_create(
            routine=routine, region=Region.objects.get(slug=region), since=today
        )


def _region_slugs(routine: Routine) -> list[str]:
    return list(
        RoutineRegion.objects.filter(routine=routine)
        .order_by("position")
        .values_list("region__slug", flat=True)
    )


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
    today: date | None = None,
) -> Routine:
    """Change a routine's settings; the log and the place in the rotation are kept.

    The place is recorded under the old settings first: the current region's pass
    goes on with what is left of it, or, if the region was dropped, the next region
    of the old order still chosen begins today. ``today`` is the member's date
    (by default, now in their time zone).
    """
    if today is None:
        today = selectors.local_today(routine, datetime.now(tz=ZoneInfo("UTC")))
    place_sync(routine=routine, today=today)
    old_regions = _region_slugs(routine)
    routine.per_day = per_day
    routine.tension = tension
    routine.reminders_on = reminders_on
    routine.reminder_time = reminder_time
    routine.full_clean()
    routine.save()
    _apply_settings(routine, regions=regions, tools=tools, left_out=left_out)
    _place_after_change(
        routine, today=today, old_regions=old_regions, new_regions=_region_slugs(routine)
    )
    _set_time_zone(routine.member, time_zone)
    return routine


@transaction.atomic
def cycle_choice_apply(*, routine: Routine, key: str, today: date) -> scheduler.Choice:
    """Apply one of the cycle warning's choices (3 a day, a region or techniques left out).

    The choice must still be one the warning offers now; otherwise ValueError with
    ``CHOICE_GONE_ERROR``. The place in the rotation is kept as for any settings change.
    """
    data = selectors.routine_data(routine, today=today)
    report = scheduler.cycle_report(data.catalogue, data.settings)
    choice = next((c for c in report.choices if c.key == key), None)
    if choice is None:
        raise ValueError(CHOICE_GONE_ERROR)
    place_sync(routine=routine, today=today)
    old_regions = _region_slugs(routine)
    kind, _, value = key.partition(":")
    if kind == "per-day":
        routine.per_day = Routine.PerDay.THREE
        routine.save(update_fields=["per_day", "updated_at"])
    elif kind == "drop":
        kept = [slug for slug in old_regions if slug != value]
        RoutineRegion.objects.filter(routine=routine).delete()
        by_slug = {r.slug: r for r in Region.objects.filter(slug__in=kept)}
        RoutineRegion.objects.bulk_create(
            RoutineRegion(routine=routine, region=by_slug[slug], position=n)
            for n, slug in enumerate(kept, start=1)
        )
        _place_after_change(routine, today=today, old_regions=old_regions, new_regions=kept)
    elif kind == "leave-out":
        routine.excluded_techniques.add(
            *Technique.objects.filter(slug__in=value.split(","), is_published=True)
        )
    return choice


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
def day_log_save(
    *,
    routine: Routine,
    day: date,
    items: Sequence[ItemLog],
    stretch: StretchEntry | None = None,
    before: selectors.RoutineData | None = None,
) -> DaySaved:
    """Record everything a member logged for ``day`` in one go: items, feedback, the stretch.

    One entry per technique and day (a resubmit updates it). The day is finished once
    each of its counted techniques is logged. Returns what changed in the plan
    because of what was logged, e.g. a technique held back after overuse.
    ``before``: the routine as the caller read it for ``day`` to check the form (read
    here otherwise); the routine is read once more after the writes.
    """
    if before is None:
        before = selectors.routine_data(routine, today=day)
    plan = selectors.plan_for_today(before)
    for item in items:
        _upsert_log(member=routine.member, day=day, item=item)
    if stretch is not None:
        _upsert_row(
            StretchLog,
            lookup={"member": routine.member, "day": day},
            values={
                "prop": stretch.prop,
                "unbroken_minutes": stretch.unbroken_minutes,
                "tension": stretch.tension,
            },
        )
    logged = set(before.today_logs) | {item.technique.slug for item in items}
    finished = bool(plan.counted) and set(plan.counted) <= logged
    _session_update(routine=routine, day=day, region=plan.region, finished=finished)
    # One read after the writes serves both: the passes place_sync records are the
    # ones the planner derives from this same data, so the plans compared are alike.
    after = selectors.routine_data(routine, today=day)
    place_sync(routine=routine, today=day, data=after)
    return DaySaved(
        items=len(items),
        stretch=stretch is not None,
        finished=finished,
        changes=tuple(selectors.day_changes(before, after)),
    )


def _session_update(*, routine: Routine, day: date, region: str | None, finished: bool) -> None:
    region_row = Region.objects.filter(slug=region).first() if region else None
    _upsert_row(
        DailySession,
        lookup={"routine": routine, "day": day},
        values={"region": region_row, "finished": finished},
    )


@transaction.atomic
def note_update(*, entry: LogEntry, note: str) -> LogEntry:
    """Replace the note of one logged item."""
    entry.note = note.strip()
    entry.full_clean(validate_unique=False, validate_constraints=False)
    entry.save(update_fields=["note", "updated_at"])
    return entry


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
        subject=f"{settings.SITE_NAME}: Your plan for {day_text(today, 'l j F')}",
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
