"""Plan a member's daily self-myofascial release routine.

Pure functions over small frozen dataclasses: no Django, no database, no clock.
Callers pass the day being planned; every planned item says why it is there.

How a plan comes about:

- The rotation walks the member's regions in order. Each region is split into
  days of 2-3 release techniques (``split_sizes``); after the last region the
  rotation starts again, for as long as the member needs. A *step* is one day
  of that endless rotation, counted from 0, so ``step_index % cycle length``
  says where in the cycle a step falls.
- On top of a step's techniques a day may carry lead-ins (prerequisites that
  must come first), extras (pinned daily, or brought forward to keep a
  technique within its frequency) and stretches (daily, assessment or paired
  with a technique of the day), which always go last. Only the step's own
  techniques count for the rotation.
- History counts as of the start of a day: logs and stretch records dated on
  or after the day being planned are ignored, so a plan does not change under
  the member while they tick off today's items.
"""

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

Kind = Literal["release", "stretch"]
Role = Literal["lead-in", "technique", "stretch"]
Sensitivity = Literal["less", "same", "more"]
Movement = Literal["better", "same", "worse"]
Prop = Literal["book", "yoga-block", "roller-6in"]
StretchMode = Literal["daily", "assessment", "none"]

DEFAULT_REGIONS: tuple[str, ...] = ("hip", "thigh", "calves", "shoulder", "arms")
PER_DAY_CHOICES: tuple[int, ...] = (2, 3)
# The gentler start; with 2 a day the default catalogue still fits in 14 days.
DEFAULT_PER_DAY = 2
DEFAULT_MIN_FREQUENCY_DAYS = 14
DEFAULT_STRETCH_SLUG = "supported-corpse-stretch"

# Bring an overdue technique forward this many days before its frequency runs
# out, so that a missed day or two still keeps it within its frequency.
BRING_FORWARD_MARGIN_DAYS = 2
# A technique that got more sensitive without moving better stays out this long.
BACK_OFF_DAYS = 7
# This many overuse events in one region within the window suggest a professional.
OVERUSE_WINDOW_DAYS = 28
OVERUSE_EVENTS_FOR_PROFESSIONAL = 2
# A technique may be pinned daily once its last this-many logs all went well.
PIN_ELIGIBLE_LOGS = 2

ASSESSMENT_INTERVAL_DAYS = 14
STRETCH_TARGET_MINUTES = 5.0
# Lowest lift first: members work their way up to the 6-inch roller.
STRETCH_PROPS: tuple[str, ...] = ("book", "yoga-block", "roller-6in")

EXTRA_NOTE = "(extra, not part of the rotation)"
REASON_ROTATION = "{region} rotation, day {number} of {days}"
REASON_LEAD_IN = "lead-in: do before {name}"
REASON_PINNED = f"pinned daily {EXTRA_NOTE}"
REASON_BROUGHT_FORWARD = "brought forward: not done for {days} days " + EXTRA_NOTE
REASON_BACKED_OFF = "backed off until {until}: it got more sensitive without moving better"
REASON_STRETCH_DAILY = "daily until hip and lower-back tension is gone"
REASON_STRETCH_ASSESSMENT = f"{ASSESSMENT_INTERVAL_DAYS}-day assessment"
REASON_STRETCH_PAIRED = "paired with {name}"
REASON_STRETCH_NONE = "no hip or lower-back tension reported"
REASON_STRETCH_TARGET_REACHED = (
    "target reached on {day}: check it as a "
    f"{ASSESSMENT_INTERVAL_DAYS}-day assessment, next on {{next_day}}"
)
MESSAGE_EMPTY = (
    "Nothing to plan: none of the routine's regions has a technique left in it. "
    "Add a region or bring back techniques that were left out."
)
MESSAGE_CYCLE_TOO_LONG = (
    "One full rotation takes {length} days, longer than the {frequency} days within which "
    "these techniques should come round: {techniques}."
)
MESSAGE_PROFESSIONAL = (
    "The {region} region got more sensitive without moving better {count} times in "
    f"{OVERUSE_WINDOW_DAYS} days: consider seeing a professional such as a massage therapist."
)
CHOICE_PER_DAY = "do 3 a day instead of 2"
CHOICE_LEAVE_OUT_REGION = "leave out the {region} region"
CHOICE_LEAVE_OUT_TECHNIQUES = "leave out {count} {noun} ({breakdown})"
CHOICE_ONE_PER_REGION = "leave out all but one technique in each region"


