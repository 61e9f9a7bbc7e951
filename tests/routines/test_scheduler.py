"""Tests for the pure planner: literal calendars for each scheduling rule, then properties.

Calendars are spelled out day by day: ``(date, region, items)`` with each item its slug,
followed by its role in brackets when it is not one of the day's counted techniques.
A ``Member`` replays a life as the "today" page does: each day the region passes begun
so far are recorded, the day is planned from scratch, and what the member logs is added
to their history.
"""

import itertools
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routines.scheduler import (
    HELD_OVERUSE,
    MESSAGE_EMPTY,
    REASON_GENTLER,
    DayPlan,
    LogRecord,
    PassStart,
    PlanItem,
    RoutineSettings,
    StretchRecord,
    TechniqueInfo,
    cycle_report,
    passes_to_record,
    plan_days,
    region_after_change,
    rotation,
    split_sizes,
    stretch_status,
)

STRETCH = "supported-corpse-stretch"
CATALOGUE = (
    TechniqueInfo("glute-ball-roll", "hip", 1),
    TechniqueInfo("piriformis-ball-press", "hip", 2, after="glute-ball-roll"),
    TechniqueInfo("psoas-press", "hip", 3, after="quads-roll", paired_stretch=STRETCH),
    TechniqueInfo("tfl-ball-press", "hip", 4),
    TechniqueInfo(STRETCH, "hip", 5, kind="stretch"),
    TechniqueInfo("quads-roll", "thigh", 1),
    TechniqueInfo("outer-thigh-roll", "thigh", 2),
    TechniqueInfo("inner-thigh-roll", "thigh", 3),
    TechniqueInfo("hamstring-roll", "thigh", 4),
    TechniqueInfo("hamstring-ball-press", "thigh", 5),
    TechniqueInfo("inner-quad-ball-press", "thigh", 6),
    TechniqueInfo("calf-roll", "calves", 1),
    TechniqueInfo("calf-ball-press", "calves", 2),
    TechniqueInfo("shin-muscle-roll", "calves", 3),
    TechniqueInfo("lat-roll", "shoulder", 1),
    TechniqueInfo("pec-ball-press", "shoulder", 2),
    TechniqueInfo("upper-trap-ball-press", "shoulder", 3),
    TechniqueInfo("rear-delt-ball-press", "shoulder", 4),
    TechniqueInfo("upper-back-roll", "back", 1),
    TechniqueInfo("lower-back-ball-press", "back", 2),
)
REGIONS = ("hip", "thigh", "calves", "shoulder", "back")
# Hip 2 days, thigh 3, calves 1, shoulder 2: an 8-day round at 2 a day.
ROUTINE = RoutineSettings(regions=("hip", "thigh", "calves", "shoulder"), per_day=2)
MONDAY = date(2027, 1, 4)
CATALOGUE_TOML = Path(__file__).resolve().parents[2] / "techniques" / "catalogue.toml"


def day(n: int) -> date:
    """The ``n``-th day from the first Monday of 2027 (day 0)."""
    return MONDAY + timedelta(days=n)


def label(item: PlanItem) -> str:
    """A counted technique by its slug, anything else with its role in brackets."""
    return item.slug if item.counted else f"{item.slug} ({item.role})"


def spelled(plans: list[DayPlan]) -> list[tuple[str, str | None, list[str]]]:
    """The plans as a literal calendar: (ISO date, region, item labels in order)."""
    return [
        (plan.day.isoformat(), plan.region, [label(item) for item in plan.items]) for plan in plans
    ]


def overuse(on: date, slug: str) -> LogRecord:
    """A log of a technique that left the area more sensitive and moving no better."""
    return LogRecord(on, slug, sensitivity="more", movement="same")


def without(slug: str, catalogue: tuple[TechniqueInfo, ...]) -> tuple[TechniqueInfo, ...]:
    """The catalogue after ``slug`` was unpublished."""
    return tuple(info for info in catalogue if info.slug != slug)


@dataclass
class Member:
    """A member replayed day by day through the planner, as the "today" page drives it."""

    settings: RoutineSettings = ROUTINE
    catalogue: tuple[TechniqueInfo, ...] = CATALOGUE
    passes: list[PassStart] = field(default_factory=list)
    history: list[LogRecord] = field(default_factory=list)
    stretches: list[StretchRecord] = field(default_factory=list)

    def record_place(self, on: date) -> None:
        """Record the region passes the log has begun up to ``on``, as the services do."""
        self.passes += passes_to_record(
            self.catalogue, self.settings, today=on, passes=self.passes, history=self.history
        )

    def today(self, on: date) -> DayPlan:
        """The plan of ``on``, computed from scratch from the recorded place and the log."""
        self.record_place(on)
        return self.plan(on, days=1)[0]

    def plan(self, on: date, days: int) -> list[DayPlan]:
        """``days`` days from ``on`` as "Next 14 days" shows them, without recording anything."""
        return plan_days(
            self.catalogue,
            self.settings,
            start=on,
            days=days,
            passes=self.passes,
            history=self.history,
            stretch_history=self.stretches,
        )

    def live(
        self,
        on: date,
        do: str | tuple[str, ...] = "all",
        skip: tuple[str, ...] = (),
        overused: tuple[str, ...] = (),
    ) -> DayPlan:
        """Open "today" on ``on`` and log it: all, none, the first technique or these slugs.

        Done techniques feel better unless listed in ``overused``; ``skip`` is logged skipped.
        """
        plan = self.today(on)
        items = [item for item in plan.items if item.role != "stretch"]
        if do == "all":
            done = [item.slug for item in items]
        elif do == "none":
            done = []
        elif do == "first":
            first = next(n for n, item in enumerate(items) if item.counted)
            done = [item.slug for item in items[: first + 1]]
        else:
            done = list(do)
        for slug in done:
            if slug in overused:
                self.history.append(overuse(on, slug))
            else:
                self.history.append(LogRecord(on, slug, sensitivity="less", movement="better"))
        self.history += [LogRecord(on, slug, done=False) for slug in skip]
        return plan

    def change(self, on: date, **changes: object) -> None:
        """Change settings on ``on`` as the settings page does, keeping the place.

        The place is recorded under the old settings first; if the current region was
        dropped, the next region of the old order still chosen begins its pass that day.
        """
        self.record_place(on)
        old = self.settings.regions
        self.settings = replace(self.settings, **changes)
        current = self.passes[-1].region
        region = region_after_change(current, old, self.settings.regions)
        if region is not None and region != current:
            self.passes.append(PassStart(region, on))


