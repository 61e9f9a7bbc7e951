"""Replay a member's days through the same services and selectors the pages use.

A scenario (DESIGN.md, "simulate_plan") says how a throwaway member set up their
routine and what they did each day: everything, nothing, the first technique, a
list; skips, overuse, the stretch, changes of settings and techniques unpublished
by staff. Each day is played at noon of that day: the routine's settings change,
"today" is read, and the day's log is saved through ``services.day_log_save``, as
the "today" form does. Nothing stays in the database unless the member is kept;
catalogue changes are never kept.
"""

import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction

from routines import scheduler, selectors, services
from routines.models import LogEntry, StretchLog
from techniques.models import Region, Technique, Tool

MAX_DAYS = 3660
DO_WORDS = ("all", "none", "first")
FEEDBACK = {
    "better": ("less", "better"),
    "overuse": ("more", "worse"),
    "same": ("same", "same"),
}
DEFAULT_STRETCH = {"minutes": Decimal(2), "tension": True}
ROUTINE_KEYS = ("per_day", "regions", "tension")
EVENT_KEYS = ("day", "do", "skip", "feedback", "stretch", "routine", "unpublish")


class ScenarioError(ValueError):
    """A scenario file that cannot be replayed; the message names the field."""


@dataclass
class RoutineChange:
    """Settings a scenario sets at the start or changes on a day."""

    per_day: int | None = None
    regions: list[str] | None = None
    tension: bool | None = None


@dataclass
class DayEvents:
    """What a scenario says about one day."""

    do: str | list[str] | None = None
    skip: list[str] = field(default_factory=list)
    feedback: dict[str, str] = field(default_factory=dict)
    stretch: dict[str, Any] | None = None
    routine: RoutineChange | None = None
    unpublish: list[str] = field(default_factory=list)


@dataclass
class Scenario:
    """A checked scenario: start, length, the routine, the default day and each day's events."""

    start: date
    days: int
    routine: RoutineChange
    do: str | list[str]
    events: dict[int, DayEvents]


# --- Reading a scenario ------------------------------------------------------------------


def scenario_from_data(data: Any) -> Scenario:
    """Check a scenario read from JSON; raise ScenarioError naming the first bad field."""
    if not isinstance(data, Mapping):
        raise ScenarioError("The scenario must be a JSON object.")
    unknown = set(data) - {"start", "days", "routine", "do", "events"}
    if unknown:
        raise ScenarioError(f"Unknown field {sorted(unknown)[0]!r} at the top level.")
    try:
        start = date.fromisoformat(str(data["start"]))
    except KeyError:
        raise ScenarioError("Field 'start' is missing: the first day, YYYY-MM-DD.") from None
    except ValueError:
        raise ScenarioError("Field 'start' must be a date, YYYY-MM-DD.") from None
    days = data.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise ScenarioError(f"Field 'days' must be a whole number from 1 to {MAX_DAYS}.")
    routine = _routine(data.get("routine", {}), "routine")
    do = _do(data.get("do", "all"), "do")
    events: dict[int, DayEvents] = {}
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        raise ScenarioError("Field 'events' must be a list.")
    for n, raw in enumerate(raw_events):
        where = f"events[{n}]"
        if not isinstance(raw, Mapping):
            raise ScenarioError(f"Field '{where}' must be an object.")
        unknown = set(raw) - set(EVENT_KEYS)
        if unknown:
            raise ScenarioError(f"Unknown field '{where}.{sorted(unknown)[0]}'.")
        day = raw.get("day")
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day < days:
            raise ScenarioError(f"Field '{where}.day' must be a day from 0 to {days - 1}.")
        event = events.setdefault(day, DayEvents())
        if "do" in raw:
            event.do = _do(raw["do"], f"{where}.do")
        if "skip" in raw:
            event.skip = _slugs(raw["skip"], f"{where}.skip")
        if "feedback" in raw:
            event.feedback = _feedback(raw["feedback"], f"{where}.feedback")
        if "stretch" in raw:
            event.stretch = _stretch(raw["stretch"], f"{where}.stretch")
        if "routine" in raw:
            event.routine = _routine(raw["routine"], f"{where}.routine")
        if "unpublish" in raw:
            value = raw["unpublish"]
            event.unpublish = _slugs([value] if isinstance(value, str) else value, where)
    return Scenario(start, days, routine, do, events)


