"""Reads: turn a member's rows into the scheduler's inputs, and its plans into page rows.

Every function here takes ``today`` from the caller (the view or command knows the
member's local date); nothing reads the clock. Loading a routine costs the same
fixed number of queries however long the member's history is.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import ngettext

from members.models import PROFILE_COLUMNS, Profile, attach_profile
from routines import scheduler
from routines.models import (
    DailySession,
    LogEntry,
    Routine,
    RoutinePass,
    RoutineRegion,
    StretchLog,
)
from smrsite import pagecache, sql
from smrsite.wording import day_text
from techniques.models import PICTURE_SHOWN, Region, Technique, Tool

# Region passes begun in these last days are read (and the current one, however old):
# a technique reported for overuse is held from the first pass of its region after
# the report, so passes since the oldest report that can still hold are read too.
PASS_DAYS = 120
# Every log of these last days is read (advice looks back 28 days, a hold 7 more),
# and every log of the current pass. Older logs matter only as each technique's
# latest done ones (last done, pinning) and latest overuse report (holding back).
RECENT_DAYS = scheduler.OVERUSE_WINDOW_DAYS + scheduler.HOLD_DAYS
# The last note of a technique is shown for this long.
NOTE_DAYS = 365
UPCOMING_DAYS = 14
CHART_WIDTH, CHART_HEIGHT, CHART_PAD, CHART_SWING = 240, 64, 10, 22
# Days in a chart's words ("2 Mar"); a technique done once has no chart, only this.
SHORT_DAY = "j M"
ONE_SESSION = "One session so far, on {day}: {felt}."


def member_time_zone(member) -> str:
    """The member's time zone from their profile (UTC when they have none yet)."""
    try:
        return member.profile.time_zone
    except Profile.DoesNotExist:
        return "UTC"


def local_date(time_zone: str, now: datetime) -> date:
    """The calendar date at ``now`` in ``time_zone``."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def local_today(routine: Routine | None, now: datetime) -> date:
    """The member's calendar date at ``now`` in their time zone (UTC without a routine)."""
    return local_date(member_time_zone(routine.member) if routine else "UTC", now)


_ROUTINE_COLUMNS = tuple(f.attname for f in Routine._meta.concrete_fields)
_ROUTINE_SQL = f"""
SELECT {", ".join(f"r.{c}" for c in _ROUTINE_COLUMNS)},
       {", ".join(f"p.{c}" for c in PROFILE_COLUMNS)}
  FROM {Routine._meta.db_table} r LEFT JOIN {Profile._meta.db_table} p ON p.user_id = r.member_id
 WHERE r.member_id = %(member)s"""


def routine_for(member) -> Routine | None:
    """The member's routine with the member and their profile, or None before onboarding.

    Every page of the plan starts here: one query in SQL, the member given is the
    routine's member, and their profile (or its absence) is kept on them, as
    select_related("member__profile") would, without the ORM's compiling.
    """
    found = sql.rows(_ROUTINE_SQL, {"member": member.pk})
    if not found:
        return None
    row = found[0]
    [routine] = sql.instances(Routine, _ROUTINE_COLUMNS, [row[: len(_ROUTINE_COLUMNS)]])
    Routine.member.field.set_cached_value(routine, member)
    attach_profile(member, row[len(_ROUTINE_COLUMNS) :])
    return routine


# What plans and their pages show of a technique and its region; the rest is deferred.
_TECHNIQUE_SHOWN = {
    "id",
    "name",
    "slug",
    "kind",
    "region_id",
    "position",
    "min_frequency_days",
    "after_id",
    "paired_stretch_id",
    "duration_seconds",
    "per_side",
    "target_minutes",
    "progression",
    "cautions",
    *PICTURE_SHOWN,
}
# In the models' field order, as ``Model.from_db`` takes them.
_TECHNIQUE_COLUMNS = tuple(
    f.attname for f in Technique._meta.concrete_fields if f.attname in _TECHNIQUE_SHOWN
)
_REGION_COLUMNS = ("id", "slug", "name", "position", "colour")
_REGION_CACHE = Technique._meta.get_field("region")
_CATALOGUE_SQL = f"""
SELECT {", ".join(f"t.{c}" for c in _TECHNIQUE_COLUMNS)},
       {", ".join(f"r.{c}" for c in _REGION_COLUMNS)}
  FROM {Technique._meta.db_table} t JOIN {Region._meta.db_table} r ON r.id = t.region_id
 WHERE t.is_published
 ORDER BY r.position, t.position, t.name"""


_TECHNIQUE_AT = {name: n for n, name in enumerate(_TECHNIQUE_COLUMNS)}