def follow(member: Member, first: int, last: int) -> list[DayPlan]:
    """Replay days ``first`` to ``last`` (inclusive), doing everything each day."""
    return [member.live(day(n)) for n in range(first, last + 1)]


def default_catalogue() -> tuple[TechniqueInfo, ...]:
    """The project's own catalogue (techniques/catalogue.toml) as the planner sees it."""
    data = tomllib.loads(CATALOGUE_TOML.read_text())
    return tuple(
        TechniqueInfo(
            slug=t["slug"],
            region=t["region"],
            position=t["position"],
            kind=t["kind"],
            min_frequency_days=t["min_frequency_days"],
            after=t.get("after"),
            paired_stretch=t.get("paired_stretch"),
            name=t["name"],
        )
        for t in data["techniques"]
    )


# --- Day sizes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "per_day", "sizes"),
    [
        (0, 2, ()),
        (1, 2, (1,)),
        (1, 3, (1,)),
        (2, 2, (2,)),
        (3, 2, (3,)),
        (3, 3, (3,)),
        (4, 2, (2, 2)),
        (4, 3, (2, 2)),
        (5, 2, (3, 2)),
        (5, 3, (3, 2)),
        (6, 2, (2, 2, 2)),
        (6, 3, (3, 3)),
        (7, 2, (3, 2, 2)),
        (7, 3, (3, 2, 2)),
        (8, 3, (3, 3, 2)),
    ],
)
def test_split_sizes_makes_as_few_and_as_even_days_as_the_maximum_allows(count, per_day, sizes):
    """What is left of a pass splits into few, even days of 2 or 3; a single one is a day."""
    assert split_sizes(count, per_day) == sizes


@pytest.mark.parametrize("per_day", [0, 1, 4])
def test_a_daily_maximum_other_than_two_or_three_is_refused(per_day):
    """Settings and splitting refuse a daily maximum other than 2 or 3 with a clear error."""
    with pytest.raises(ValueError, match="per_day must be 2 or 3"):
        RoutineSettings(per_day=per_day)
    with pytest.raises(ValueError, match="per_day must be 2 or 3"):
        split_sizes(4, per_day)


# --- Region passes ---------------------------------------------------------------------