def _routine(raw: Any, where: str) -> RoutineChange:
    if not isinstance(raw, Mapping):
        raise ScenarioError(f"Field '{where}' must be an object.")
    unknown = set(raw) - set(ROUTINE_KEYS)
    if unknown:
        raise ScenarioError(f"Unknown field '{where}.{sorted(unknown)[0]}'.")
    change = RoutineChange()
    if "per_day" in raw:
        if raw["per_day"] not in scheduler.PER_DAY_CHOICES or isinstance(raw["per_day"], bool):
            raise ScenarioError(f"Field '{where}.per_day' must be 2 or 3.")
        change.per_day = raw["per_day"]
    if "regions" in raw:
        regions = raw["regions"]
        if (
            not isinstance(regions, list)
            or not regions
            or not all(isinstance(r, str) for r in regions)
        ):
            raise ScenarioError(f"Field '{where}.regions' must be a non-empty list of regions.")
        change.regions = regions
    if "tension" in raw:
        if not isinstance(raw["tension"], bool):
            raise ScenarioError(f"Field '{where}.tension' must be true or false.")
        change.tension = raw["tension"]
    return change


def _do(raw: Any, where: str) -> str | list[str]:
    if isinstance(raw, str) and raw in DO_WORDS:
        return raw
    if isinstance(raw, list):
        return _slugs(raw, where)
    raise ScenarioError(f'Field \'{where}\' must be "all", "none", "first" or a list of slugs.')


def _slugs(raw: Any, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise ScenarioError(f"Field '{where}' must be a list of technique slugs.")
    return list(raw)


def _feedback(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and v in FEEDBACK for k, v in raw.items()
    ):
        raise ScenarioError(
            f'Field \'{where}\' must map technique slugs to "better", "overuse" or "same".'
        )
    return dict(raw)


def _stretch(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping) or set(raw) - {"minutes", "tension", "prop"}:
        raise ScenarioError(f"Field '{where}' may hold only minutes, tension and prop.")
    stretch: dict[str, Any] = {}
    if "minutes" in raw:
        try:
            minutes = Decimal(str(raw["minutes"]))
        except InvalidOperation:
            minutes = Decimal(-1)
        if isinstance(raw["minutes"], bool) or not 0 <= minutes <= 60:
            raise ScenarioError(f"Field '{where}.minutes' must be a number from 0 to 60.")
        stretch["minutes"] = minutes
    if "tension" in raw:
        if not isinstance(raw["tension"], bool):
            raise ScenarioError(f"Field '{where}.tension' must be true or false.")
        stretch["tension"] = raw["tension"]
    if "prop" in raw:
        if raw["prop"] not in StretchLog.Prop.values:
            props = ", ".join(StretchLog.Prop.values)
            raise ScenarioError(f"Field '{where}.prop' must be one of {props}.")
        stretch["prop"] = raw["prop"]
    return stretch


# --- Replaying -----------------------------------------------------------------------------


class _Discard(Exception):
    """Raised to roll the replay back when nothing is to be kept."""


@contextmanager
def _clock_at_noon(day: date) -> Iterator[None]:
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=noon):
        yield


def replay(scenario: Scenario, *, keep: str | None = None) -> list[dict[str, Any]]:
    """Play the scenario day by day; return what "today" showed and what was logged each day.

    With ``keep``, the member (username ``keep``) and their history stay in the
    database; catalogue changes are undone either way.
    """
    days: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            published = dict(Technique.objects.values_list("slug", "is_published"))
            _check_slugs(scenario, published)
            member = _member(keep)
            with _clock_at_noon(scenario.start):
                routine = services.routine_create(
                    member=member,
                    start_date=scenario.start,
                    **_settings(scenario.routine, None),
                )
            for n in range(scenario.days):
                day = scenario.start + timedelta(days=n)
                with _clock_at_noon(day):
                    days.append(_play_day(routine, day, scenario, scenario.events.get(n)))
            # Staff's unpublishing was part of the story, not of the catalogue. Saved one
            # by one, as the admin would, so every cached copy of the catalogue hears of it.
            for technique in Technique.objects.all():
                if technique.is_published != published[technique.slug]:
                    technique.is_published = published[technique.slug]
                    technique.save(update_fields=["is_published"])
            if keep is None:
                raise _Discard
    except _Discard:
        pass
    return days


def _check_slugs(scenario: Scenario, catalogue: Mapping[str, bool]) -> None:
    regions = set(Region.objects.values_list("slug", flat=True))
    changes = [("routine", scenario.routine)] + [
        (f"day {n} routine", e.routine) for n, e in scenario.events.items() if e.routine
    ]
    for where, change in changes:
        for region in change.regions or ():
            if region not in regions:
                raise ScenarioError(f"Unknown region {region!r} in '{where}.regions'.")
    named = []
    for n, event in scenario.events.items():
        listed = event.do if isinstance(event.do, list) else []
        named += [
            (f"day {n}", s) for s in [*listed, *event.skip, *event.feedback, *event.unpublish]
        ]
    if isinstance(scenario.do, list):
        named += [("do", s) for s in scenario.do]
    for where, slug in named:
        if slug not in catalogue:
            # A technique renamed since the scenario was written is found by its former slug.
            if Technique.objects.filter(former_slugs__slug=slug).exists():
                continue
            raise ScenarioError(f"Unknown technique {slug!r} in '{where}'.")