@dataclass(frozen=True, slots=True)
class TechniqueInfo:
    """One catalogue entry: a release technique (in the rotation) or a stretch."""

    slug: str
    region: str
    position: int = 0
    kind: Kind = "release"
    min_frequency_days: int = DEFAULT_MIN_FREQUENCY_DAYS
    after: str | None = None
    paired_stretch: str | None = None
    name: str = ""

    @property
    def display_name(self) -> str:
        """The name to show in a reason; made up from the slug when not given."""
        return self.name or self.slug.replace("-", " ").title()


@dataclass(frozen=True, slots=True)
class RoutineSettings:
    """A member's choices: regions and their order, pace, left-out and pinned techniques."""

    regions: tuple[str, ...] = DEFAULT_REGIONS
    per_day: int = DEFAULT_PER_DAY
    excluded: frozenset[str] = frozenset()
    pinned_daily: frozenset[str] = frozenset()
    tension: bool = False
    stretch_slug: str = DEFAULT_STRETCH_SLUG

    def __post_init__(self) -> None:
        _check_per_day(self.per_day)


@dataclass(frozen=True, slots=True)
class LogRecord:
    """A technique ticked off (done) or skipped on a day, with how the body responded."""

    day: date
    slug: str
    done: bool = True
    sensitivity: Sensitivity | None = None
    movement: Movement | None = None


@dataclass(frozen=True, slots=True)
class StretchRecord:
    """One session of the stretch: the prop, how long it was held still, and any tension."""

    day: date
    prop: Prop
    unbroken_minutes: float
    tension: bool


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A day's session: the rotation step it worked on and whether all of it was logged."""

    day: date
    step_index: int
    finished: bool


@dataclass(frozen=True, slots=True)
class RotationStep:
    """One day of the rotation cycle: a region and the techniques done on it."""

    region: str
    slugs: tuple[str, ...]
    number: int
    region_days: int


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One thing to do on a day, in order, with the reason it is on the plan."""

    slug: str
    role: Role
    region: str
    reason: str
    counts_for_rotation: bool = False


@dataclass(frozen=True, slots=True)
class BackOff:
    """A technique left out after overuse: out from the day after ``since`` to ``until``."""

    slug: str
    since: date
    until: date
    reason: str


@dataclass(frozen=True, slots=True)
class DayPlan:
    """The plan for one day: its rotation step, items in order and what was held back."""

    day: date
    region: str | None
    step_index: int
    items: tuple[PlanItem, ...]
    held_back: tuple[BackOff, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Choice:
    """A change a member could make to shorten the cycle, and whether it is enough."""

    text: str
    cycle_length: int
    fixes: bool


@dataclass(frozen=True, slots=True)
class PlanWarning:
    """Something wrong with a routine as a whole ("empty" or "cycle-too-long")."""

    code: str
    message: str
    slugs: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True, slots=True)
class CycleReport:
    """The number of days of one full rotation and what is wrong with it, if anything."""

    length: int
    warnings: tuple[PlanWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class StretchStatus:
    """Where a member stands with the stretch: how often, when to check, which prop."""

    mode: StretchMode
    next_assessment: date | None
    suggested_prop: str
    reason: str


@dataclass(frozen=True, slots=True)
class ProfessionalAdvice:
    """A suggestion to see a professional after repeated overuse in one region."""

    region: str
    overuse_count: int
    message: str


def split_sizes(count: int, per_day: int) -> tuple[int, ...]:
    """Split a region of ``count`` techniques into as few, as even days as ``per_day`` allows.

    No day holds fewer than 2 unless the region has a single technique; with
    2 a day and an odd count one day takes 3, because the 2-3 rule wins.
    """
    _check_per_day(per_day)
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    if count <= 1:
        return (1,) * count
    days = min(math.ceil(count / per_day), count // 2)
    size, bigger = divmod(count, days)
    return (size + 1,) * bigger + (size,) * (days - bigger)


def build_rotation(
    catalogue: Iterable[TechniqueInfo], settings: RoutineSettings
) -> tuple[RotationStep, ...]:
    """Return one full cycle of the rotation, a step per day, for the member's settings."""
    return _rotation(_index(catalogue), settings)