class CatalogueTechniques(Mapping[str, Technique]):
    """Published techniques by slug, from the catalogue's rows, each made a model instance
    (with its region) only when it is read.

    A plan reads the whole catalogue, a page shows a few of its techniques: making all
    of them instances cost "today" more than its own query when no cache kept them.
    ``load`` makes several in one go.
    """

    def __init__(self, rows: Iterable[tuple]):
        self._rows = {row[_TECHNIQUE_AT["slug"]]: row for row in rows}
        self._made: dict[str, Technique] = {}
        self._regions: dict[int, Region] = {}

    def __getitem__(self, slug: str) -> Technique:
        made = self._made.get(slug)
        if made is None:
            if slug not in self._rows:
                raise KeyError(slug)
            self.load([slug])
            made = self._made[slug]
        return made

    def __contains__(self, slug: object) -> bool:
        return slug in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def load(self, slugs: Iterable[str]) -> None:
        """Make the instances of ``slugs`` not made yet; slugs not in the catalogue are left."""
        rows = [
            self._rows[s] for s in dict.fromkeys(slugs) if s in self._rows and s not in self._made
        ]
        if not rows:
            return
        count = len(_TECHNIQUE_COLUMNS)
        new_regions = {row[count]: row[count:] for row in rows if row[count] not in self._regions}
        regions = sql.instances(Region, _REGION_COLUMNS, new_regions.values())
        self._regions.update(zip(new_regions, regions, strict=True))
        made = sql.instances(Technique, _TECHNIQUE_COLUMNS, (row[:count] for row in rows))
        for technique in made:
            # What select_related does: region_id is read already, the row goes in the cache.
            _REGION_CACHE.set_cached_value(technique, self._regions[technique.region_id])
            self._made[technique.slug] = technique

    def infos(self) -> tuple[scheduler.TechniqueInfo, ...]:
        """The scheduler's view of the catalogue, read from the rows (see ``technique_infos``)."""
        at, region_slug = _TECHNIQUE_AT, len(_TECHNIQUE_COLUMNS) + 1
        return _infos(
            (
                row[at["id"]],
                row[at["slug"]],
                row[region_slug],
                row[at["position"]],
                row[at["kind"]],
                row[at["min_frequency_days"]],
                row[at["after_id"]],
                row[at["paired_stretch_id"]],
                row[at["name"]],
            )
            for row in self._rows.values()
        )

    def ids(self) -> dict[int, str]:
        """Each technique's slug by its id."""
        at_id = _TECHNIQUE_AT["id"]
        return {row[at_id]: slug for slug, row in self._rows.items()}


def catalogue_techniques() -> list[Technique]:
    """Every published technique with its region, in rotation order.

    Written in SQL for the same reason as ``routine_data``'s reads: "today" reads the
    catalogue on every request when no cache keeps it, and the ORM's select_related
    with only() cost several times the query itself. One region object per region.
    """
    techniques = CatalogueTechniques(sql.rows(_CATALOGUE_SQL, {}))
    techniques.load(techniques)
    return list(techniques.values())


def _infos(rows: Iterable[tuple]) -> tuple[scheduler.TechniqueInfo, ...]:
    # (id, slug, region slug, position, kind, min_frequency_days, after_id,
    # paired_stretch_id, name) per technique; links to unpublished techniques are dropped.
    rows = list(rows)
    slug_of = {row[0]: row[1] for row in rows}
    return tuple(
        scheduler.TechniqueInfo(
            slug=slug,
            region=region,
            position=position,
            kind=kind,
            min_frequency_days=days,
            after=slug_of.get(after_id),
            paired_stretch=slug_of.get(stretch_id),
            name=name,
        )
        for _, slug, region, position, kind, days, after_id, stretch_id, name in rows
    )


def technique_infos(techniques: Iterable[Technique]) -> tuple[scheduler.TechniqueInfo, ...]:
    """The scheduler's view of catalogue rows; links to unpublished techniques are dropped."""
    return _infos(
        (
            t.pk,
            t.slug,
            t.region.slug,
            t.position,
            t.kind,
            t.min_frequency_days,
            t.after_id,
            t.paired_stretch_id,
            t.name,
        )
        for t in techniques
    )


@dataclass(frozen=True)
class PlanCatalogue:
    """The published catalogue as plans use it: slugs by id, rows by slug, the scheduler's view."""

    slugs: dict[int, str]
    by_slug: CatalogueTechniques
    infos: tuple[scheduler.TechniqueInfo, ...]


# (content version, catalogue) of the last catalogue read in this process.
_kept_catalogue: tuple[str, PlanCatalogue] | None = None


def plan_catalogue() -> PlanCatalogue:
    """The published catalogue, read once per content version in each process.

    Every write to the catalogue replaces the content version (smrsite.pagecache), on
    every server at once, so the copy kept here for the current version is never stale.
    Without a cache there is no version, and the catalogue is read every time.
    """
    global _kept_catalogue
    version = pagecache.content_version() if pagecache.layer_on("plan-catalogue") else None
    kept = _kept_catalogue
    if version is not None and kept is not None and kept[0] == version:
        return kept[1]
    techniques = CatalogueTechniques(sql.rows(_CATALOGUE_SQL, {}))
    catalogue = PlanCatalogue(slugs=techniques.ids(), by_slug=techniques, infos=techniques.infos())
    if version is not None:
        _kept_catalogue = (version, catalogue)
    return catalogue