def test_a_member_who_does_everything_walks_the_regions_in_order():
    """Each region's pass is split into days of 2-3 and the regions follow one another."""
    assert spelled(follow(Member(), 0, 9)) == [
        ("2027-01-04", "hip", ["glute-ball-roll", "piriformis-ball-press"]),
        (
            "2027-01-05",
            "hip",
            ["quads-roll (lead-in)", "psoas-press", "tfl-ball-press", f"{STRETCH} (stretch)"],
        ),
        ("2027-01-06", "thigh", ["quads-roll", "outer-thigh-roll"]),
        ("2027-01-07", "thigh", ["inner-thigh-roll", "hamstring-roll"]),
        ("2027-01-08", "thigh", ["hamstring-ball-press", "inner-quad-ball-press"]),
        ("2027-01-09", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
        ("2027-01-10", "shoulder", ["lat-roll", "pec-ball-press"]),
        ("2027-01-11", "shoulder", ["upper-trap-ball-press", "rear-delt-ball-press"]),
        ("2027-01-12", "hip", ["glute-ball-roll", "piriformis-ball-press"]),
        (
            "2027-01-13",
            "hip",
            ["quads-roll (lead-in)", "psoas-press", "tfl-ball-press", f"{STRETCH} (stretch)"],
        ),
    ]


def test_the_regions_come_in_the_members_own_order():
    """A routine of calves then hip starts with calves and goes on to hip."""
    member = Member(RoutineSettings(regions=("calves", "hip")))
    assert [plan.region for plan in follow(member, 0, 3)] == ["calves", "hip", "hip", "calves"]


def test_a_single_technique_left_in_a_pass_is_a_day_of_its_own():
    """With one hip technique left, the day holds just it: nothing of the thigh is pulled in."""
    member = Member()
    follow(member, 0, 0)
    member.live(day(1), do=("quads-roll", "psoas-press"))
    assert spelled([member.live(day(2)), member.live(day(3))]) == [
        ("2027-01-06", "hip", ["tfl-ball-press"]),
        ("2027-01-07", "thigh", ["quads-roll", "outer-thigh-roll"]),
    ]


def test_a_pass_lasts_until_every_technique_of_its_region_is_logged():
    """A hip day left undone is planned again, and the thigh waits until it is logged."""
    member = Member()
    follow(member, 0, 0)
    member.live(day(1), do="none")
    member.live(day(2), do="none")
    assert spelled([member.live(day(3)), member.live(day(4))]) == [
        (
            "2027-01-07",
            "hip",
            ["quads-roll (lead-in)", "psoas-press", "tfl-ball-press", f"{STRETCH} (stretch)"],
        ),
        ("2027-01-08", "thigh", ["quads-roll", "outer-thigh-roll"]),
    ]


def test_a_one_region_routine_begins_its_next_pass_the_day_after_one_ends():
    """Calves alone come every day, in "Next 14 days" as on each day's "today"."""
    routine = RoutineSettings(regions=("calves",))
    calves = ["calf-roll", "calf-ball-press", "shin-muscle-roll"]
    expected = [(day(n).isoformat(), "calves", calves) for n in range(3)]
    assert spelled(plan_days(CATALOGUE, routine, start=day(0), days=3)) == expected
    assert spelled(follow(Member(routine), 0, 2)) == expected


def test_the_day_says_how_far_the_pass_has_got():
    """A day's progress counts the region's techniques logged since its pass began."""
    member = Member()
    follow(member, 0, 2)
    plan = member.today(day(3))
    assert (plan.progress.region, plan.progress.done, plan.progress.total) == ("thigh", 2, 6)


def test_a_routine_with_nothing_to_plan_says_so():
    """Regions without techniques give days with no region, no items and a note why."""
    (plan,) = plan_days(CATALOGUE, RoutineSettings(regions=("foot",)), start=day(0), days=1)
    assert (plan.region, plan.items, plan.notes) == (None, (), (MESSAGE_EMPTY,))


# --- Half-done days and skips ----------------------------------------------------------


def test_the_unlogged_item_comes_first_the_next_day_filled_up_to_its_size():
    """Quads Roll left undone opens the next thigh day, filled to 3 from the 5 left."""
    member = Member(passes=[PassStart("thigh", day(0))])
    member.live(day(0), do=("outer-thigh-roll",))
    assert spelled(follow(member, 1, 3)) == [
        ("2027-01-05", "thigh", ["quads-roll", "inner-thigh-roll", "hamstring-roll"]),
        ("2027-01-06", "thigh", ["hamstring-ball-press", "inner-quad-ball-press"]),
        ("2027-01-07", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
    ]


def test_a_days_two_techniques_done_on_different_days_finish_it():
    """Quads Roll on Monday and Outer Thigh Roll on Tuesday move the pass on past both."""
    member = Member(passes=[PassStart("thigh", day(0))])
    member.live(day(0), do=("quads-roll",))
    member.live(day(1), do=("outer-thigh-roll",))
    assert spelled(follow(member, 2, 4)) == [
        ("2027-01-06", "thigh", ["inner-thigh-roll", "hamstring-roll"]),
        ("2027-01-07", "thigh", ["hamstring-ball-press", "inner-quad-ball-press"]),
        ("2027-01-08", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
    ]


def test_skipped_techniques_count_as_logged():
    """Skipping a day's techniques finishes them for the pass just as doing them does."""
    member = Member()
    member.live(day(0), do=(), skip=("glute-ball-roll", "piriformis-ball-press"))
    member.live(day(1), do=("tfl-ball-press",), skip=("psoas-press",))
    assert spelled([member.live(day(2))]) == [
        ("2027-01-06", "thigh", ["quads-roll", "outer-thigh-roll"]),
    ]


# --- Breaks ----------------------------------------------------------------------------


def test_after_three_missed_days_today_is_the_next_unfinished_step():
    """Back after 3 days, the thigh pass goes on at its usual size with nothing piled up."""
    member = Member()
    follow(member, 0, 2)
    assert spelled(follow(member, 6, 8)) == [
        ("2027-01-10", "thigh", ["inner-thigh-roll", "hamstring-roll"]),
        ("2027-01-11", "thigh", ["hamstring-ball-press", "inner-quad-ball-press"]),
        ("2027-01-12", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
    ]


def test_after_thirty_missed_days_there_is_no_catch_up_and_old_techniques_are_overdue():
    """Back after 30 days, the next pass starts at the usual size, old ones marked overdue."""
    member = Member()
    follow(member, 0, 7)
    plans = follow(member, 38, 41)
    assert spelled(plans) == [
        ("2027-02-11", "hip", ["glute-ball-roll", "piriformis-ball-press"]),
        (
            "2027-02-12",
            "hip",
            ["quads-roll (lead-in)", "psoas-press", "tfl-ball-press", f"{STRETCH} (stretch)"],
        ),
        ("2027-02-13", "thigh", ["quads-roll", "outer-thigh-roll"]),
        ("2027-02-14", "thigh", ["inner-thigh-roll", "hamstring-roll"]),
    ]
    assert [[item.slug for item in plan.items if item.overdue] for plan in plans] == [
        ["glute-ball-roll", "piriformis-ball-press"],
        ["quads-roll", "psoas-press", "tfl-ball-press"],
        ["outer-thigh-roll"],
        ["inner-thigh-roll", "hamstring-roll"],
    ]


def test_techniques_done_within_fourteen_days_are_not_overdue():
    """A technique last done 14 days ago is due, not overdue; 15 days ago it is overdue."""
    history = [LogRecord(day(0), "glute-ball-roll"), LogRecord(day(1), "piriformis-ball-press")]
    (plan,) = plan_days(CATALOGUE, ROUTINE, start=day(15), days=1, history=history)
    assert [(item.slug, item.overdue) for item in plan.items] == [
        ("glute-ball-roll", True),
        ("piriformis-ball-press", False),
    ]


# --- Lead-ins, pinned techniques and stretches -----------------------------------------


def test_a_lead_in_comes_before_its_technique_and_is_not_counted():
    """Quads Roll is done before Psoas Press as a lead-in, outside the day's count."""
    member = Member()
    follow(member, 0, 0)
    plan = member.live(day(1))
    assert [(item.slug, item.role) for item in plan.items][:2] == [
        ("quads-roll", "lead-in"),
        ("psoas-press", "technique"),
    ]
    assert plan.counted == ("psoas-press", "tfl-ball-press")


def test_a_lead_in_on_the_day_already_is_not_repeated():
    """Glute Ball Roll counted before Piriformis needs no second, lead-in copy."""
    (plan,) = plan_days(CATALOGUE, ROUTINE, start=day(0), days=1)
    assert [label(item) for item in plan.items] == ["glute-ball-roll", "piriformis-ball-press"]


def test_a_lead_in_done_earlier_in_the_pass_comes_again_before_its_technique():
    """Piriformis carried over to the next day brings its lead-in with it."""
    member = Member()
    member.live(day(0), do=("glute-ball-roll",))
    assert spelled([member.live(day(1))]) == [
        (
            "2027-01-05",
            "hip",
            [
                "glute-ball-roll (lead-in)",
                "piriformis-ball-press",
                "quads-roll (lead-in)",
                "psoas-press",
                "tfl-ball-press",
                f"{STRETCH} (stretch)",
            ],
        ),
    ]


def test_a_left_out_technique_is_never_a_lead_in():
    """A member who left out Quads Roll does Psoas Press without it; the thigh has 5."""
    member = Member(replace(ROUTINE, excluded=frozenset({"quads-roll"})))
    assert spelled(follow(member, 0, 3)) == [
        ("2027-01-04", "hip", ["glute-ball-roll", "piriformis-ball-press"]),
        ("2027-01-05", "hip", ["psoas-press", "tfl-ball-press", f"{STRETCH} (stretch)"]),
        ("2027-01-06", "thigh", ["outer-thigh-roll", "inner-thigh-roll", "hamstring-roll"]),
        ("2027-01-07", "thigh", ["hamstring-ball-press", "inner-quad-ball-press"]),
    ]


def test_pinned_techniques_come_every_day_outside_the_rotation_and_the_stretch_comes_last():
    """A pinned Quads Roll is added daily, never counted; the daily stretch ends each day."""
    member = Member(replace(ROUTINE, pinned_daily=frozenset({"quads-roll"}), tension=True))
    plans = follow(member, 0, 4)
    assert spelled(plans) == [
        (
            "2027-01-04",
            "hip",
            [
                "glute-ball-roll",
                "piriformis-ball-press",
                "quads-roll (pinned)",
                f"{STRETCH} (stretch)",
            ],
        ),
        (
            "2027-01-05",
            "hip",
            ["quads-roll (lead-in)", "psoas-press", "tfl-ball-press", f"{STRETCH} (stretch)"],
        ),
        (
            "2027-01-06",
            "thigh",
            [
                "outer-thigh-roll",
                "inner-thigh-roll",
                "hamstring-roll",
                "quads-roll (pinned)",
                f"{STRETCH} (stretch)",
            ],
        ),
        (
            "2027-01-07",
            "thigh",
            [
                "hamstring-ball-press",
                "inner-quad-ball-press",
                "quads-roll (pinned)",
                f"{STRETCH} (stretch)",
            ],
        ),
        (
            "2027-01-08",
            "calves",
            [
                "calf-roll",
                "calf-ball-press",
                "shin-muscle-roll",
                "quads-roll (pinned)",
                f"{STRETCH} (stretch)",
            ],
        ),
    ]
    assert all(plan.stretch == "daily" for plan in plans)


def test_the_paired_stretch_comes_once_after_its_technique_without_tension():
    """Without tension the stretch is planned only on the day of Psoas Press, last."""
    plans = plan_days(CATALOGUE, ROUTINE, start=day(0), days=8)
    assert [[label(item) for item in plan.items if item.role == "stretch"] for plan in plans] == [
        [],
        [f"{STRETCH} (stretch)"],
        [],
        [],
        [],
        [],
        [],
        [],
    ]
    assert plans[1].items[-1].reason == "goes with Psoas Press"


# --- Changing settings and the catalogue -----------------------------------------------


def test_two_to_three_a_day_mid_pass_neither_skips_nor_repeats():
    """Going to 3 a day after the thigh's first day finishes the thigh, then calves."""
    member = Member()
    follow(member, 0, 2)
    member.change(day(3), per_day=3)
    assert spelled(member.plan(day(3), days=6)) == [
        ("2027-01-07", "thigh", ["inner-thigh-roll", "hamstring-roll"]),
        ("2027-01-08", "thigh", ["hamstring-ball-press", "inner-quad-ball-press"]),
        ("2027-01-09", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
        ("2027-01-10", "shoulder", ["lat-roll", "pec-ball-press"]),
        ("2027-01-11", "shoulder", ["upper-trap-ball-press", "rear-delt-ball-press"]),
        ("2027-01-12", "hip", ["glute-ball-roll", "piriformis-ball-press"]),
    ]


def test_three_to_two_a_day_mid_pass_neither_skips_nor_repeats():
    """Going to 2 a day after a thigh day of 3 does the other 3 in one day (2-3 rule)."""
    member = Member(replace(ROUTINE, per_day=3))
    assert spelled(follow(member, 0, 2))[2] == (
        "2027-01-06",
        "thigh",
        ["quads-roll", "outer-thigh-roll", "inner-thigh-roll"],
    )
    member.change(day(3), per_day=2)
    assert spelled(member.plan(day(3), days=3)) == [
        (
            "2027-01-07",
            "thigh",
            ["hamstring-roll", "hamstring-ball-press", "inner-quad-ball-press"],
        ),
        ("2027-01-08", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
        ("2027-01-09", "shoulder", ["lat-roll", "pec-ball-press"]),
    ]


def test_dropping_the_current_region_goes_on_with_the_next_region_still_chosen():
    """Leaving out thigh and calves mid-thigh starts the shoulder, then hip."""
    member = Member()
    follow(member, 0, 2)
    member.change(day(3), regions=("hip", "shoulder"))
    assert spelled(follow(member, 3, 5)) == [
        ("2027-01-07", "shoulder", ["lat-roll", "pec-ball-press"]),
        ("2027-01-08", "shoulder", ["upper-trap-ball-press", "rear-delt-ball-press"]),
        ("2027-01-09", "hip", ["glute-ball-roll", "piriformis-ball-press"]),
    ]


def test_adding_and_reordering_regions_keeps_the_current_pass():
    """With back added after the thigh, the thigh pass goes on and back comes next."""
    member = Member()
    follow(member, 0, 2)
    member.change(day(3), regions=("thigh", "back", "hip", "calves"))
    assert spelled(follow(member, 3, 6)) == [
        ("2027-01-07", "thigh", ["inner-thigh-roll", "hamstring-roll"]),
        ("2027-01-08", "thigh", ["hamstring-ball-press", "inner-quad-ball-press"]),
        ("2027-01-09", "back", ["upper-back-roll", "lower-back-ball-press"]),
        ("2027-01-10", "hip", ["glute-ball-roll", "piriformis-ball-press"]),
    ]


def test_an_unpublished_technique_leaves_the_pass_under_way():
    """Inner Thigh Roll unpublished mid-thigh: the other 3 left make one day, then calves."""
    member = Member()
    follow(member, 0, 2)
    member.catalogue = without("inner-thigh-roll", member.catalogue)
    assert spelled(follow(member, 3, 4)) == [
        (
            "2027-01-07",
            "thigh",
            ["hamstring-roll", "hamstring-ball-press", "inner-quad-ball-press"],
        ),
        ("2027-01-08", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
    ]


def test_unpublishing_another_regions_technique_keeps_the_place():
    """A hip technique unpublished mid-thigh skips no thigh day; the next hip pass is shorter."""
    member = Member()
    follow(member, 0, 2)
    member.catalogue = without("tfl-ball-press", member.catalogue)
    assert spelled(follow(member, 3, 8)) == [
        ("2027-01-07", "thigh", ["inner-thigh-roll", "hamstring-roll"]),
        ("2027-01-08", "thigh", ["hamstring-ball-press", "inner-quad-ball-press"]),
        ("2027-01-09", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
        ("2027-01-10", "shoulder", ["lat-roll", "pec-ball-press"]),
        ("2027-01-11", "shoulder", ["upper-trap-ball-press", "rear-delt-ball-press"]),
        (
            "2027-01-12",
            "hip",
            [
                "glute-ball-roll",
                "piriformis-ball-press",
                "quads-roll (lead-in)",
                "psoas-press",
                f"{STRETCH} (stretch)",
            ],
        ),
    ]


def test_an_added_technique_joins_the_pass_under_way_or_its_regions_next():
    """A new thigh technique joins the thigh pass in progress; a new hip one the next hip pass."""
    member = Member()
    follow(member, 0, 2)
    member.catalogue = (
        *member.catalogue,
        TechniqueInfo("adductor-roll", "thigh", 7),
        TechniqueInfo("side-hip-ball-press", "hip", 5),
    )
    assert spelled(follow(member, 3, 9)) == [
        ("2027-01-07", "thigh", ["inner-thigh-roll", "hamstring-roll", "hamstring-ball-press"]),
        ("2027-01-08", "thigh", ["inner-quad-ball-press", "adductor-roll"]),
        ("2027-01-09", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
        ("2027-01-10", "shoulder", ["lat-roll", "pec-ball-press"]),
        ("2027-01-11", "shoulder", ["upper-trap-ball-press", "rear-delt-ball-press"]),
        (
            "2027-01-12",
            "hip",
            [
                "glute-ball-roll",
                "piriformis-ball-press",
                "quads-roll (lead-in)",
                "psoas-press",
                f"{STRETCH} (stretch)",
            ],
        ),
        ("2027-01-13", "hip", ["tfl-ball-press", "side-hip-ball-press"]),
    ]


@pytest.mark.parametrize(
    ("current", "old", "new", "region"),
    [
        ("thigh", ("hip", "thigh", "calves"), ("calves", "thigh"), "thigh"),
        ("thigh", ("hip", "thigh", "calves", "shoulder"), ("shoulder", "hip"), "shoulder"),
        ("shoulder", ("hip", "thigh", "calves", "shoulder"), ("calves", "thigh"), "thigh"),
        ("thigh", ("hip", "thigh"), ("back", "foot"), "back"),
        ("thigh", ("hip", "thigh"), (), None),
    ],
)
def test_region_after_change_keeps_the_current_or_takes_the_next_still_chosen(
    current, old, new, region
):
    """A kept region goes on; a dropped one hands over to the next of the old order still
    chosen (wrapping round); with no region in common the new list's first begins."""
    assert region_after_change(current, old, new) == region


# --- Overuse ---------------------------------------------------------------------------


def test_overuse_holds_a_technique_from_every_turn_within_seven_days():
    """On a one-region routine Calf Roll sits out each day of the 7 after the report."""
    member = Member(RoutineSettings(regions=("calves",)))
    member.live(day(0), overused=("calf-roll",))
    ahead = member.plan(day(1), days=9)
    plans = follow(member, 1, 9)
    assert ahead == plans
    assert spelled(plans) == [
        *[
            (day(n).isoformat(), "calves", ["calf-ball-press", "shin-muscle-roll"])
            for n in range(1, 8)
        ],
        ("2027-01-12", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
        ("2027-01-13", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
    ]
    assert [(h.slug, h.cause, h.reported, h.until) for h in plans[0].held_back] == [
        ("calf-roll", "overuse", day(0), day(8)),
    ]
    assert all(plan.held_back == plans[0].held_back for plan in plans[:7])
    assert [item.gentler for item in plans[7].items] == [True, False, False]
    assert not plans[8].items[0].gentler


def test_overuse_holds_a_technique_from_its_next_turn_even_beyond_seven_days():
    """On an 8-day round Calf Roll reported on day 5 is held on day 13, back on day 21."""
    member = Member()
    follow(member, 0, 4)
    member.live(day(5), overused=("calf-roll",))
    plans = follow(member, 6, 21)
    assert spelled([plans[13 - 6], plans[14 - 6], plans[21 - 6]]) == [
        ("2027-01-17", "calves", ["calf-ball-press", "shin-muscle-roll"]),
        ("2027-01-18", "shoulder", ["lat-roll", "pec-ball-press"]),
        ("2027-01-25", "calves", ["calf-roll", "calf-ball-press", "shin-muscle-roll"]),
    ]
    (held,) = plans[13 - 6].held_back
    assert (held.slug, held.cause, held.reported, held.until, held.reason) == (
        "calf-roll",
        "overuse",
        day(5),
        day(21),
        HELD_OVERUSE,
    )
    # Also shown the next day, when the calves pass ends by passing it over.
    assert [plan.day for plan in plans if plan.held_back] == [day(13), day(14)]
    assert plans[14 - 6].held_back == plans[13 - 6].held_back
    returned = plans[21 - 6].items[0]
    assert (returned.gentler, returned.overdue) == (True, True)
    assert returned.reason.endswith(REASON_GENTLER)


def test_a_technique_after_a_held_lead_in_is_held_with_it():
    """Psoas Press waits while Quads Roll is held, saying so, and both return together."""
    member = Member()
    follow(member, 0, 1)
    member.live(day(2), overused=("quads-roll",))
    plans = follow(member, 3, 16)
    hip, thigh = plans[8 - 3], plans[9 - 3]
    assert spelled([hip, thigh]) == [
        ("2027-01-12", "hip", ["glute-ball-roll", "piriformis-ball-press", "tfl-ball-press"]),
        ("2027-01-13", "thigh", ["outer-thigh-roll", "inner-thigh-roll", "hamstring-roll"]),
    ]
    assert [(h.slug, h.cause, h.because_of, h.reported, h.until) for h in hip.held_back] == [
        ("psoas-press", "after", "quads-roll", day(2), day(15)),
    ]
    assert "Quads Roll" in hip.held_back[0].reason
    # The hip pass ended that morning passing Psoas Press over; the thigh's own turn
    # holds Quads Roll.
    assert [(h.slug, h.cause, h.because_of) for h in thigh.held_back] == [
        ("psoas-press", "after", "quads-roll"),
        ("quads-roll", "overuse", None),
    ]
    assert [label(item) for item in plans[15 - 3].items[:2]] == [
        "quads-roll (lead-in)",
        "psoas-press",
    ]


@pytest.mark.parametrize(
    ("sensitivity", "movement", "is_overuse"),
    [
        ("more", "same", True),
        ("more", "worse", True),
        ("more", "better", False),
        ("same", "worse", False),
        ("less", "better", False),
    ],
)
def test_overuse_is_more_sensitive_and_moving_no_better(sensitivity, movement, is_overuse):
    """Only a done technique that got more sensitive without moving better is overuse."""
    log = LogRecord(day(0), "calf-roll", sensitivity=sensitivity, movement=movement)
    assert log.overuse is is_overuse
    assert not replace(log, done=False).overuse


def advice_on(history: list[LogRecord], on: date) -> list[tuple[str, tuple[date, ...]]]:
    """The regions (with report days) for which the plan of ``on`` suggests a professional."""
    (plan,) = plan_days(CATALOGUE, ROUTINE, start=on, days=1, history=history)
    return [(advice.region, advice.days) for advice in plan.advice]


def test_overuse_on_two_different_days_in_a_region_suggests_a_professional():
    """Reports on days 5 and 13 in the calves advise seeing someone until day 5 is 28 days old."""
    history = [overuse(day(5), "calf-roll"), overuse(day(13), "calf-ball-press")]
    assert advice_on(history, day(13)) == []
    assert advice_on(history, day(14)) == [("calves", (day(5), day(13)))]
    assert advice_on(history, day(33)) == [("calves", (day(5), day(13)))]
    assert advice_on(history, day(34)) == []
    assert (
        "physiotherapist"
        in plan_days(CATALOGUE, ROUTINE, start=day(14), days=1, history=history)[0]
        .advice[0]
        .message
    )


def test_several_reports_on_one_day_count_once():
    """Two calves techniques reported the same day give no advice."""
    history = [overuse(day(5), "calf-roll"), overuse(day(5), "shin-muscle-roll")]
    assert advice_on(history, day(6)) == []


def test_reports_in_different_regions_give_no_advice():
    """One report in the calves and one in the shoulder, on different days, give no advice."""
    history = [overuse(day(5), "calf-roll"), overuse(day(6), "lat-roll")]
    assert advice_on(history, day(7)) == []


# --- The stretch -----------------------------------------------------------------------


def stretch(on: date, prop: str, minutes: float, tension: bool) -> StretchRecord:
    """A stretch session held still for ``minutes`` on ``prop``."""
    return StretchRecord(on, prop, minutes, tension)


TENSION = replace(ROUTINE, tension=True)


def test_the_stretch_is_daily_while_there_is_tension_and_the_prop_rises():
    """Daily with tension; 5 calm minutes on a prop move the suggestion one prop up."""
    status = stretch_status(TENSION, [], day(0))
    assert (status.mode, status.suggested_prop) == ("daily", "book")
    records = [stretch(day(0), "book", 5, False)]
    status = stretch_status(TENSION, records, day(1))
    assert (status.mode, status.suggested_prop) == ("daily", "yoga-block")
    records.append(stretch(day(1), "yoga-block", 4.5, False))
    status = stretch_status(TENSION, records, day(2))
    assert (status.mode, status.suggested_prop) == ("daily", "yoga-block")


def test_five_tension_free_minutes_on_the_roller_then_tension_cycle_the_stretch():
    """Daily, then a 14-day assessment after the target on the roller, then daily on tension."""
    records = [stretch(day(0), "yoga-block", 5, False), stretch(day(3), "roller-6in", 5, False)]
    status = stretch_status(TENSION, records, day(4))
    assert (status.mode, status.next_assessment) == ("assessment", day(17))
    records.append(stretch(day(17), "roller-6in", 5, True))
    assert stretch_status(TENSION, records, day(17)).mode == "assessment"
    assert stretch_status(TENSION, records, day(18)).mode == "daily"


def test_without_tension_there_is_no_daily_stretch():
    """A member without tension and no stretch log has no stretch of their own."""
    assert stretch_status(ROUTINE, [], day(0)).mode == "none"


def test_in_assessment_the_stretch_is_planned_every_fourteen_days():
    """After the target on day 3, the stretch is on the plan on day 17 and day 31 only."""
    routine = replace(TENSION, regions=("thigh", "calves"))
    records = [stretch(day(3), "roller-6in", 5, False)]
    plans = plan_days(CATALOGUE, routine, start=day(4), days=30, stretch_history=records)
    assert [p.day for p in plans if any(i.slug == STRETCH for i in p.items)] == [day(17), day(31)]
    assert {plan.stretch for plan in plans} == {"assessment"}


# --- The length of a round -------------------------------------------------------------


def apply_choice(key: str, routine: RoutineSettings) -> RoutineSettings:
    """The settings after a cycle choice's one click, read from its key."""
    if key == "per-day":
        return replace(routine, per_day=3)
    kind, _, value = key.partition(":")
    if kind == "drop":
        return replace(routine, regions=tuple(r for r in routine.regions if r != value))
    assert kind == "leave-out"
    return replace(routine, excluded=routine.excluded | set(value.split(",")))


def test_the_default_catalogue_at_two_a_day_comes_round_within_fourteen_days():
    """The project's catalogue over the five default regions at 2 a day fits its 14 days."""
    report = cycle_report(default_catalogue(), RoutineSettings())
    assert (report.too_long, report.limit) == (False, 14)
    assert report.days <= 14


@pytest.mark.parametrize(
    ("regions", "kinds"),
    [
        (("hip", "thigh", "calves", "shoulder", "arms", "back"), {"per-day", "drop", "leave-out"}),
        # No one region is long enough that leaving it out fixes a round of all seven.
        (
            ("hip", "thigh", "calves", "shoulder", "arms", "back", "foot"),
            {"per-day", "leave-out"},
        ),
    ],
)
def test_a_round_too_long_offers_choices_that_each_really_fix_it(regions, kinds):
    """Six or seven regions at 2 a day are too long; each choice, applied, fits 14 days."""
    catalogue = default_catalogue()
    routine = RoutineSettings(regions=regions)
    report = cycle_report(catalogue, routine)
    assert report.too_long
    assert report.days > report.limit == 14
    assert {choice.key.partition(":")[0] for choice in report.choices} == kinds
    for choice in report.choices:
        fixed = cycle_report(catalogue, apply_choice(choice.key, routine))
        assert (choice.fixes, fixed.too_long) == (True, False), choice.key
        assert fixed.days == choice.cycle_days <= 14, choice.key


def test_a_round_too_long_never_overfills_a_day():
    """With every region at 2 a day the days still hold 2-3 techniques of one region."""
    catalogue = default_catalogue()
    routine = RoutineSettings(
        regions=("hip", "thigh", "calves", "shoulder", "arms", "back", "foot")
    )
    plans = plan_days(catalogue, routine, start=day(0), days=40)
    regions = {info.slug: info.region for info in catalogue}
    assert all(2 <= len(plan.counted) <= 3 for plan in plans)
    assert all({regions[slug] for slug in plan.counted} == {plan.region} for plan in plans)
    assert all(plan.cycle.too_long for plan in plans)


# --- The place: recorded or derived, and days assumed done ------------------------------


def test_recorded_passes_give_the_same_plans_as_derived_ones():
    """Each day, planning with the passes begun that day recorded changes nothing."""
    member = Member()
    for n in range(24):
        derived = member.plan(day(n), days=3)
        assert member.today(day(n)) == derived[0]
        assert member.plan(day(n), days=3) == derived
        member.live(day(n), do="first" if n % 4 == 3 else "all", overused=("calf-roll",))


def test_passes_to_record_returns_the_passes_begun_up_to_today():
    """A finished hip pass and an untouched thigh: the thigh pass is recorded as of today."""
    history = [LogRecord(day(0), slug) for slug in ("glute-ball-roll", "piriformis-ball-press")]
    history += [LogRecord(day(1), slug) for slug in ("psoas-press", "tfl-ball-press")]
    passes = [PassStart("hip", day(0))]
    assert passes_to_record(CATALOGUE, ROUTINE, today=day(1), passes=passes, history=history) == ()
    assert passes_to_record(CATALOGUE, ROUTINE, today=day(2), passes=passes, history=history) == (
        PassStart("thigh", day(2)),
    )


def test_a_log_that_ran_ahead_of_the_recorded_place_keeps_today_as_it_began():
    """Hip logged and thigh work after it, the place still the hip pass: today's own logs
    and the passes recorded today leave today's region and items as they were."""
    passes = [PassStart("hip", day(0))]
    history = [LogRecord(day(0), slug) for slug in ("glute-ball-roll", "piriformis-ball-press")]
    history += [LogRecord(day(1), "psoas-press"), LogRecord(day(1), "tfl-ball-press", done=False)]
    history += [LogRecord(day(2), slug) for slug in ("quads-roll", "outer-thigh-roll")]
    before = plan_days(CATALOGUE, ROUTINE, start=day(40), days=1, passes=passes, history=history)
    assert spelled(before) == [(day(40).isoformat(), "thigh", ["quads-roll", "outer-thigh-roll"])]
    recorded = [
        *passes,
        *passes_to_record(CATALOGUE, ROUTINE, today=day(40), passes=passes, history=history),
    ]
    assert recorded[-1] == PassStart("thigh", day(40))
    for logged in (["quads-roll"], ["quads-roll", "outer-thigh-roll"]):
        history_now = [*history, *(LogRecord(day(40), slug) for slug in logged)]
        after = plan_days(
            CATALOGUE, ROUTINE, start=day(40), days=1, passes=recorded, history=history_now
        )
        assert after == before


def test_later_days_are_planned_as_if_the_earlier_ones_were_done():
    """Day 2 of a plan equals the plan made on day 2 after logging day 1 as planned."""
    member = Member()
    member.live(day(0), do=("glute-ball-roll",))
    ahead = member.plan(day(1), days=2)
    member.live(day(1))
    assert member.today(day(2)) == ahead[1]


def test_later_days_assume_what_is_left_of_a_half_logged_today_done():
    """With part of today logged, tomorrow's plan assumes the rest of today done."""
    member = Member()
    follow(member, 0, 1)
    member.live(day(2), do=(), skip=("quads-roll",))
    ahead = member.plan(day(2), days=2)
    member.history.append(LogRecord(day(2), "outer-thigh-roll"))
    assert member.today(day(3)) == ahead[1]
    assert ahead[1].counted == ("inner-thigh-roll", "hamstring-roll")


# --- Properties over random members ----------------------------------------------------

RELEASES = tuple(info.slug for info in CATALOGUE if info.kind == "release")
REPLAY_DAYS = 30


@st.composite
def routines(draw: st.DrawFn) -> RoutineSettings:
    """A member's settings: some regions in any order, 2 or 3 a day, a few left out or pinned."""
    order = draw(st.permutations(REGIONS))
    return RoutineSettings(
        regions=tuple(order[: draw(st.integers(1, len(order)))]),
        per_day=draw(st.sampled_from((2, 3))),
        excluded=draw(st.frozensets(st.sampled_from(RELEASES), max_size=2)),
        pinned_daily=draw(st.frozensets(st.sampled_from(RELEASES), max_size=1)),
        tension=draw(st.booleans()),
    )


def logged_between(history: list[LogRecord], since: date, before: date) -> set[str]:
    """Slugs logged (done or skipped) from ``since`` up to the day before ``before``."""
    return {log.slug for log in history if since <= log.day < before}


def change_something(data: st.DataObject, member: Member, on: date) -> None:
    """Now and then change the daily maximum, the regions or the catalogue, as members do."""
    kind = data.draw(
        st.sampled_from(("none",) * 12 + ("per-day", "regions", "choices", "unpublish", "add"))
    )
    if kind == "per-day":
        member.change(on, per_day=5 - member.settings.per_day)
    elif kind == "regions":
        member.change(on, regions=data.draw(routines()).regions)
    elif kind == "choices":
        drawn = data.draw(routines())
        member.change(on, excluded=drawn.excluded, pinned_daily=drawn.pinned_daily)
    elif kind == "unpublish":
        published = [info.slug for info in member.catalogue if info.kind == "release"]
        member.catalogue = without(data.draw(st.sampled_from(published)), member.catalogue)
    elif kind == "add":
        missing = [info for info in CATALOGUE if info not in member.catalogue]
        if missing:
            member.catalogue = (*member.catalogue, data.draw(st.sampled_from(missing)))


def live_somehow(data: st.DataObject, member: Member, on: date) -> DayPlan:
    """Open today and log it in one of the ways real members do; sometimes log the stretch."""
    plan = member.today(on)
    counted = list(plan.counted)
    way = data.draw(st.sampled_from(("all", "none", "first", "some", "skips", "overuse")))
    if way == "all":
        log_items(member, on, [item.slug for item in plan.items if item.role != "stretch"])
    elif way == "first" and counted:
        items = [item for item in plan.items if item.role != "stretch"]
        first = next(n for n, item in enumerate(items) if item.counted)
        log_items(member, on, [item.slug for item in items[: first + 1]])
    elif way == "some" and plan.items:
        chosen = data.draw(st.lists(st.sampled_from([i.slug for i in plan.items]), unique=True))
        log_items(member, on, [slug for slug in chosen if slug != STRETCH])
    elif way == "skips":
        for slug in counted:
            what = data.draw(st.sampled_from(("done", "skipped", "left")))
            if what != "left":
                member.history.append(LogRecord(on, slug, done=what == "done"))
    elif way == "overuse" and counted:
        sore = data.draw(st.sampled_from(counted))
        log_items(member, on, [i.slug for i in plan.items if i.role != "stretch"], sore=sore)
    if any(item.slug == STRETCH for item in plan.items) and data.draw(st.booleans()):
        prop = data.draw(st.sampled_from(("book", "yoga-block", "roller-6in")))
        minutes = data.draw(st.sampled_from((2.0, 5.0, 6.0)))
        member.stretches.append(StretchRecord(on, prop, minutes, data.draw(st.booleans())))
    return plan


def log_items(member: Member, on: date, slugs: list[str], sore: str | None = None) -> None:
    """Log ``slugs`` done on ``on``, feeling better, except ``sore`` which was overused."""
    for slug in slugs:
        if slug == sore:
            member.history.append(overuse(on, slug))
        else:
            member.history.append(LogRecord(on, slug, sensitivity="less", movement="better"))


def assert_day_keeps_the_rules(member: Member, plan: DayPlan, known: int, on: date) -> None:
    """Every scheduling rule a single day can show, checked against the member's log."""
    settings_ = member.settings
    history = [log for log in member.history if log.day < on]
    index = {info.slug: info for info in member.catalogue}
    regions = rotation(member.catalogue, settings_)
    order = list(dict.fromkeys(settings_.regions))
    held = {h.slug for h in plan.held_back}
    new = member.passes[known:]

    # The place: passes begin today, one region after another in the member's order,
    # and one ends only when each of its techniques is logged or held back.
    assert all(p.since == on for p in new)
    before = member.passes[known - 1] if known else None
    for p in new:
        if before is not None:
            assert p.region == order[(order.index(before.region) + 1) % len(order)]
        before = p
    current = member.passes[-1]
    remaining = [
        slug
        for slug in regions.get(current.region, ())
        if slug not in logged_between(history, current.since, on)
    ]
    ended = [member.passes[known - 1], *new[:-1]] if known and new else new[:-1]
    for p in ended:
        # One passed over in an ended pass may be free again in the same region's next.
        still_to_do = set(remaining) if p.region == current.region else set()
        accounted = logged_between(history, p.since, on) | held | still_to_do
        for slug in regions.get(p.region, ()):
            assert slug in accounted, (p, slug)

    # The day: one region, the first of its split, what is left of the pass in order.
    if plan.region is None:
        assert all(slug in held for slugs in regions.values() for slug in slugs)
    else:
        assert plan.region == current.region
        free = [slug for slug in remaining if slug not in held]
        size = split_sizes(len(free), settings_.per_day)[0]
        assert plan.counted == tuple(free[:size])
        assert 1 <= len(plan.counted) <= 3
        assert {index[slug].region for slug in plan.counted} == {plan.region}
        assert plan.progress.done == len(regions[plan.region]) - len(remaining)

    # On top: lead-ins before their technique, stretches last, nothing overused lately.
    slugs = [item.slug for item in plan.items]
    for n, item in enumerate(plan.items):
        before_it = index.get(index[item.slug].after or "")
        if (
            item.role in {"technique", "pinned", "lead-in"}
            and before_it is not None
            and before_it.kind == "release"
            and before_it.slug not in settings_.excluded
        ):
            assert before_it.slug in slugs[:n]
    roles = [item.role for item in plan.items]
    assert roles == sorted(roles, key=lambda role: role == "stretch")
    if plan.stretch == "daily":
        assert STRETCH in slugs
    assert plan.stretch == stretch_status(settings_, member.stretches, on).mode
    reports = {log.slug: log.day for log in sorted(history, key=lambda log: log.day) if log.overuse}
    for item in plan.items:
        if item.slug in reports and item.role != "stretch":
            assert reports[item.slug] < on - timedelta(days=7)

    # Marks: overdue after 14 days without it, gentler when the last time was overuse.
    last_done = {log.slug: log for log in sorted(history, key=lambda log: log.day) if log.done}
    for item in plan.items:
        if item.role != "stretch":
            last = last_done.get(item.slug)
            assert item.overdue == bool(last and (on - last.day).days > 14)
            assert item.gentler == bool(last and last.overuse)
    for h in plan.held_back:
        assert h.until is None or h.until > on
        assert (h.cause == "after") == (h.because_of is not None)

    # Advice: overuse on two different days within 28 days in one region, and only then.
    days_by_region: dict[str, set[date]] = {}
    for log in history:
        if log.overuse and log.slug in index and on - timedelta(days=28) <= log.day < on:
            days_by_region.setdefault(index[log.slug].region, set()).add(log.day)
    assert [a.region for a in plan.advice] == sorted(
        region for region, days in days_by_region.items() if len(days) >= 2
    )


@settings(max_examples=60, deadline=None)
@given(routine=routines(), data=st.data())
def test_random_members_living_real_lives_keep_every_rule(routine, data):
    """Whatever a member does, changes or reports, each day keeps the scheduling rules."""
    member = Member(routine)
    for n in range(REPLAY_DAYS):
        on = day(n)
        if n:
            change_something(data, member, on)
        known = len(member.passes)
        derived = member.plan(on, days=1)[0]
        plan = live_somehow(data, member, on)
        assert plan == derived, (plan, derived, member.passes[known:])
        assert_day_keeps_the_rules(member, plan, known, on)


@settings(max_examples=60, deadline=None)
@given(routine=routines())
def test_a_member_who_does_everything_meets_every_technique_each_round(routine):
    """Doing every day as planned, each technique comes once a round, every round."""
    member = Member(routine)
    cycle = cycle_report(member.catalogue, routine)
    plans = follow(member, 0, 3 * cycle.days - 1)
    seen: dict[str, list[int]] = {}
    for n, plan in enumerate(plans):
        for slug in plan.counted:
            seen.setdefault(slug, []).append(n)
    every = [slug for slugs in rotation(member.catalogue, routine).values() for slug in slugs]
    assert sorted(seen) == sorted(every)
    for days in seen.values():
        assert days[0] < cycle.days
        assert [later - earlier for earlier, later in itertools.pairwise(days)] == [cycle.days] * 2
    if not cycle.too_long:
        assert cycle.days <= 14