def cycle_report(catalogue: Iterable[TechniqueInfo], settings: RoutineSettings) -> CycleReport:
    """Return the cycle length and warnings, with choices that say whether they fix it."""
    index = _index(catalogue)
    steps = _rotation(index, settings)
    if not steps:
        return CycleReport(0, (PlanWarning("empty", MESSAGE_EMPTY),))
    length = len(steps)
    late = [
        index[slug]
        for step in steps
        for slug in step.slugs
        if index[slug].min_frequency_days < length
    ]
    if not late:
        return CycleReport(length)
    regions = tuple(dict.fromkeys(info.region for info in late))
    groups = []
    for region in regions:
        slugs = [info.slug for info in late if info.region == region]
        # A whole region is named as such: a list of every technique would bury the point.
        whole = len(slugs) == sum(len(step.slugs) for step in steps if step.region == region)
        groups.append(f"all of {region}" if whole else f"{region}: {', '.join(slugs)}")
    techniques = "; ".join(groups)
    message = MESSAGE_CYCLE_TOO_LONG.format(
        length=length,
        frequency=min(info.min_frequency_days for info in late),
        techniques=techniques,
    )
    warning = PlanWarning(
        "cycle-too-long",
        message,
        slugs=tuple(info.slug for info in late),
        regions=regions,
        choices=_cycle_choices(index, settings, steps),
    )
    return CycleReport(length, (warning,))


def current_step_index(sessions: Iterable[SessionRecord], today: date) -> int:
    """Return the rotation step to work on today: the next unfinished one, never a backlog."""
    known = [s for s in sessions if s.day <= today]
    if not known:
        return 0
    latest = max(known, key=lambda s: (s.day, s.step_index))
    if latest.day == today or not latest.finished:
        return latest.step_index
    return latest.step_index + 1


def is_overuse(log: LogRecord) -> bool:
    """Say whether a log shows overuse: more sensitive and movement no better."""
    return log.done and log.sensitivity == "more" and log.movement != "better"


def backed_off(history: Iterable[LogRecord], day: date) -> dict[str, BackOff]:
    """Return the techniques left out on ``day`` after overuse, keyed by slug."""
    offs: dict[str, BackOff] = {}
    for log in sorted(history, key=lambda log: log.day):
        until = log.day + timedelta(days=BACK_OFF_DAYS)
        if is_overuse(log) and log.day < day <= until:
            reason = REASON_BACKED_OFF.format(until=until.isoformat())
            offs[log.slug] = BackOff(log.slug, log.day, until, reason)
    return offs


def professional_advice(
    catalogue: Iterable[TechniqueInfo], history: Iterable[LogRecord], today: date
) -> tuple[ProfessionalAdvice, ...]:
    """Return advice to see a professional for each region with repeated overuse before today."""
    index = _index(catalogue)
    window_start = today - timedelta(days=OVERUSE_WINDOW_DAYS)
    events: dict[str, set[tuple[date, str]]] = {}
    for log in history:
        info = index.get(log.slug)
        if info is not None and is_overuse(log) and window_start <= log.day < today:
            # The same technique logged twice on one day is one event, not two.
            events.setdefault(info.region, set()).add((log.day, log.slug))
    return tuple(
        ProfessionalAdvice(
            region, len(found), MESSAGE_PROFESSIONAL.format(region=region, count=len(found))
        )
        for region, found in sorted(events.items())
        if len(found) >= OVERUSE_EVENTS_FOR_PROFESSIONAL
    )