def default_region_slugs(regions: Iterable[Region]) -> tuple[str, ...]:
    """The default five regions (hip, thigh, calves, shoulder, arms) the catalogue has."""
    known = {r.slug for r in regions}
    return tuple(slug for slug in scheduler.DEFAULT_REGIONS if slug in known)


@dataclass(frozen=True, slots=True)
class LoggedItem:
    """What the member logged today for one technique."""

    status: str
    sensitivity: str = ""
    movement: str = ""
    note: str = ""

    @property
    def status_label(self) -> str:
        return LogEntry.Status(self.status).label


@dataclass(frozen=True, slots=True)
class PastNote:
    """The member's latest note on a technique, from an earlier day."""

    day: date
    text: str


@dataclass(frozen=True)
class RoutineData:
    """Everything the scheduler needs about one member, loaded in a fixed number of queries.

    ``history`` holds the logs plans depend on, not every log: see ``routine_data``.
    ``passes`` are the recorded region passes the plan needs, oldest first; the first
    ``recorded_passes`` of them are rows (a routine with none starts its first region).
    """

    routine: Routine
    today: date
    techniques: CatalogueTechniques
    catalogue: tuple[scheduler.TechniqueInfo, ...]
    settings: scheduler.RoutineSettings
    passes: tuple[scheduler.PassStart, ...]
    history: tuple[scheduler.LogRecord, ...]
    stretch_history: tuple[scheduler.StretchRecord, ...]
    today_finished: bool = False
    recorded_passes: int = 0
    today_logs: dict[str, LoggedItem] = field(default_factory=dict)
    today_stretch: scheduler.StretchRecord | None = None
    last_notes: dict[str, PastNote] = field(default_factory=dict)
    regions: tuple[Region, ...] = ()

    def last_done(self, slug: str) -> date | None:
        """The last day before today the technique was done, within the history read."""
        days = [r.day for r in self.history if r.slug == slug and r.done and r.day < self.today]
        return max(days, default=None)


# The reads of ``routine_data``, written out in SQL: the page every member opens daily
# spent most of its time having the ORM compile these (window functions, subqueries)
# anew on each request. Plain SQL that SQLite and PostgreSQL both run, plain rows back.
_LOG = LogEntry._meta.db_table
_PASS = RoutinePass._meta.db_table
_STRETCH = StretchLog._meta.db_table
_LOG_COLUMNS = "day, technique_id, status, sensitivity, movement, note"

# The region's columns the settings' rows carry, in the model's field order
# (``Model.from_db``).
_REGION_FIELDS = ("id", "slug", "name", "position", "colour", "summary")
# The routine's settings as rows of the history read (see ``_HISTORY_SQL``): its regions
# (id, slug as text, name as sensitivity, colour as movement, summary as note, the
# region's place in the routine as minutes and its own position as position), the
# techniques left out and pinned (id), and whether today is finished. As a statement
# of their own they cost the client 0.1 ms and PostgreSQL 0.08 ms a read on the
# benchmark's year member, nearly all of it the round trip; as rows here the plan's
# whole read takes the client 0.06 ms less than the two statements did.
_SETTINGS_ROWS = f"""
SELECT 'region', NULL, r.id, r.slug, r.name, r.colour, r.summary, l.position, NULL, r.position
  FROM {RoutineRegion._meta.db_table} l JOIN {Region._meta.db_table} r ON r.id = l.region_id
 WHERE l.routine_id = %(routine)s
UNION ALL
SELECT 'excluded', NULL, technique_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM {Routine.excluded_techniques.through._meta.db_table} WHERE routine_id = %(routine)s
UNION ALL
SELECT 'pinned', NULL, technique_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM {Routine.pinned_techniques.through._meta.db_table} WHERE routine_id = %(routine)s
UNION ALL
SELECT 'finished', NULL, id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM {DailySession._meta.db_table}
 WHERE routine_id = %(routine)s AND day = %(today)s AND finished"""


def _latest_sql(kind: str, condition: str, count: str) -> str:
    """Each technique's ``count`` latest logs before today that meet ``condition``, as
    rows of the history read (see ``_HISTORY_SQL``)."""
    return f"""
SELECT '{kind}', {_LOG_COLUMNS}, NULL, NULL, NULL FROM (
    SELECT {_LOG_COLUMNS},
           ROW_NUMBER() OVER (PARTITION BY technique_id ORDER BY day DESC) AS place
      FROM {_LOG}
     WHERE member_id = %(member)s AND day < %(today)s AND {condition}
) latest WHERE place <= {count}"""


