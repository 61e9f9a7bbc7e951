"""Plan a member's daily self-myofascial release routine.

Pure functions over small frozen dataclasses: no Django, no database, no clock.
Callers pass the day being planned. The rules are those of DESIGN.md ("The
scheduling rules"); in short:

- The rotation is a sequence of *region passes*: the member's regions in their
  order, over and over. A pass is finished when each of the region's techniques
  has been logged (done or skipped) since the pass began, a technique held back
  for overuse being passed over. The next region's pass then begins.
- The member's place is the current pass (``PassStart``: its region and the day
  it began) plus what the log says was logged since: never a step number, so a
  change of settings or catalogue cannot make it skip or repeat work.
- Each day works one region: the techniques still to do in the pass are split
  into as few, as even days as the daily maximum allows (``split_sizes``), and
  the day takes the first of those sizes. Unlogged items stay first in the pass.
  Lead-ins, pinned techniques and stretches come on top and are not counted.
- The plan of a day reads history as of the start of that day, so it does not
  change under the member while they tick it off. Days after the first are
  planned as if each earlier day were done as planned.
"""

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

Kind = Literal["release", "stretch"]
Role = Literal["lead-in", "technique", "pinned", "stretch"]
Sensitivity = Literal["less", "same", "more"]
Movement = Literal["better", "same", "worse"]
Prop = Literal["book", "yoga-block", "roller-6in"]
StretchMode = Literal["daily", "assessment", "none"]
HoldCause = Literal["overuse", "after"]

DEFAULT_REGIONS: tuple[str, ...] = ("hip", "thigh", "calves", "shoulder", "arms")
PER_DAY_CHOICES: tuple[int, ...] = (2, 3)
# The gentler start; with 2 a day the default catalogue still comes round in 14 days.
DEFAULT_PER_DAY = 2
DEFAULT_MIN_FREQUENCY_DAYS = 14
DEFAULT_STRETCH_SLUG = "supported-corpse-stretch"

# A technique that got more sensitive without moving better is held back from
# every turn within this many days of the report, and always from its next turn.
HOLD_DAYS = 7
# Overuse on this many different days in one region within the window suggests
# seeing a professional; several reports on one day count once.
OVERUSE_WINDOW_DAYS = 28
OVERUSE_DAYS_FOR_ADVICE = 2
# A technique may be pinned daily once its last this-many logs all went well.
PIN_ELIGIBLE_LOGS = 2
# How far ahead a held-back technique's return is looked for.
RETURN_HORIZON_DAYS = 60

ASSESSMENT_INTERVAL_DAYS = 14
STRETCH_TARGET_MINUTES = 5.0
# Lowest lift first: members work their way up to the 6-inch roller.
STRETCH_PROPS: tuple[str, ...] = ("book", "yoga-block", "roller-6in")

REASON_PASS = "{region}: {done} of {total} done in this round"
REASON_LEAD_IN = "do before {name}"
REASON_PINNED = "pinned daily, on top of the day's techniques"
REASON_GENTLER = "back after overuse: go gentler, with less pressure and less time"
REASON_STRETCH_DAILY = "daily until hip and lower-back tension is gone"
REASON_STRETCH_ASSESSMENT = f"{ASSESSMENT_INTERVAL_DAYS}-day check"
REASON_STRETCH_PAIRED = "goes with {name}"
REASON_STRETCH_NONE = "no hip or lower-back tension reported"
REASON_STRETCH_TARGET_REACHED = "target reached: checked every 14 days"
HELD_OVERUSE = "it felt more sensitive and moved no better"
HELD_AFTER = "it comes after {name}, which is held back"
MESSAGE_EMPTY = (
    "Nothing to plan: none of the routine's regions has a technique left in it. "
    "Add a region or bring back techniques that were left out."
)
MESSAGE_ADVICE = (
    "Your {region} region felt more sensitive and moved no better on {days} different days "
    f"in the last {OVERUSE_WINDOW_DAYS} days. Consider seeing a professional, such as a "
    "physiotherapist or massage therapist, before carrying on with it."
)
CHOICE_PER_DAY = "Do 3 a day instead of 2"
CHOICE_DROP_REGION = "Leave out the {region} region"
CHOICE_LEAVE_OUT = "Leave out {names}"


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

    @property
    def overuse(self) -> bool:
        """More sensitive and movement no better: the sign to back off."""
        return self.done and self.sensitivity == "more" and self.movement != "better"