def pin_candidates(
    catalogue: Iterable[TechniqueInfo], history: Iterable[LogRecord]
) -> tuple[str, ...]:
    """Return the release techniques a member may pin daily: their last logs all went well."""
    index = _index(catalogue)
    feedback: dict[str, list[LogRecord]] = {}
    for log in sorted(history, key=lambda log: log.day):
        if log.done:
            feedback.setdefault(log.slug, []).append(log)
    return tuple(
        sorted(
            slug
            for slug, logs in feedback.items()
            if slug in index
            and index[slug].kind == "release"
            and len(logs) >= PIN_ELIGIBLE_LOGS
            and all(
                log.sensitivity == "less" and log.movement == "better"
                for log in logs[-PIN_ELIGIBLE_LOGS:]
            )
        )
    )


def stretch_status(
    settings: RoutineSettings, stretch_history: Iterable[StretchRecord], today: date
) -> StretchStatus:
    """Return the stretch mode as of the start of ``today`` and the prop to use next.

    Daily while there is tension; once a record shows 5 motionless, tension-free
    minutes on the 6-inch roller, an assessment every 14 days; a later record
    with tension puts it back to daily.
    """
    # On one day, a record with tension counts after one without: tension wins.
    records = sorted(
        (r for r in stretch_history if r.day < today and r.prop in STRETCH_PROPS),
        key=lambda r: (r.day, r.tension),
    )
    reached: date | None = None
    tension_seen = False
    for record in records:
        if record.tension:
            reached, tension_seen = None, True
        elif record.prop == STRETCH_PROPS[-1] and _target_met(record):
            reached = record.day
    prop = _suggested_prop(records)
    if reached is not None:
        next_day = reached + timedelta(days=ASSESSMENT_INTERVAL_DAYS)
        reason = REASON_STRETCH_TARGET_REACHED.format(day=reached, next_day=next_day)
        return StretchStatus("assessment", next_day, prop, reason)
    if settings.tension or tension_seen:
        return StretchStatus("daily", None, prop, REASON_STRETCH_DAILY)
    return StretchStatus("none", None, prop, REASON_STRETCH_NONE)


def plan_days(
    catalogue: Iterable[TechniqueInfo],
    settings: RoutineSettings,
    *,
    start: date,
    days: int,
    step_index: int,
    history: Iterable[LogRecord] = (),
    stretch_history: Iterable[StretchRecord] = (),
) -> list[DayPlan]:
    """Plan ``days`` days from ``start`` at rotation step ``step_index``.

    Each day after the first is planned as if the days before it were done as
    planned: the next step of the rotation, and every item counted as done.
    """
    if days < 0 or step_index < 0:
        raise ValueError(f"days and step_index must not be negative, got {days}, {step_index}")
    index = _index(catalogue)
    steps = _rotation(index, settings)
    past = [log for log in history if log.day < start]
    stretch = stretch_status(settings, stretch_history, start)
    next_assessment = stretch.next_assessment
    last_done: dict[str, date] = {}
    for log in past:
        if log.done:
            last_done[log.slug] = max(log.day, last_done.get(log.slug, log.day))

    plans = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        stretch_reason = None
        if stretch.mode == "daily":
            stretch_reason = REASON_STRETCH_DAILY
        elif next_assessment is not None and day >= next_assessment:
            stretch_reason = REASON_STRETCH_ASSESSMENT
            next_assessment = day + timedelta(days=ASSESSMENT_INTERVAL_DAYS)
        advice = [advice.message for advice in professional_advice(index.values(), past, day)]
        plan = _plan_day(
            index,
            settings,
            steps,
            day=day,
            step_index=step_index + offset,
            last_done=last_done,
            backed=backed_off(past, day),
            stretch_reason=stretch_reason,
            notes=(*([] if steps else [MESSAGE_EMPTY]), *advice),
        )
        plans.append(plan)
        for item in plan.items:
            if item.role != "stretch":
                last_done[item.slug] = day
    return plans