# The conditions are written out, not bound: a prepared statement's parameters would
# keep PostgreSQL from matching them to the partial indexes of the same conditions
# (log_overuse_reports, log_notes).
_DONE = f"status = '{LogEntry.Status.DONE.value}'"
_REPORT = (
    f"{_DONE} AND sensitivity = '{LogEntry.Sensitivity.MORE.value}'"
    f" AND NOT (movement = '{LogEntry.Movement.BETTER.value}')"
)
_NOTE = "NOT (note = '')"

# Each technique's latest done logs (last done, pinning). PostgreSQL reads them
# technique by technique from the end of the unique (member, technique, day) index: a
# few rows each, however long the history. SQLite has no LATERAL and ranks all the
# member's done logs instead, which PostgreSQL spent a millisecond sorting for a year.
_LATEST_DONE_SQL = {
    "postgresql": f"""
SELECT 'done', {", ".join(f"l.{column}" for column in _LOG_COLUMNS.split(", "))}, NULL, NULL, NULL
  FROM {Technique._meta.db_table} t CROSS JOIN LATERAL (
    SELECT {_LOG_COLUMNS} FROM {_LOG}
     WHERE member_id = %(member)s AND technique_id = t.id AND day < %(today)s AND {_DONE}
     ORDER BY day DESC LIMIT %(pin_logs)s
) l""",
    "sqlite": _latest_sql("done", _DONE, "%(pin_logs)s"),
}

# The latest pass begun by today, the one the current pass of the rotation is.
_LATEST_PASS_SQL = f"""
SELECT {{column}} FROM {_PASS} WHERE routine_id = %(routine)s AND since <= %(today)s
 ORDER BY since DESC, id DESC LIMIT 1"""

# Everything a plan reads of the routine's settings and the member's past, in one
# statement of tagged rows (kind, day, id, text, sensitivity, movement, note, minutes,
# tension, position): the passes and the stretch records were two more round trips for
# rows the planner reads together (as one statement the client spends 0.7 ms a read
# instead of 1.0, PostgreSQL a little less, on the benchmark's year member), and the
# settings one more (see ``_SETTINGS_ROWS``).
#
# "stretch": today's stretch record and the earlier ones that can still change the
# stretch's status, those since the later of the last tension and the last time the
# target was reached on the last prop (see ``scheduler.stretch_status``); text is the
# prop. First in the statement, the regions' rows second: PostgreSQL types each column
# of a UNION from its first two branches (two NULLs make a text, which a date or a
# number after them cannot join), so the stretch's rows type the day, the minutes and
# the tension, the regions' the ids, the texts and the position.
_STRETCH_ROWS = f"""
SELECT 'stretch', day, NULL, prop, NULL, NULL, NULL, unbroken_minutes, tension, NULL
  FROM {_STRETCH}
 WHERE member_id = %(member)s AND day <= %(today)s
   AND day >= COALESCE((SELECT MAX(day) FROM {_STRETCH}
                         WHERE member_id = %(member)s AND day < %(today)s AND tension),
                       %(min_day)s)
   AND day >= COALESCE((SELECT MAX(day) FROM {_STRETCH}
                         WHERE member_id = %(member)s AND day < %(today)s AND NOT tension
                           AND prop = %(last_prop)s AND unbroken_minutes >= %(target)s),
                       %(min_day)s)"""

# "pass": the region passes begun since the earlier of PASS_DAYS ago and the oldest of
# each technique's latest overuse report (a report holds its technique from the first
# pass of its region after it), and the current pass however old; id is the pass's, to
# keep passes begun on one day in order, text the region's slug.
_PASS_ROWS = f"""
SELECT 'pass', p.since, p.id, r.slug, NULL, NULL, NULL, NULL, NULL, NULL
  FROM {_PASS} p JOIN {Region._meta.db_table} r ON r.id = p.region_id
 WHERE p.routine_id = %(routine)s AND p.since <= %(today)s
   AND (p.since >= (SELECT CASE WHEN MIN(day) < %(passes_since)s THEN MIN(day)
                                ELSE %(passes_since)s END
                      FROM (SELECT MAX(day) AS day FROM {_LOG}
                             WHERE member_id = %(member)s AND day < %(today)s AND {_REPORT}
                             GROUP BY technique_id) reports)
        OR p.id = ({_LATEST_PASS_SQL.format(column="id")}))"""

# The logs ("done", "report", "note", "recent"; id is the technique's): each technique's
# latest done logs, latest overuse report and latest note (``_LATEST_DONE_SQL``,
# ``_latest_sql``), and, here, every log since the earlier of RECENT_DAYS ago and the
# start of the current pass. A routine with no pass recorded plans from its first
# region's pass begun on its start date (see ``routine_data``): its log is read from
# then, as once that pass is recorded. The recent logs' one lower bound lets the
# (member, day) index find them.
_RECENT_ROWS = f"""
SELECT 'recent', {_LOG_COLUMNS}, NULL, NULL, NULL FROM {_LOG}
 WHERE member_id = %(member)s AND day <= %(today)s
   AND day >= (SELECT CASE WHEN since < %(recent_since)s THEN since ELSE %(recent_since)s END
                 FROM (SELECT COALESCE(({_LATEST_PASS_SQL.format(column="since")}), %(start)s)
                              AS since) current_pass)"""