def _resolve(slug: str) -> str:
    technique = Technique.objects.filter(former_slugs__slug=slug).only("slug").first()
    return technique.slug if technique is not None else slug


def _member(keep: str | None):
    User = get_user_model()
    username = keep or f"simulated-{secrets.token_hex(6)}"
    if User.objects.filter(username=username).exists():
        raise ScenarioError(f"A member called {username!r} already exists: pick another name.")
    member = User.objects.create_user(username=username, email=f"{username}@example.com")
    member.set_unusable_password()
    member.save(update_fields=["password"])
    if keep is not None:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return member


def _settings(change: RoutineChange, routine) -> dict[str, Any]:
    if routine is None:
        regions = change.regions or list(scheduler.DEFAULT_REGIONS)
        per_day, tension = change.per_day or scheduler.DEFAULT_PER_DAY, bool(change.tension)
    else:
        regions = change.regions or list(
            routine.region_links.order_by("position").values_list("region__slug", flat=True)
        )
        per_day = change.per_day or routine.per_day
        tension = routine.tension if change.tension is None else change.tension
    by_slug = {r.slug: r for r in Region.objects.filter(slug__in=regions)}
    return {
        "regions": [by_slug[slug] for slug in regions],
        "tools": list(Tool.objects.all()),
        "per_day": per_day,
        "tension": tension,
    }


def _play_day(routine, day: date, scenario: Scenario, event: DayEvents | None) -> dict[str, Any]:
    event = event or DayEvents()
    for slug in event.unpublish:
        technique = Technique.objects.get(slug=_resolve(slug))
        technique.is_published = False
        technique.save()
    if event.routine is not None:
        routine.refresh_from_db()
        settings = _settings(event.routine, routine)
        services.routine_update(
            routine=routine,
            regions=settings["regions"],
            tools=settings["tools"],
            per_day=settings["per_day"],
            tension=settings["tension"],
            time_zone="UTC",
            reminders_on=False,
            reminder_time=routine.reminder_time,
            left_out=list(routine.excluded_techniques.all()),
            today=day,
        )
    overview = selectors.today_overview(routine, today=day)
    plan = overview.plan
    do = event.do if event.do is not None else scenario.do
    loggable = [row.item for row in overview.loggable]
    done = _chosen(do, loggable)
    skipped = [_resolve(s) for s in event.skip]
    items = []
    for item in loggable:
        if item.slug in skipped:
            items.append(
                services.ItemLog(technique=overview.data.techniques[item.slug], status="skipped")
            )
        elif item.slug in done:
            word = next(
                (v for k, v in event.feedback.items() if _resolve(k) == item.slug), "better"
            )
            sensitivity, movement = FEEDBACK[word]
            items.append(
                services.ItemLog(
                    technique=overview.data.techniques[item.slug],
                    status=LogEntry.Status.DONE,
                    sensitivity=sensitivity,
                    movement=movement,
                )
            )
    stretch = _stretch_entry(overview, do, event)
    if items or stretch is not None:
        services.day_log_save(
            routine=routine, day=day, items=items, stretch=stretch, before=overview.data
        )
    return {
        "date": day.isoformat(),
        "region": plan.region,
        "items": [
            {"slug": i.slug, "role": i.role, "region": i.region, "overdue": i.overdue}
            for i in plan.items
        ],
        "held_back": [
            {
                "slug": h.slug,
                "until": h.until.isoformat() if h.until else None,
                "reason": h.reason,
            }
            for h in plan.held_back
        ],
        "advice": bool(plan.advice),
        "cycle_days": plan.cycle.days,
        "cycle_warning": plan.cycle.too_long,
        "stretch": plan.stretch,
        "logged": {
            "done": [i.technique.slug for i in items if i.status == LogEntry.Status.DONE],
            "skipped": [i.technique.slug for i in items if i.status != LogEntry.Status.DONE],
        },
    }


def _chosen(do: str | list[str], items: list[scheduler.PlanItem]) -> set[str]:
    if do == "all":
        return {item.slug for item in items}
    if do == "none":
        return set()
    if do == "first":
        counted = [n for n, item in enumerate(items) if item.counted]
        if not counted:
            return set()
        # The first counted technique with the lead-ins planned just before it.
        return {item.slug for item in items[: counted[0] + 1] if item.role != "pinned"}
    return {_resolve(slug) for slug in do}


def _stretch_entry(overview, do, event: DayEvents) -> services.StretchEntry | None:
    own = any(row.is_daily_stretch for row in overview.rows)
    if event.stretch is None and (not own or do == "none"):
        return None
    values = {**DEFAULT_STRETCH, **(event.stretch or {})}
    return services.StretchEntry(
        prop=values.get("prop", overview.stretch.suggested_prop),
        unbroken_minutes=values["minutes"],
        tension=values["tension"],
    )