def plan_today(
    catalogue: Iterable[TechniqueInfo],
    settings: RoutineSettings,
    *,
    today: date,
    sessions: Iterable[SessionRecord] = (),
    history: Iterable[LogRecord] = (),
    stretch_history: Iterable[StretchRecord] = (),
) -> DayPlan:
    """Plan today at the next unfinished step of the member's rotation."""
    return plan_days(
        catalogue,
        settings,
        start=today,
        days=1,
        step_index=current_step_index(sessions, today),
        history=history,
        stretch_history=stretch_history,
    )[0]


def day_plan_as_dict(day_plan: DayPlan) -> dict[str, object]:
    """Return a day in the ``show_plan --json`` shape: date, region and ordered items."""
    return {
        "date": day_plan.day.isoformat(),
        "region": day_plan.region,
        "items": [
            {"slug": item.slug, "role": item.role, "region": item.region} for item in day_plan.items
        ],
    }


def _check_per_day(per_day: int) -> None:
    if per_day not in PER_DAY_CHOICES:
        raise ValueError(f"per_day must be 2 or 3, got {per_day!r}")


def _index(catalogue: Iterable[TechniqueInfo]) -> dict[str, TechniqueInfo]:
    # Keyed by slug so that the order the caller lists the catalogue in never
    # changes a plan; a repeated slug keeps its first entry.
    index: dict[str, TechniqueInfo] = {}
    for info in catalogue:
        index.setdefault(info.slug, info)
    return index


def _rotation(
    index: Mapping[str, TechniqueInfo], settings: RoutineSettings
) -> tuple[RotationStep, ...]:
    by_region: dict[str, list[str]] = {}
    for info in index.values():
        if info.kind == "release" and info.slug not in settings.excluded:
            by_region.setdefault(info.region, []).append(info.slug)
    steps: list[RotationStep] = []
    for region in dict.fromkeys(settings.regions):
        ordered = _prerequisites_first(
            by_region.get(region, ()), index, key=lambda s: (index[s].position, s)
        )
        sizes = split_sizes(len(ordered), settings.per_day)
        first = 0
        for number, size in enumerate(sizes, start=1):
            steps.append(
                RotationStep(region, tuple(ordered[first : first + size]), number, len(sizes))
            )
            first += size
    return tuple(steps)


def _prerequisites_first(
    slugs: Iterable[str],
    index: Mapping[str, TechniqueInfo],
    key: Callable[[str], tuple[int | str, ...]],
) -> list[str]:
    # Each round takes, by ``key``, the first technique whose prerequisite is not
    # still waiting among ``slugs``; prerequisites outside ``slugs`` do not hold
    # anything up. Catalogue data should have no loops, but one would leave
    # nothing ready: then the first waiting technique goes, rather than failing.
    pending = set(slugs)
    ordered = []
    while pending:
        ready = [slug for slug in pending if index[slug].after not in pending]
        chosen = min(ready or pending, key=key)
        ordered.append(chosen)
        pending.remove(chosen)
    return ordered


def _prerequisite(
    info: TechniqueInfo, index: Mapping[str, TechniqueInfo], settings: RoutineSettings
) -> TechniqueInfo | None:
    # Left-out techniques and stretches never become lead-ins: a member without a
    # roller cannot do the roll first, and stretches always go last.
    before = index.get(info.after) if info.after else None
    if before is None or before.kind != "release" or before.slug in settings.excluded:
        return None
    return before