_PLAIN_HISTORY_SQL = {
    vendor: " UNION ALL ".join(
        (
            _STRETCH_ROWS,
            _SETTINGS_ROWS,
            _PASS_ROWS,
            done,
            _latest_sql("report", _REPORT, "1"),
            _latest_sql("note", f"day >= %(notes_since)s AND {_NOTE}", "1"),
            _RECENT_ROWS,
        )
    )
    for vendor, done in _LATEST_DONE_SQL.items()
}
# A year of history made PostgreSQL plan this read afresh on every request, costing the
# database as much as the read itself (see ``sql.planned_once``).
_HISTORY_SQL = {
    **_PLAIN_HISTORY_SQL,
    "postgresql": sql.planned_once(
        _PLAIN_HISTORY_SQL["postgresql"],
        {
            "member": "bigint",
            "routine": "bigint",
            "today": "date",
            "start": "date",
            "notes_since": "date",
            "recent_since": "date",
            "passes_since": "date",
            "pin_logs": "integer",
            "min_day": "date",
            "last_prop": "text",
            "target": "numeric",
        },
    ),
}


def _history_params(routine: Routine, today: date) -> dict:
    """The parameters of the history reads of ``routine_data``."""
    return {
        "routine": routine.pk,
        "member": routine.member_id,
        "today": today,
        "start": routine.start_date,
        "pin_logs": scheduler.PIN_ELIGIBLE_LOGS,
        "notes_since": today - timedelta(days=NOTE_DAYS),
        "recent_since": today - timedelta(days=RECENT_DAYS),
        "passes_since": today - timedelta(days=PASS_DAYS),
        "min_day": date.min,
        "last_prop": scheduler.STRETCH_PROPS[-1],
        "target": scheduler.STRETCH_TARGET_MINUTES,
    }


def routine_data(routine: Routine, *, today: date) -> RoutineData:
    """Load a routine's settings and the history its plans depend on (1 query).

    The catalogue comes from ``plan_catalogue`` (one more query when it is not kept).
    History is read as plain rows, and only what the planner looks at: every log of
    the last ``RECENT_DAYS`` and of the current pass (the first region's from the start
    date when none is recorded), each technique's two latest done logs (last done,
    pinning) and latest overuse report (holding back), each technique's latest note,
    the region passes a hold can depend on and the stretch records that can still
    change the stretch's status. A year of history or ten costs the same queries and
    about the same rows. Recording the first pass (the first save does) leaves what is
    read the same, so the day's plan holds still while the member logs it.
    """
    catalogue = plan_catalogue()
    slug_of = catalogue.slugs
    links, excluded, pinned, today_finished = [], [], [], False
    rows = {}
    notes = []
    passes = []
    stretch = []
    for kind, day, pk, text, *log, minutes, tension, position in sql.rows(
        _HISTORY_SQL[connection.vendor], _history_params(routine, today)
    ):
        if kind == "stretch":
            stretch.append(scheduler.StretchRecord(day, text, float(minutes), bool(tension)))
        elif kind == "pass":
            passes.append((day, pk, text))
        elif kind == "note":
            notes.append((day, pk, log[-1]))
        elif kind == "region":
            name, colour, summary = log
            links.append((minutes, (pk, text, name, position, colour, summary)))
        elif kind == "excluded":
            excluded.append(pk)
        elif kind == "pinned":
            pinned.append(pk)
        elif kind == "finished":
            today_finished = True
        else:
            # A log can be read as more than one kind: (day, technique) is unique.
            rows[(day, pk)] = (day, pk, text, *log)
    # In the routine's order; one conversion for all the regions' rows.
    links.sort(key=lambda link: link[0])
    regions = tuple(sql.instances(Region, _REGION_FIELDS, (link[1] for link in links)))
    passes = [scheduler.PassStart(slug, since) for since, _, slug in sorted(passes)]
    stretch.sort(key=lambda record: record.day)

    history = []
    today_logs = {}
    for day, technique_id, status, sensitivity, movement, note in sorted(rows.values()):
        slug = slug_of.get(technique_id)
        if slug is None:
            continue
        if day == today:
            today_logs[slug] = LoggedItem(status, sensitivity, movement, note)
        history.append(
            scheduler.LogRecord(
                day=day,
                slug=slug,
                done=status == LogEntry.Status.DONE,
                sensitivity=sensitivity or None,
                movement=movement or None,
            )
        )
    region_slugs = tuple(region.slug for region in regions)
    recorded = len(passes)
    if not passes and region_slugs:
        passes = [scheduler.PassStart(region_slugs[0], routine.start_date)]
    return RoutineData(
        routine=routine,
        today=today,
        techniques=catalogue.by_slug,
        catalogue=catalogue.infos,
        settings=scheduler.RoutineSettings(
            regions=region_slugs,
            per_day=routine.per_day,
            excluded=frozenset(slug_of[pk] for pk in excluded if pk in slug_of),
            pinned_daily=frozenset(slug_of[pk] for pk in pinned if pk in slug_of),
            tension=routine.tension,
        ),
        passes=tuple(passes),
        history=tuple(history),
        stretch_history=tuple(s for s in stretch if s.day < today),
        today_finished=today_finished,
        recorded_passes=recorded,
        today_logs=today_logs,
        today_stretch=next((s for s in stretch if s.day == today), None),
        last_notes={slug_of[pk]: PastNote(day, text) for day, pk, text in notes if pk in slug_of},
        regions=regions,
    )