@dataclass(frozen=True, slots=True)
class StretchRecord:
    """One session of the stretch: the prop, how long it was held still, and any tension."""

    day: date
    prop: Prop
    unbroken_minutes: float
    tension: bool


@dataclass(frozen=True, slots=True)
class PassStart:
    """A region pass: the region worked on, from the day ``since`` until it is finished."""

    region: str
    since: date


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One thing to do on a day, in order, with the reason it is on the plan."""

    slug: str
    role: Role
    region: str
    reason: str
    overdue: bool = False
    gentler: bool = False

    @property
    def counted(self) -> bool:
        """Whether the item is one of the day's techniques of the rotation."""
        return self.role == "technique"


@dataclass(frozen=True, slots=True)
class Held:
    """A technique held back on a day: why, since which report, and the day it returns.

    ``until`` is the first day it is planned again, if that is within the planner's
    horizon; ``because_of`` names the held technique it must come after.
    """

    slug: str
    region: str
    cause: HoldCause
    reported: date
    until: date | None
    because_of: str | None = None
    reason: str = HELD_OVERUSE


@dataclass(frozen=True, slots=True)
class Advice:
    """A suggestion to see a professional after overuse on different days in one region."""

    region: str
    days: tuple[date, ...]
    message: str


@dataclass(frozen=True, slots=True)
class StretchStatus:
    """Where a member stands with the stretch: how often, when to check, which prop."""

    mode: StretchMode
    next_assessment: date | None
    suggested_prop: str
    reason: str


@dataclass(frozen=True, slots=True)
class Choice:
    """A change that shortens the rotation: a key to apply it, and the new length."""

    key: str
    text: str
    cycle_days: int
    fixes: bool


@dataclass(frozen=True, slots=True)
class CycleReport:
    """How many days one round of every region takes, against the techniques' frequency."""

    days: int
    limit: int
    late: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()

    @property
    def too_long(self) -> bool:
        """Whether some technique would come round less often than it should."""
        return bool(self.late)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far the current region pass has got."""

    region: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class DayPlan:
    """Everything about one day: its items in order, what is held back and why, and advice."""

    day: date
    region: str | None
    items: tuple[PlanItem, ...]
    held_back: tuple[Held, ...] = ()
    advice: tuple[Advice, ...] = ()
    stretch: StretchMode = "none"
    cycle: CycleReport = field(default_factory=lambda: CycleReport(0, 0))
    progress: Progress | None = None
    notes: tuple[str, ...] = ()

    @property
    def counted(self) -> tuple[str, ...]:
        """The day's techniques of the rotation: the day is finished when all are logged."""
        return tuple(item.slug for item in self.items if item.counted)


# --- Public functions ------------------------------------------------------------------