def _plan_day(
    index: Mapping[str, TechniqueInfo],
    settings: RoutineSettings,
    steps: tuple[RotationStep, ...],
    *,
    day: date,
    step_index: int,
    last_done: Mapping[str, date],
    backed: Mapping[str, BackOff],
    stretch_reason: str | None,
    notes: tuple[str, ...],
) -> DayPlan:
    items: dict[str, PlanItem] = {}
    held: dict[str, BackOff] = {}

    def add(info: TechniqueInfo, role: Role, reason: str, counts: bool = False) -> bool:
        if info.slug in backed:
            held.setdefault(info.slug, backed[info.slug])
            return False
        if info.slug not in items:
            items[info.slug] = PlanItem(info.slug, role, info.region, reason, counts)
        return True

    step = steps[step_index % len(steps)] if steps else None
    if step is not None:
        reason = REASON_ROTATION.format(
            region=step.region, number=step.number, days=step.region_days
        )
        for slug in step.slugs:
            add(index[slug], "technique", reason, counts=True)

    rank = {region: n for n, region in enumerate(dict.fromkeys(settings.regions))}

    def extra_order(info: TechniqueInfo) -> tuple[int, int, str]:
        return (rank.get(info.region, len(rank)), info.position, info.slug)

    pinned = [index[s] for s in settings.pinned_daily & index.keys() - settings.excluded]
    for info in sorted(pinned, key=extra_order):
        if info.kind == "release":
            add(info, "technique", REASON_PINNED)

    # Days until each rotation technique's next turn, 0 for today's step.
    wait = {
        slug: (number - step_index) % len(steps)
        for number, step in enumerate(steps)
        for slug in step.slugs
    }
    # A technique about to outrun its frequency comes forward as an extra. One that
    # already outran it was missed (a break): bringing all of those in at once would
    # pile the missed days onto one, so at most a day's worth comes each day, the
    # longest missed first, and the rest on the next days or in their rotation turn.
    missed: list[tuple[int, TechniqueInfo]] = []
    for info in sorted((index[s] for s in wait), key=extra_order):
        overdue = _days_overdue(info, day, wait[info.slug], last_done)
        if overdue is None:
            continue
        if overdue > info.min_frequency_days:
            missed.append((overdue, info))
        else:
            add(info, "technique", REASON_BROUGHT_FORWARD.format(days=overdue))
    missed.sort(key=lambda pair: -pair[0])
    brought = 0
    for overdue, info in missed:
        if brought == settings.per_day:
            break
        if info.slug not in items and add(
            info, "technique", REASON_BROUGHT_FORWARD.format(days=overdue)
        ):
            brought += 1

    # Walk each item's chain of prerequisites; a prerequisite already on the day
    # (or backed off) ends the chain, which also stops any loop in the data.
    for slug in list(items):
        current = index[slug]
        while (before := _prerequisite(current, index, settings)) and before.slug not in items:
            reason = REASON_LEAD_IN.format(name=current.display_name)
            if not add(before, "lead-in", reason):
                break
            current = before

    # Lead-ins go to the front and everything else keeps its order, except that a
    # prerequisite already on the day moves up to just before the first technique
    # that needs it: it takes on that technique's place in the order.
    place = {slug: (int(item.role != "lead-in"), n) for n, (slug, item) in enumerate(items.items())}
    for slug in items:
        chain = {slug}
        before = index[slug].after
        while before in items and before not in chain:
            place[before] = min(place[before], place[slug])
            chain.add(before)
            before = index[before].after
    ordered = [
        items[slug]
        for slug in _prerequisites_first(items, index, key=lambda slug: (*place[slug], slug))
    ]

    return DayPlan(
        day=day,
        region=step.region if step else None,
        step_index=step_index,
        items=(*ordered, *_stretch_items(index, settings, ordered, stretch_reason)),
        held_back=tuple(held.values()),
        notes=notes,
    )


def _stretch_items(
    index: Mapping[str, TechniqueInfo],
    settings: RoutineSettings,
    ordered: list[PlanItem],
    stretch_reason: str | None,
) -> list[PlanItem]:
    # The member's own stretch (daily or assessment) first, then the stretches
    # paired with the day's techniques; each once, and all after the techniques.
    stretches: dict[str, PlanItem] = {}
    own = index.get(settings.stretch_slug)
    if stretch_reason and own and own.kind == "stretch" and own.slug not in settings.excluded:
        stretches[own.slug] = PlanItem(own.slug, "stretch", own.region, stretch_reason)
    for item in ordered:
        technique = index[item.slug]
        paired = index.get(technique.paired_stretch) if technique.paired_stretch else None
        if paired and paired.kind == "stretch" and paired.slug not in settings.excluded:
            reason = REASON_STRETCH_PAIRED.format(name=technique.display_name)
            stretches.setdefault(
                paired.slug, PlanItem(paired.slug, "stretch", paired.region, reason)
            )
    return list(stretches.values())