def plan_upcoming(data: RoutineData, *, days: int = UPCOMING_DAYS) -> list[scheduler.DayPlan]:
    """The next ``days`` days from today, each later day assuming those before done as planned.

    The one planner behind "today", "Next 14 days", the plan PDF, the calendar feed,
    reminders and ``simulate_plan``.
    """
    return scheduler.plan_days(
        data.catalogue,
        data.settings,
        start=data.today,
        days=days,
        passes=data.passes,
        history=data.history,
        stretch_history=data.stretch_history,
    )


def plan_for_today(data: RoutineData) -> scheduler.DayPlan:
    """Today's plan: the next unfinished part of the current region pass."""
    return plan_upcoming(data, days=1)[0]


@dataclass(frozen=True)
class ItemRow:
    """One planned item as a page shows it: the technique, why, and when it was last done."""

    item: scheduler.PlanItem
    technique: Technique
    last_done: date | None
    days_since: int | None
    due: str  # "new", "ok", "due" or "overdue"
    last_note: PastNote | None
    logged: LoggedItem | None

    @property
    def is_daily_stretch(self) -> bool:
        return self.item.slug == scheduler.DEFAULT_STRETCH_SLUG


def due_state(item: scheduler.PlanItem, days_since: int | None) -> str:
    """Where a technique stands: new (never done), overdue (past its frequency) or ok."""
    if days_since is None:
        return "new"
    return "overdue" if item.overdue else "ok"


def held_back_rows(
    data: RoutineData, plan: scheduler.DayPlan
) -> list[tuple[Technique, scheduler.Held]]:
    """The techniques the day holds back, each with why and the day it returns."""
    return [(data.techniques[h.slug], h) for h in plan.held_back if h.slug in data.techniques]


def item_rows(data: RoutineData, plan: scheduler.DayPlan) -> list[ItemRow]:
    """The day's items, in order, with their technique rows and history."""
    rows = []
    for item in plan.items:
        technique = data.techniques[item.slug]
        last = data.last_done(item.slug)
        since = (plan.day - last).days if last else None
        rows.append(
            ItemRow(
                item=item,
                technique=technique,
                last_done=last,
                days_since=since,
                due=due_state(item, since),
                last_note=data.last_notes.get(item.slug),
                logged=data.today_logs.get(item.slug) if plan.day == data.today else None,
            )
        )
    return rows


@dataclass(frozen=True)
class TodayOverview:
    """Everything the "today" page shows besides its form."""

    data: RoutineData
    plan: scheduler.DayPlan
    rows: list[ItemRow]
    stretch: scheduler.StretchStatus
    report: scheduler.CycleReport
    region: Region | None
    stretch_technique: Technique | None
    held_back: list[tuple[Technique, scheduler.Held]]
    pinnable: list[scheduler.TechniqueInfo]
    pinned: list[scheduler.TechniqueInfo]
    regions_by_slug: dict[str, Region]

    @property
    def loggable(self) -> list[ItemRow]:
        """Items ticked off one by one; the member's own stretch is logged in minutes."""
        return [row for row in self.rows if not row.is_daily_stretch]

    @property
    def done_in_round(self) -> int:
        """Techniques of the current pass logged: before today, and today's so far.

        The plan reads the log as of the start of the day, so that it holds still while
        the member ticks it off; what they logged today still counts here.
        """
        if self.plan.progress is None:
            return 0
        return self.plan.progress.done + len(set(self.plan.counted) & self.data.today_logs.keys())

    @property
    def stretch_on_plan(self) -> bool:
        """Whether the member's own stretch is one of the day's items."""
        return any(row.is_daily_stretch for row in self.rows)

    @property
    def shows_stretch(self) -> bool:
        """Whether the day's form asks for the stretch: on the plan, daily, or checked."""
        return self.stretch_on_plan or self.stretch.mode != "none"

    @property
    def choices(self) -> list[tuple[scheduler.Choice, str]]:
        """The cycle warning's choices with their wording, regions by name."""
        return cycle_choices(self.report, self.regions_by_slug)