def split_sizes(count: int, per_day: int) -> tuple[int, ...]:
    """Split ``count`` techniques into as few, as even days as ``per_day`` allows.

    No day holds fewer than 2 unless a single technique is left; with 2 a day
    and an odd count one day takes 3, because the 2-3 rule wins.
    """
    _check_per_day(per_day)
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    if count <= 1:
        return (1,) * count
    days = min(math.ceil(count / per_day), count // 2)
    size, bigger = divmod(count, days)
    return (size + 1,) * bigger + (size,) * (days - bigger)


def rotation(
    catalogue: Iterable[TechniqueInfo], settings: RoutineSettings
) -> dict[str, tuple[str, ...]]:
    """Each of the member's regions, in order, with its techniques in the order they are done.

    Left-out and pinned techniques are not in the rotation (pinned ones are done
    daily instead); a technique comes after the one it must follow.
    """
    return _rotation(_index(catalogue), settings)


def cycle_report(catalogue: Iterable[TechniqueInfo], settings: RoutineSettings) -> CycleReport:
    """Say how many days one round takes and, when too long, the changes that would fix it."""
    index = _index(catalogue)
    regions = _rotation(index, settings)
    days = _cycle_days(regions, settings.per_day)
    slugs = [slug for slugs in regions.values() for slug in slugs]
    limit = min((index[s].min_frequency_days for s in slugs), default=DEFAULT_MIN_FREQUENCY_DAYS)
    late = tuple(s for s in slugs if index[s].min_frequency_days < days)
    if not late:
        return CycleReport(days, limit)
    return CycleReport(days, limit, late, _cycle_choices(index, settings, regions, limit))


def region_after_change(
    current: str, old_regions: Iterable[str], new_regions: Iterable[str]
) -> str | None:
    """The region whose pass goes on after the region list changed.

    The current region if it is kept; if it was dropped, the next region after it
    in the old order that the new list still has; else the new list's first.
    """
    old, new = list(dict.fromkeys(old_regions)), list(dict.fromkeys(new_regions))
    if not new:
        return None
    if current in new:
        return current
    if current in old:
        at = old.index(current)
        for region in old[at + 1 :] + old[:at]:
            if region in new:
                return region
    return new[0]


def plan_days(
    catalogue: Iterable[TechniqueInfo],
    settings: RoutineSettings,
    *,
    start: date,
    days: int,
    passes: Iterable[PassStart] = (),
    history: Iterable[LogRecord] = (),
    stretch_history: Iterable[StretchRecord] = (),
) -> list[DayPlan]:
    """Plan ``days`` days from ``start``, the member's place given by ``passes``.

    ``passes`` are the region passes recorded so far, oldest first (the last is the
    current one); with none, the first region's pass begins on ``start``. The first
    day reads ``history`` before it; each later day also assumes the days before
    it were done as planned: every item not logged on its day counts as done.
    """
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    planner = _Planner(_index(catalogue), settings, start, passes, history, stretch_history)
    plans = [planner.next_day() for _ in range(days)]
    return planner.with_returns(plans)


def passes_to_record(
    catalogue: Iterable[TechniqueInfo],
    settings: RoutineSettings,
    *,
    today: date,
    passes: Iterable[PassStart] = (),
    history: Iterable[LogRecord] = (),
) -> tuple[PassStart, ...]:
    """The region passes that began since those given, up to and including ``today``."""
    known = tuple(passes)
    planner = _Planner(_index(catalogue), settings, today, known, history, ())
    planner.next_day()
    return tuple(planner.passes[len(known) :])


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
        return StretchStatus("assessment", next_day, prop, REASON_STRETCH_TARGET_REACHED)
    if settings.tension or tension_seen:
        return StretchStatus("daily", None, prop, REASON_STRETCH_DAILY)
    return StretchStatus("none", None, prop, REASON_STRETCH_NONE)


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


def day_plan_as_dict(day_plan: DayPlan) -> dict[str, object]:
    """Return a day in the ``show_plan --json`` shape: date, region and ordered items."""
    return {
        "date": day_plan.day.isoformat(),
        "region": day_plan.region,
        "items": [
            {"slug": item.slug, "role": item.role, "region": item.region} for item in day_plan.items
        ],
    }


# --- The planner -----------------------------------------------------------------------


class _Planner:
    """Walks day by day from ``start``, keeping the passes and the log up to the day planned."""

    def __init__(
        self,
        index: dict[str, TechniqueInfo],
        settings: RoutineSettings,
        start: date,
        passes: Iterable[PassStart],
        history: Iterable[LogRecord],
        stretch_history: Iterable[StretchRecord],
    ) -> None:
        self.index = index
        self.settings = settings
        self.regions = _rotation(index, settings)
        # Regions in the member's order, those with nothing in them too: a pass of an
        # empty region ends as soon as it begins.
        self.order = list(dict.fromkeys(settings.regions))
        self.cycle = cycle_report(index.values(), settings)
        self.day = start
        self.passes: list[PassStart] = list(passes)
        if not self.passes and self.order:
            self.passes.append(PassStart(self.order[0], start))
        self.pending = sorted(history, key=lambda log: log.day)
        self.fed = 0
        # What the log says as of the start of the day being planned.
        self.last_logged: dict[str, date] = {}
        self.last_done: dict[str, date] = {}
        self.last_report: dict[str, date] = {}
        self.reports_by_region: dict[str, set[date]] = {}
        self.gentle: set[str] = set()
        stretch = stretch_status(settings, stretch_history, start)
        self.stretch_mode = stretch.mode
        self.next_assessment = stretch.next_assessment

    # The log ------------------------------------------------------------------------

    def _feed(self, log: LogRecord) -> None:
        # Logs come in day order, so the latest day seen is the one to keep.
        slug = log.slug
        self.last_logged[slug] = log.day
        if not log.done:
            return
        self.last_done[slug] = log.day
        if log.sensitivity == "more" and log.movement != "better":
            self.last_report[slug] = log.day
            info = self.index.get(slug)
            if info is not None:
                self.reports_by_region.setdefault(info.region, set()).add(log.day)
            self.gentle.add(slug)
        else:
            self.gentle.discard(slug)

    def _catch_up(self, day: date) -> None:
        pending, fed, feed = self.pending, self.fed, self._feed
        while fed < len(pending) and pending[fed].day < day:
            feed(pending[fed])
            fed += 1
        self.fed = fed

    def _logged_since(self, slug: str, since: date) -> bool:
        last = self.last_logged.get(slug)
        return last is not None and last >= since

    # Holding back ---------------------------------------------------------------------

    def _own_hold(self, slug: str, day: date, current: PassStart | None) -> date | None:
        """The report day that holds ``slug`` back on ``day`` in the pass ``current``, if any."""
        reported = self.last_report.get(slug)
        if reported is None:
            return None
        if day <= reported + timedelta(days=HOLD_DAYS):
            return reported
        info = self.index[slug]
        if current is None or current.region != info.region:
            return None
        # A turn is a pass of its region: one that began within 7 days of the report
        # passes it over to its end, rather than bringing it back mid-pass for a day
        # of its own (and again the next day, as the next pass begins).
        if current.since <= reported + timedelta(days=HOLD_DAYS):
            return reported
        # Beyond 7 days it is held only on its next turn: the first pass of its
        # region that began after the report.
        earlier = any(
            p.region == info.region and reported < p.since < current.since for p in self.passes
        )
        return None if earlier else reported

    def _hold(self, slug: str, day: date, current: PassStart | None) -> Held | None:
        """Why ``slug`` is held back on ``day`` in ``current``: its overuse or a held lead-in."""
        info = self.index[slug]
        reported = self._own_hold(slug, day, current)
        if reported is not None:
            return Held(slug, info.region, "overuse", reported, None)
        seen = {slug}
        current_pass, current = current, info
        while (before := _prerequisite(current, self.index, self.settings)) and (
            before.slug not in seen
        ):
            seen.add(before.slug)
            reported = self._own_hold(before.slug, day, current_pass)
            if reported is not None:
                reason = HELD_AFTER.format(name=before.display_name)
                return Held(slug, info.region, "after", reported, None, before.slug, reason)
            current = before
        return None

    # Passes ---------------------------------------------------------------------------

    def _remaining(self, region_pass: PassStart) -> list[str]:
        return [
            slug
            for slug in self.regions.get(region_pass.region, ())
            if not self._logged_since(slug, region_pass.since)
        ]

    def _advance(self, day: date) -> tuple[list[str], list[Held]]:
        """Finish the passes with nothing left to do; return the day's pass: to do, and held.

        A pass whose techniques are all logged or held back ends on ``day`` and the next
        region's pass begins; the held ones are shown on this day, the one they would
        have come. Each region begins at most one new pass a day, and the last one begun
        is tried too: a one-region routine starts its next pass the day after one ends.
        """
        if not self.regions or not self.passes:
            return [], []
        if self.passes[-1].region not in self.order:
            self.passes.append(PassStart(self.order[0], day))
        # Passes already recorded as ended today pass over their held techniques on
        # this day too, as when the walk below ends them: the stored place shows the
        # same day as the derived one.
        passed_over = [
            h
            for ended in self._ended_on(day)
            for slug in self._remaining(ended)
            if (h := self._hold(slug, day, ended))
        ]
        for begun in range(len(self.order) + 1):
            current = self.passes[-1]
            remaining = self._remaining(current)
            held = [h for slug in remaining if (h := self._hold(slug, day, current))]
            held_slugs = {h.slug for h in held}
            free = [slug for slug in remaining if slug not in held_slugs]
            if free:
                # One passed over in a pass that ended today may be free in the next.
                return free, [h for h in passed_over if h.slug not in free] + held
            passed_over += held
            if begun == len(self.order):
                break
            following = self.order[(self.order.index(current.region) + 1) % len(self.order)]
            self.passes.append(PassStart(following, day))
        return [], passed_over

    def _ended_on(self, day: date) -> list[PassStart]:
        """The passes that ended on ``day`` because the passes after them began that day."""
        first = len(self.passes)
        while first > 0 and self.passes[first - 1].since == day:
            first -= 1
        if first == len(self.passes):
            return []
        return self.passes[max(first - 1, 0) : -1]

    # A day ----------------------------------------------------------------------------

    def next_day(self) -> DayPlan:
        """Plan the next day, then log it as done as planned for the days after it."""
        day = self.day
        self._catch_up(day)
        free, held = self._advance(day)
        current = self.passes[-1] if self.passes else None
        size = split_sizes(len(free), self.settings.per_day)[0] if free else 0
        items: dict[str, PlanItem] = {}
        held_by_slug = {h.slug: h for h in held}

        def add(slug: str, role: Role, reason: str) -> None:
            info = self.index[slug]
            gentler = slug in self.gentle
            if gentler:
                reason = f"{reason}; {REASON_GENTLER}"
            items[slug] = PlanItem(slug, role, info.region, reason, self._overdue(slug), gentler)

        def add_with_lead_ins(slug: str, role: Role, reason: str) -> None:
            # The chain of techniques that must come first, nearest first; one
            # already on the day (or a loop in the data) ends it.
            chain = [self.index[slug]]
            while (
                before := _prerequisite(chain[-1], self.index, self.settings)
            ) and before.slug not in items:
                if before in chain:
                    break
                chain.append(before)
            for n in range(len(chain) - 1, 0, -1):
                lead_in = REASON_LEAD_IN.format(name=chain[n - 1].display_name)
                add(chain[n].slug, "lead-in", lead_in)
            add(slug, role, reason)

        total = len(self.regions.get(current.region, ())) if current is not None else 0
        done = total - len(self._remaining(current)) if current is not None else 0
        if current is not None and free:
            reason = REASON_PASS.format(region=current.region, done=done, total=total)
            for slug in free[:size]:
                add_with_lead_ins(slug, "technique", reason)
        for slug in self._pinned():
            hold = self._hold(slug, day, current)
            if hold is not None:
                held_by_slug.setdefault(slug, hold)
            elif slug not in items:
                add_with_lead_ins(slug, "pinned", REASON_PINNED)
        ordered = list(items.values())
        stretches = self._stretch_items(day, ordered)
        plan = DayPlan(
            day=day,
            region=current.region if current is not None and free else None,
            items=(*ordered, *stretches),
            held_back=tuple(held_by_slug.values()),
            advice=self._advice(day),
            stretch=self.stretch_mode,
            cycle=self.cycle,
            progress=Progress(current.region, done, total) if current and free else None,
            notes=() if self.regions else (MESSAGE_EMPTY,),
        )
        # The days after this one assume it was done as planned: what the member
        # has not logged on it yet counts as done.
        logged = {log.slug for log in self.pending[self.fed :] if log.day == day}
        for item in ordered:
            if item.slug not in logged:
                self._feed(LogRecord(day, item.slug))
        self.day = day + timedelta(days=1)
        return plan

    def _pinned(self) -> list[str]:
        rank = {region: n for n, region in enumerate(self.settings.regions)}
        pinned = [
            self.index[slug]
            for slug in self.settings.pinned_daily
            if slug in self.index
            and self.index[slug].kind == "release"
            and slug not in self.settings.excluded
        ]
        pinned.sort(key=lambda info: (rank.get(info.region, len(rank)), info.position, info.slug))
        return [info.slug for info in pinned]

    def _overdue(self, slug: str) -> bool:
        last = self.last_done.get(slug)
        return last is not None and (self.day - last).days > self.index[slug].min_frequency_days

    def _advice(self, day: date) -> tuple[Advice, ...]:
        window = day - timedelta(days=OVERUSE_WINDOW_DAYS)
        found = []
        for region, days in sorted(self.reports_by_region.items()):
            recent = tuple(sorted(d for d in days if window <= d < day))
            if len(recent) >= OVERUSE_DAYS_FOR_ADVICE:
                message = MESSAGE_ADVICE.format(region=region, days=len(recent))
                found.append(Advice(region, recent, message))
        return tuple(found)

    def _stretch_items(self, day: date, ordered: list[PlanItem]) -> list[PlanItem]:
        # The member's own stretch (daily or a due check) first, then the stretches
        # paired with the day's techniques; each once, and all after the techniques.
        own_reason = None
        if self.stretch_mode == "daily":
            own_reason = REASON_STRETCH_DAILY
        elif self.next_assessment is not None and day >= self.next_assessment:
            own_reason = REASON_STRETCH_ASSESSMENT
            self.next_assessment = day + timedelta(days=ASSESSMENT_INTERVAL_DAYS)
        stretches: dict[str, PlanItem] = {}
        own = self.index.get(self.settings.stretch_slug)
        if own_reason and own and own.kind == "stretch" and own.slug not in self.settings.excluded:
            stretches[own.slug] = PlanItem(own.slug, "stretch", own.region, own_reason)
        for item in ordered:
            technique = self.index[item.slug]
            paired = self.index.get(technique.paired_stretch or "")
            if paired and paired.kind == "stretch" and paired.slug not in self.settings.excluded:
                reason = REASON_STRETCH_PAIRED.format(name=technique.display_name)
                stretches.setdefault(
                    paired.slug, PlanItem(paired.slug, "stretch", paired.region, reason)
                )
        return list(stretches.values())

    def with_returns(self, plans: list[DayPlan]) -> list[DayPlan]:
        """The plans with each held-back technique's return day, looking ahead as needed."""
        waiting = {h.slug for plan in plans for h in plan.held_back}
        ahead: list[DayPlan] = []
        while waiting and len(ahead) < RETURN_HORIZON_DAYS and self.regions:
            plan = self.next_day()
            ahead.append(plan)
            waiting -= {item.slug for item in plan.items}
        every = plans + ahead

        def returns(slug: str, after: int) -> date | None:
            for plan in every[after + 1 :]:
                if any(item.slug == slug for item in plan.items):
                    return plan.day
            return None

        return [
            replace(
                plan,
                held_back=tuple(replace(h, until=returns(h.slug, n)) for h in plan.held_back),
            )
            if plan.held_back
            else plan
            for n, plan in enumerate(plans)
        ]


# --- Helpers ---------------------------------------------------------------------------


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
) -> dict[str, tuple[str, ...]]:
    by_region: dict[str, list[str]] = {}
    for info in index.values():
        if (
            info.kind == "release"
            and info.slug not in settings.excluded
            and info.slug not in settings.pinned_daily
        ):
            by_region.setdefault(info.region, []).append(info.slug)
    return {
        region: tuple(
            _prerequisites_first(
                by_region.get(region, ()), index, key=lambda s: (index[s].position, s)
            )
        )
        for region in dict.fromkeys(settings.regions)
        if by_region.get(region)
    }