def _days_overdue(
    info: TechniqueInfo, day: date, wait: int, last_done: Mapping[str, date]
) -> int | None:
    # A technique never done yet waits for its turn in the rotation; one done
    # before comes forward once waiting for its next turn would break its frequency.
    last = last_done.get(info.slug)
    if last is None or wait == 0:
        return None
    since = (day - last).days
    late = since + wait > info.min_frequency_days
    due = since >= info.min_frequency_days - BRING_FORWARD_MARGIN_DAYS
    return since if late and due else None


def _target_met(record: StretchRecord) -> bool:
    return record.unbroken_minutes >= STRETCH_TARGET_MINUTES and not record.tension


def _suggested_prop(records: list[StretchRecord]) -> str:
    # Stay on the current prop (that of the latest record) until a tension-free
    # 5 minutes on it that no later tension undid, then move one prop up.
    if not records:
        return STRETCH_PROPS[0]
    current = records[-1].prop
    ready = False
    for record in records:
        if record.prop != current or record.tension:
            ready = False
        elif _target_met(record):
            ready = True
    level = STRETCH_PROPS.index(current)
    if ready:
        level = min(level + 1, len(STRETCH_PROPS) - 1)
    return STRETCH_PROPS[level]


def _cycle_choices(
    index: Mapping[str, TechniqueInfo], settings: RoutineSettings, steps: tuple[RotationStep, ...]
) -> tuple[Choice, ...]:
    def tried(text: str, changed: RoutineSettings) -> Choice:
        trial = _rotation(index, changed)
        fits = all(index[s].min_frequency_days >= len(trial) for step in trial for s in step.slugs)
        return Choice(text, len(trial), fits)

    choices = []
    if settings.per_day == 2:
        choices.append(tried(CHOICE_PER_DAY, replace(settings, per_day=3)))
    regions = tuple(dict.fromkeys(step.region for step in steps))
    if len(regions) > 1:
        for region in regions:
            kept = tuple(r for r in settings.regions if r != region)
            choices.append(
                tried(
                    CHOICE_LEAVE_OUT_REGION.format(region=region), replace(settings, regions=kept)
                )
            )
    counts = {region: sum(len(s.slugs) for s in steps if s.region == region) for region in regions}
    target = min(index[s].min_frequency_days for step in steps for s in step.slugs)
    choices.append(_leave_out_techniques(counts, settings.per_day, target))
    return tuple(choices)


def _leave_out_techniques(counts: Mapping[str, int], per_day: int, target: int) -> Choice:
    # The fewest techniques to leave out so that the cycle fits ``target`` days,
    # keeping at least one in every region (leaving out a region is its own
    # choice). best maps a cycle length to (techniques left out, per region);
    # among equals the tuple order leaves out from the later regions first.
    best: dict[int, tuple[int, tuple[int, ...]]] = {0: (0, ())}
    for count in counts.values():
        grown: dict[int, tuple[int, tuple[int, ...]]] = {}
        for length, (removed, picks) in best.items():
            for k in range(count):
                longer = length + len(split_sizes(count - k, per_day))
                option = (removed + k, (*picks, k))
                if longer <= target and (longer not in grown or option < grown[longer]):
                    grown[longer] = option
        best = grown
    if not best:
        return Choice(CHOICE_ONE_PER_REGION, len(counts), False)
    length, (removed, picks) = min(best.items(), key=lambda entry: (entry[1], entry[0]))
    breakdown = ", ".join(
        f"{k} from {region}" for region, k in zip(counts, picks, strict=True) if k
    )
    noun = "technique" if removed == 1 else "techniques"
    text = CHOICE_LEAVE_OUT_TECHNIQUES.format(count=removed, noun=noun, breakdown=breakdown)
    return Choice(text, length, True)