def cycle_choices(
    report: scheduler.CycleReport, regions: dict[str, Region]
) -> list[tuple[scheduler.Choice, str]]:
    """The cycle warning's choices, each with the words the member reads."""
    return [(choice, choice_text(choice, regions)) for choice in report.choices]


def cycle_for(routine: Routine, *, today: date) -> tuple[scheduler.CycleReport, list]:
    """The routine's cycle report and its choices, for the settings page."""
    data = routine_data(routine, today=today)
    report = scheduler.cycle_report(data.catalogue, data.settings)
    return report, cycle_choices(report, {r.slug: r for r in data.regions})


EMPTY_NO_TOOLS = (
    "Nothing to plan: every technique in your regions needs a tool you have not ticked."
)
EMPTY_LEFT_OUT = (
    "Nothing to plan: every technique in your regions is left out or needs a tool you have "
    "not ticked."
)


def empty_plan_message(routine: Routine, plan: scheduler.DayPlan) -> str | None:
    """Why nothing can be planned, naming the setting to change; None when there is a plan.

    Regions are never empty of techniques in the catalogue, so an empty plan comes
    from the tools ticked or the techniques left out.
    """
    if not plan.notes:
        return None
    if not routine.tools.exists():
        return EMPTY_NO_TOOLS
    return EMPTY_LEFT_OUT


def advice_texts(plan: scheduler.DayPlan, regions: dict[str, Region]) -> list[str]:
    """The day's advice to see a professional, regions by name."""
    return [
        scheduler.MESSAGE_ADVICE.format(
            region=regions[a.region].name if a.region in regions else a.region, days=len(a.days)
        )
        for a in plan.advice
    ]


def choice_text(choice: scheduler.Choice, regions: dict[str, Region]) -> str:
    """A cycle choice as the member reads it: region names instead of slugs."""
    kind, _, value = choice.key.partition(":")
    if kind == "drop" and value in regions:
        return scheduler.CHOICE_DROP_REGION.format(region=regions[value].name)
    return choice.text


def today_overview(routine: Routine, *, today: date) -> TodayOverview:
    """The member's plan for ``today`` with history, stretch status, cycle and pins."""
    data = routine_data(routine, today=today)
    plan = plan_for_today(data)
    pinnable = set(scheduler.pin_candidates(data.catalogue, data.history))
    by_slug = {r.slug: r for r in data.regions}
    # The pins show names only; the techniques the page shows more of are made at once.
    infos = {info.slug: info for info in data.catalogue}
    shown = [item.slug for item in plan.items] + [held.slug for held in plan.held_back]
    data.techniques.load([*shown, scheduler.DEFAULT_STRETCH_SLUG])
    return TodayOverview(
        data=data,
        plan=plan,
        rows=item_rows(data, plan),
        stretch=scheduler.stretch_status(data.settings, data.stretch_history, today),
        report=plan.cycle,
        region=by_slug.get(plan.region or ""),
        stretch_technique=data.techniques.get(scheduler.DEFAULT_STRETCH_SLUG),
        held_back=held_back_rows(data, plan),
        pinnable=[infos[s] for s in sorted(pinnable) if s not in data.settings.pinned_daily],
        pinned=[infos[s] for s in sorted(data.settings.pinned_daily) if s in infos],
        regions_by_slug=by_slug,
    )


def day_changes(before: RoutineData, after: RoutineData) -> list[str]:
    """What a save of the day's log changed in the plan, in sentences for the member.

    ``before`` and ``after`` are the member's data read just before and after the save.
    Compared: the techniques newly held back after overuse (with their return day),
    new advice to see a professional, and whether the region changes tomorrow.
    """
    days = scheduler.RETURN_HORIZON_DAYS
    old, new = plan_upcoming(before, days=2), plan_upcoming(after, days=days)
    names = after.techniques
    regions = {r.slug: r.name for r in after.regions}
    changes = []
    was_held = {h.slug for plan in old[1:] for h in plan.held_back}
    announced: set[str] = set()
    for plan in new[1:]:
        for held in plan.held_back:
            if held.slug in was_held or held.slug in announced or held.slug not in names:
                continue
            announced.add(held.slug)
            name = names[held.slug].name
            why = held.reason
            if held.until is not None:
                until = day_text(held.until, SHORT_DAY)
                changes.append(f"{name} held back until {until}: {why}.")
            else:
                changes.append(f"{name} held back on its next turn: {why}.")
    old_advice = {a.region for a in old[1].advice} if len(old) > 1 else set()
    for advice in new[1].advice if len(new) > 1 else ():
        if advice.region not in old_advice:
            region = regions.get(advice.region, advice.region)
            changes.append(scheduler.MESSAGE_ADVICE.format(region=region, days=len(advice.days)))
    if len(new) > 1 and len(old) > 1 and new[1].region != old[1].region and new[1].region:
        changes.append(f"Tomorrow: {regions.get(new[1].region, new[1].region)}.")
    return changes