def _cycle_days(regions: Mapping[str, tuple[str, ...]], per_day: int) -> int:
    return sum(len(split_sizes(len(slugs), per_day)) for slugs in regions.values())


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
    index: Mapping[str, TechniqueInfo],
    settings: RoutineSettings,
    regions: Mapping[str, tuple[str, ...]],
    limit: int,
) -> tuple[Choice, ...]:
    choices = []
    if settings.per_day == 2:
        days = _cycle_days(regions, 3)
        choices.append(Choice("per-day", CHOICE_PER_DAY, days, days <= limit))
    if len(regions) > 1:
        for region in regions:
            kept = {r: slugs for r, slugs in regions.items() if r != region}
            days = _cycle_days(kept, settings.per_day)
            if days <= limit:
                text = CHOICE_DROP_REGION.format(region=region)
                choices.append(Choice(f"drop:{region}", text, days, True))
    leave_out = _leave_out(index, regions, settings.per_day, limit)
    if leave_out is not None:
        choices.append(leave_out)
    return tuple(choices)


def _leave_out(
    index: Mapping[str, TechniqueInfo],
    regions: Mapping[str, tuple[str, ...]],
    per_day: int,
    limit: int,
) -> Choice | None:
    # The fewest techniques to leave out so that a round fits ``limit`` days,
    # keeping at least one in every region (leaving out a region is its own
    # choice). best maps a round's length to (techniques left out, per region);
    # among equals the tuple order leaves out from the later regions first. The
    # ones left out are the last of their region's order.
    best: dict[int, tuple[int, tuple[int, ...]]] = {0: (0, ())}
    for slugs in regions.values():
        grown: dict[int, tuple[int, tuple[int, ...]]] = {}
        for length, (removed, picks) in best.items():
            for k in range(len(slugs)):
                longer = length + len(split_sizes(len(slugs) - k, per_day))
                option = (removed + k, (*picks, k))
                if longer <= limit and (longer not in grown or option < grown[longer]):
                    grown[longer] = option
        best = grown
    if not best:
        return None
    length, (_removed, picks) = min(best.items(), key=lambda entry: (entry[1], entry[0]))
    left_out = [
        slug
        for slugs, k in zip(regions.values(), picks, strict=True)
        for slug in (slugs[len(slugs) - k :] if k else ())
    ]
    names = ", ".join(index[slug].display_name for slug in left_out)
    return Choice(
        "leave-out:" + ",".join(left_out), CHOICE_LEAVE_OUT.format(names=names), length, True
    )