# --- History ------------------------------------------------------------------------


@dataclass(frozen=True)
class TechniqueTrend:
    """A technique's feedback over time, for a small chart."""

    technique: Technique
    entries: tuple[LogEntry, ...]

    def _points(self, field: str, scores: dict[str, int]) -> list[tuple[float, float]]:
        count = len(self.entries)
        step = (CHART_WIDTH - 2 * CHART_PAD) / (count - 1) if count > 1 else 0
        return [
            (
                round(CHART_PAD + n * step if count > 1 else CHART_WIDTH / 2, 1),
                round(CHART_HEIGHT / 2 - scores.get(getattr(e, field), 0) * CHART_SWING, 1),
            )
            for n, e in enumerate(self.entries)
        ]

    @property
    def sensitivity_points(self) -> list[tuple[float, float]]:
        """Chart points: less sensitive plots high, more sensitive low."""
        return self._points("sensitivity", {"less": 1, "same": 0, "more": -1})

    @property
    def movement_points(self) -> list[tuple[float, float]]:
        """Chart points: moving better plots high, worse low."""
        return self._points("movement", {"better": 1, "same": 0, "worse": -1})

    @property
    def sensitivity_line(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.sensitivity_points)

    @property
    def movement_line(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.movement_points)

    @property
    def summary(self) -> str:
        """The chart in words, for screen readers and for a technique done only once."""
        first, last = self.entries[0], self.entries[-1]
        felt = f"{last.get_sensitivity_display().lower()}, {last.get_movement_display().lower()}"
        if len(self.entries) == 1:
            return ONE_SESSION.format(day=day_text(first.day, SHORT_DAY), felt=felt)
        done = ngettext("Done %(count)d time", "Done %(count)d times", len(self.entries)) % {
            "count": len(self.entries)
        }
        return (
            f"{done}, first on {day_text(first.day, SHORT_DAY)}. "
            f"Last time ({day_text(last.day, SHORT_DAY)}): {felt}."
        )


def streak(finished_days: Iterable[date], today: date) -> int:
    """Consecutive finished days ending today, or yesterday while today is still open."""
    days = set(finished_days)
    current = today if today in days else today - timedelta(days=1)
    count = 0
    while current in days:
        count += 1
        current -= timedelta(days=1)
    return count


def member_history(routine: Routine, *, today: date) -> dict:
    """The member's streak, finished days, log and per-technique trends (4 queries)."""
    finished = list(
        DailySession.objects.filter(routine=routine, finished=True, day__lte=today).values_list(
            "day", flat=True
        )
    )
    entries = list(
        LogEntry.objects.filter(member_id=routine.member_id, day__lte=today)
        .select_related("technique", "technique__region")
        .order_by("day", "technique__name")
    )
    stretch_logs = list(
        StretchLog.objects.filter(member_id=routine.member_id, day__lte=today).order_by("day")
    )
    trends: dict[int, list[LogEntry]] = {}
    for entry in entries:
        if entry.status == LogEntry.Status.DONE:
            trends.setdefault(entry.technique_id, []).append(entry)
    return {
        "streak": streak(finished, today),
        "finished_days": len(finished),
        "recent": list(reversed(entries))[:30],
        "trends": sorted(
            (TechniqueTrend(found[0].technique, tuple(found)) for found in trends.values()),
            key=lambda trend: (trend.technique.region.position, trend.technique.position),
        ),
        "stretch_logs": list(reversed(stretch_logs))[:14],
        "done_count": sum(1 for e in entries if e.status == LogEntry.Status.DONE),
    }


def member_log_entry(member, pk: int) -> LogEntry:
    """One of the member's own log entries; another member's raises DoesNotExist."""
    return LogEntry.objects.select_related("technique").get(member=member, pk=pk)


def routine_by_feed_token(token: str) -> Routine | None:
    """The routine whose calendar feed ``token`` opens, or None."""
    if not token or "\x00" in token:  # PostgreSQL cannot even compare a NUL
        return None
    return Routine.objects.filter(feed_token=token).select_related("member__profile").first()


def reminder_candidates() -> QuerySet[Routine]:
    """Routines with reminders switched on, with their members."""
    return Routine.objects.filter(reminders_on=True, member__is_active=True).select_related(
        "member__profile"
    )


def region_list() -> QuerySet[Region]:
    """Every region in the catalogue, in the default rotation order."""
    return Region.objects.order_by("position", "name")


def tool_list() -> QuerySet[Tool]:
    """Every tool in the catalogue, by name."""
    return Tool.objects.order_by("name")
