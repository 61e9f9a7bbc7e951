"""Tests for the pure daily-plan scheduler: literal calendars per rule, then properties."""

import itertools
import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routines.scheduler import (
    MESSAGE_EMPTY,
    BackOff,
    Choice,
    CycleReport,
    DayPlan,
    LogRecord,
    PlanItem,
    PlanWarning,
    RotationStep,
    RoutineSettings,
    SessionRecord,
    StretchRecord,
    StretchStatus,
    TechniqueInfo,
    backed_off,
    build_rotation,
    current_step_index,
    cycle_report,
    day_plan_as_dict,
    is_overuse,
    pin_candidates,
    plan_days,
    plan_today,
    professional_advice,
    split_sizes,
    stretch_status,
)

STRETCH = "supported-corpse-stretch"
CATALOGUE = (
    TechniqueInfo("glute-ball", "hip", 1),
    TechniqueInfo("piriformis-ball", "hip", 2, after="glute-ball"),
    TechniqueInfo("tfl-ball", "hip", 3),
    TechniqueInfo("hip-flexor-roll", "hip", 4),
    TechniqueInfo("psoas-press", "hip", 5, after="quads-roll", paired_stretch=STRETCH),
    TechniqueInfo(STRETCH, "hip", 6, kind="stretch"),
    TechniqueInfo("quads-roll", "thigh", 1),
    TechniqueInfo("hamstring-roll", "thigh", 2),
    TechniqueInfo("adductor-roll", "thigh", 3),
    TechniqueInfo("calf-roll", "calves", 1),
    TechniqueInfo("shin-roll", "calves", 2),
    TechniqueInfo("lat-roll", "shoulder", 1),
    TechniqueInfo("pec-ball", "shoulder", 2),
    TechniqueInfo("infraspinatus-ball", "shoulder", 3),
    TechniqueInfo("teres-ball", "shoulder", 4),
    TechniqueInfo("upper-trap-ball", "shoulder", 5),
    TechniqueInfo("rear-delt-ball", "shoulder", 6),
    TechniqueInfo("forearm-ball", "arms", 1),
)
TWO_A_DAY = RoutineSettings(per_day=2)
MONDAY = date(2025, 3, 3)
HIP_2 = "hip rotation, day 2 of 2"
DAILY = "daily until hip and lower-back tension is gone"
EXTRA = "(extra, not part of the rotation)"


def calendar(plans: list[DayPlan]) -> list[tuple[str, str | None, list[tuple[str, str]]]]:
    """Spell out plans as (date, region, [(slug, role), ...]) for literal comparisons."""
    return [
        (plan.day.isoformat(), plan.region, [(item.slug, item.role) for item in plan.items])
        for plan in plans
    ]


def region_of(name: str, count: int) -> tuple[TechniqueInfo, ...]:
    """Make ``count`` release techniques named ``<name>-1``... in region ``name``."""
    return tuple(TechniqueInfo(f"{name}-{n}", name, n) for n in range(1, count + 1))


def overuse(day: date, slug: str) -> LogRecord:
    """A log that got more sensitive without moving better."""
    return LogRecord(day, slug, sensitivity="more", movement="same")


# --- Rule 2: splitting a region into days --------------------------------------------------


@pytest.mark.parametrize(
    ("count", "per_day", "expected"),
    [
        (0, 2, ()),
        (1, 2, (1,)),
        (1, 3, (1,)),
        (2, 2, (2,)),
        (2, 3, (2,)),
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
        (9, 2, (3, 2, 2, 2)),
        (9, 3, (3, 3, 3)),
        (10, 3, (3, 3, 2, 2)),
    ],
)
def test_split_sizes_makes_few_even_days_of_two_or_three(count, per_day, expected):
    """A region splits into as few, as even days as the maximum allows, none below 2."""
    assert split_sizes(count, per_day) == expected


@pytest.mark.parametrize("per_day", [0, 1, 4, 5])
def test_per_day_other_than_two_or_three_is_refused(per_day):
    """A daily maximum other than 2 or 3 raises ValueError in settings and in splitting."""
    with pytest.raises(ValueError, match="per_day must be 2 or 3"):
        RoutineSettings(per_day=per_day)
    with pytest.raises(ValueError, match="per_day must be 2 or 3"):
        split_sizes(4, per_day)


# --- Rule 1: the rotation -------------------------------------------------------------------


def test_rotation_with_two_a_day_walks_regions_in_order():
    """Two a day splits each region in position order and walks the default regions."""
    assert build_rotation(CATALOGUE, TWO_A_DAY) == (
        RotationStep("hip", ("glute-ball", "piriformis-ball", "tfl-ball"), 1, 2),
        RotationStep("hip", ("hip-flexor-roll", "psoas-press"), 2, 2),
        RotationStep("thigh", ("quads-roll", "hamstring-roll", "adductor-roll"), 1, 1),
        RotationStep("calves", ("calf-roll", "shin-roll"), 1, 1),
        RotationStep("shoulder", ("lat-roll", "pec-ball"), 1, 3),
        RotationStep("shoulder", ("infraspinatus-ball", "teres-ball"), 2, 3),
        RotationStep("shoulder", ("upper-trap-ball", "rear-delt-ball"), 3, 3),
        RotationStep("arms", ("forearm-ball",), 1, 1),
    )


def test_rotation_with_three_a_day_needs_fewer_shoulder_days():
    """Three a day puts six shoulder techniques on two days instead of three."""
    steps = build_rotation(CATALOGUE, RoutineSettings(per_day=3))
    assert [(s.region, s.slugs) for s in steps if s.region == "shoulder"] == [
        ("shoulder", ("lat-roll", "pec-ball", "infraspinatus-ball")),
        ("shoulder", ("teres-ball", "upper-trap-ball", "rear-delt-ball")),
    ]
    assert len(steps) == 7


def test_rotation_follows_member_order_and_skips_empty_and_unknown_regions():
    """Only the member's regions count, in their order; regions with nothing left are skipped."""
    routine = RoutineSettings(
        regions=("arms", "back", "calves", "arms"),
        per_day=2,
        excluded=frozenset({"forearm-ball", "no-such-technique"}),
    )
    assert build_rotation(CATALOGUE, routine) == (
        RotationStep("calves", ("calf-roll", "shin-roll"), 1, 1),
    )


def test_calendar_for_two_a_day_cycles_forever():
    """A new member's calendar works one region a day and starts over after the arms."""
    plans = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=10, step_index=0)
    hip_1 = [
        ("glute-ball", "technique"),
        ("piriformis-ball", "technique"),
        ("tfl-ball", "technique"),
    ]
    hip_2 = [
        ("quads-roll", "lead-in"),
        ("hip-flexor-roll", "technique"),
        ("psoas-press", "technique"),
        (STRETCH, "stretch"),
    ]
    assert calendar(plans) == [
        ("2025-03-03", "hip", hip_1),
        ("2025-03-04", "hip", hip_2),
        (
            "2025-03-05",
            "thigh",
            [
                ("quads-roll", "technique"),
                ("hamstring-roll", "technique"),
                ("adductor-roll", "technique"),
            ],
        ),
        ("2025-03-06", "calves", [("calf-roll", "technique"), ("shin-roll", "technique")]),
        ("2025-03-07", "shoulder", [("lat-roll", "technique"), ("pec-ball", "technique")]),
        (
            "2025-03-08",
            "shoulder",
            [("infraspinatus-ball", "technique"), ("teres-ball", "technique")],
        ),
        (
            "2025-03-09",
            "shoulder",
            [("upper-trap-ball", "technique"), ("rear-delt-ball", "technique")],
        ),
        ("2025-03-10", "arms", [("forearm-ball", "technique")]),
        ("2025-03-11", "hip", hip_1),
        ("2025-03-12", "hip", hip_2),
    ]
    assert [plan.step_index for plan in plans] == list(range(10))


def test_every_item_says_why_it_is_on_the_plan():
    """Rotation, lead-in and paired-stretch items carry their literal reasons."""
    (plan,) = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=1, step_index=1)
    assert plan.items == (
        PlanItem("quads-roll", "lead-in", "thigh", "lead-in: do before Psoas Press"),
        PlanItem("hip-flexor-roll", "technique", "hip", HIP_2, counts_for_rotation=True),
        PlanItem("psoas-press", "technique", "hip", HIP_2, counts_for_rotation=True),
        PlanItem(STRETCH, "stretch", "hip", "paired with Psoas Press"),
    )


def test_day_plan_as_dict_matches_show_plan_json():
    """A day converts to exactly the date, region and items keys of ``show_plan --json``."""
    (plan,) = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=1, step_index=1)
    assert day_plan_as_dict(plan) == {
        "date": "2025-03-03",
        "region": "hip",
        "items": [
            {"slug": "quads-roll", "role": "lead-in", "region": "thigh"},
            {"slug": "hip-flexor-roll", "role": "technique", "region": "hip"},
            {"slug": "psoas-press", "role": "technique", "region": "hip"},
            {"slug": STRETCH, "role": "stretch", "region": "hip"},
        ],
    }


# --- Rules 2 and 3: prerequisites and lead-ins ----------------------------------------------


def test_split_puts_a_prerequisite_in_the_same_region_first():
    """A technique waits for its same-region prerequisite, which becomes next day's lead-in."""
    catalogue = (
        TechniqueInfo("a", "hip", 1, after="c"),
        TechniqueInfo("b", "hip", 2),
        TechniqueInfo("c", "hip", 3),
        TechniqueInfo("d", "hip", 4),
    )
    routine = RoutineSettings(regions=("hip",), per_day=2)
    assert [step.slugs for step in build_rotation(catalogue, routine)] == [("b", "c"), ("a", "d")]
    plans = plan_days(catalogue, routine, start=MONDAY, days=2, step_index=0)
    assert calendar(plans) == [
        ("2025-03-03", "hip", [("b", "technique"), ("c", "technique")]),
        ("2025-03-04", "hip", [("c", "lead-in"), ("a", "technique"), ("d", "technique")]),
    ]


def test_lead_ins_chain_in_front_of_the_day_without_duplicates():
    """A chain of prerequisites from other regions comes first, deepest first, each once."""
    catalogue = (
        TechniqueInfo("a1", "arms", 1, after="t1"),
        TechniqueInfo("a2", "arms", 2, after="t1"),
        TechniqueInfo("t1", "thigh", 1, after="c1"),
        TechniqueInfo("c1", "calves", 1),
    )
    routine = RoutineSettings(regions=("arms",), per_day=2)
    (plan,) = plan_days(catalogue, routine, start=MONDAY, days=1, step_index=0)
    assert plan.items == (
        PlanItem("c1", "lead-in", "calves", "lead-in: do before T1"),
        PlanItem("t1", "lead-in", "thigh", "lead-in: do before A1"),
        PlanItem("a1", "technique", "arms", "arms rotation, day 1 of 1", counts_for_rotation=True),
        PlanItem("a2", "technique", "arms", "arms rotation, day 1 of 1", counts_for_rotation=True),
    )


def test_prerequisite_already_on_the_day_moves_in_front_instead_of_a_lead_in():
    """A pinned prerequisite is moved before its dependant rather than added twice."""
    routine = replace(TWO_A_DAY, pinned_daily=frozenset({"quads-roll"}))
    (plan,) = plan_days(CATALOGUE, routine, start=MONDAY, days=1, step_index=1)
    assert [(item.slug, item.role) for item in plan.items] == [
        ("hip-flexor-roll", "technique"),
        ("quads-roll", "technique"),
        ("psoas-press", "technique"),
        (STRETCH, "stretch"),
    ]


def test_left_out_prerequisite_is_not_added_as_a_lead_in():
    """A prerequisite the member left out (no roller at home) is not planned as a lead-in."""
    routine = replace(TWO_A_DAY, excluded=frozenset({"quads-roll"}))
    (plan,) = plan_days(CATALOGUE, routine, start=MONDAY, days=1, step_index=1)
    assert [item.slug for item in plan.items] == ["hip-flexor-roll", "psoas-press", STRETCH]


def test_prerequisite_loop_in_the_data_does_not_hang_or_fail():
    """Techniques that name each other as prerequisites still get a plan, each once."""
    catalogue = (
        TechniqueInfo("a", "hip", 1, after="b"),
        TechniqueInfo("b", "hip", 2, after="a"),
        TechniqueInfo("x", "arms", 1, after="y"),
        TechniqueInfo("y", "thigh", 1, after="x"),
    )
    routine = RoutineSettings(regions=("hip", "arms"), per_day=2)
    plans = plan_days(catalogue, routine, start=MONDAY, days=2, step_index=0)
    # A loop has no right order: only that each technique comes once is promised.
    assert [(plan.region, sorted(calendar([plan])[0][2])) for plan in plans] == [
        ("hip", [("a", "technique"), ("b", "technique")]),
        ("arms", [("x", "technique"), ("y", "lead-in")]),
    ]


# --- Rule 4: cycle length and warnings ------------------------------------------------------

LONG_CATALOGUE = (
    *region_of("hip", 10),
    *region_of("thigh", 8),
    *region_of("calves", 4),
    *region_of("shoulder", 6),
    *region_of("arms", 3),
)


def test_cycle_report_warns_with_choices_that_say_whether_they_fix_it():
    """A 15-day cycle warns about every region and checks each suggested change."""
    report = cycle_report(LONG_CATALOGUE, TWO_A_DAY)
    assert report.length == 15
    (warning,) = report.warnings
    assert warning.code == "cycle-too-long"
    assert warning.message == (
        "One full rotation takes 15 days, longer than the 14 days within which these "
        "techniques should come round: all of hip; all of thigh; all of calves; "
        "all of shoulder; all of arms."
    )
    assert warning.regions == ("hip", "thigh", "calves", "shoulder", "arms")
    assert len(warning.slugs) == 31
    assert warning.choices == (
        Choice("do 3 a day instead of 2", 12, True),
        Choice("leave out the hip region", 10, True),
        Choice("leave out the thigh region", 11, True),
        Choice("leave out the calves region", 13, True),
        Choice("leave out the shoulder region", 12, True),
        Choice("leave out the arms region", 14, True),
        Choice("leave out 1 technique (1 from shoulder)", 14, True),
    )


def test_cycle_report_names_only_techniques_that_need_more_often():
    """Only a technique whose frequency is shorter than the cycle is named, with its region."""
    catalogue = (replace(CATALOGUE[0], min_frequency_days=6), *CATALOGUE[1:])
    report = cycle_report(catalogue, TWO_A_DAY)
    assert report.length == 8
    (warning,) = report.warnings
    assert warning.message == (
        "One full rotation takes 8 days, longer than the 6 days within which these "
        "techniques should come round: hip: glute-ball."
    )
    assert (warning.slugs, warning.regions) == (("glute-ball",), ("hip",))
    assert warning.choices == (
        Choice("do 3 a day instead of 2", 7, False),
        Choice("leave out the hip region", 6, True),
        Choice("leave out the thigh region", 7, False),
        Choice("leave out the calves region", 7, False),
        Choice("leave out the shoulder region", 5, True),
        Choice("leave out the arms region", 7, False),
        Choice("leave out 3 techniques (3 from shoulder)", 6, True),
    )


def test_cycle_report_says_when_even_one_technique_per_region_is_too_long():
    """With more regions than the frequency allows days, leaving out techniques cannot fix it."""
    catalogue = tuple(TechniqueInfo(f"r{n}", f"r{n}", 1, min_frequency_days=2) for n in range(3))
    report = cycle_report(catalogue, RoutineSettings(regions=("r0", "r1", "r2"), per_day=3))
    assert report.warnings[0].choices == (
        Choice("leave out the r0 region", 2, True),
        Choice("leave out the r1 region", 2, True),
        Choice("leave out the r2 region", 2, True),
        Choice("leave out all but one technique in each region", 3, False),
    )


@pytest.mark.parametrize(
    ("catalogue", "routine", "length"),
    [
        (CATALOGUE, TWO_A_DAY, 8),
        (CATALOGUE, RoutineSettings(per_day=3), 7),
        (LONG_CATALOGUE, RoutineSettings(per_day=3), 12),
        (LONG_CATALOGUE, replace(TWO_A_DAY, regions=("hip", "thigh", "calves", "shoulder")), 14),
    ],
)
def test_cycle_within_frequency_has_no_warning(catalogue, routine, length):
    """A cycle no longer than every technique's frequency gives its length and no warning."""
    assert cycle_report(catalogue, routine) == CycleReport(length)


# --- Rule 5: brought forward ----------------------------------------------------------------


def test_technique_that_would_go_over_its_frequency_is_brought_forward():
    """Calf roll done 12 days ago, next due in 3 days, comes forward today as an extra."""
    history = [LogRecord(date(2025, 2, 19), "calf-roll")]
    plans = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=4, step_index=0, history=history)
    assert plans[0].items[-1] == PlanItem(
        "calf-roll", "technique", "calves", f"brought forward: not done for 12 days {EXTRA}"
    )
    assert [[item.slug for item in plan.items if "brought" in item.reason] for plan in plans] == [
        ["calf-roll"],
        [],
        [],
        [],
    ]
    assert plans[3].region == "calves"


def test_technique_whose_turn_comes_in_time_is_not_brought_forward():
    """Calf roll done 11 days ago is due again on day 14 by the rotation itself."""
    history = [LogRecord(date(2025, 2, 20), "calf-roll")]
    plans = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=4, step_index=0, history=history)
    assert [item.reason for plan in plans for item in plan.items if "brought" in item.reason] == []


def test_long_overdue_technique_comes_forward_once_and_is_then_counted_done():
    """A technique not done for 30 days comes forward on the first day only."""
    history = [
        LogRecord(date(2025, 1, 31), "forearm-ball"),
        LogRecord(date(2025, 1, 1), "pec-ball"),
    ]
    plans = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=3, step_index=0, history=history)
    assert [
        [(i.slug, i.reason) for i in plan.items if not i.counts_for_rotation] for plan in plans
    ] == [
        [
            ("pec-ball", f"brought forward: not done for 61 days {EXTRA}"),
            ("forearm-ball", f"brought forward: not done for 31 days {EXTRA}"),
        ],
        [("quads-roll", "lead-in: do before Psoas Press"), (STRETCH, "paired with Psoas Press")],
        [],
    ]


def test_after_a_break_missed_work_does_not_pile_up_on_one_day():
    """Back after a month away: at most a day's worth comes forward, most overdue first,
    and every technique is still back within its 14 days."""
    releases = [t.slug for t in CATALOGUE if t.kind == "release"]
    history = [
        LogRecord(MONDAY - timedelta(days=31 + n % 5), slug) for n, slug in enumerate(releases)
    ]
    plans = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=14, step_index=0, history=history)
    brought = [[i.slug for i in plan.items if "brought" in i.reason] for plan in plans]
    assert all(len(day) <= TWO_A_DAY.per_day for day in brought)
    # Psoas Press, shin roll and upper-trap ball were done longest ago (35 days):
    # the first two in the member's region order come first.
    assert brought[0] == ["psoas-press", "shin-roll"]
    planned = {item.slug for plan in plans for item in plan.items}
    assert planned >= set(releases)


def test_skipped_technique_does_not_count_as_done():
    """A skipped log leaves the technique's last done day where it was."""
    history = [
        LogRecord(date(2025, 2, 19), "calf-roll"),
        LogRecord(date(2025, 3, 1), "calf-roll", done=False),
    ]
    (plan,) = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=1, step_index=0, history=history)
    assert plan.items[-1].slug == "calf-roll"


# --- Rule 6: the supported corpse stretch ---------------------------------------------------


def test_member_with_tension_stretches_every_day_last():
    """With tension the stretch closes every day, after the Psoas Press on its day."""
    routine = replace(TWO_A_DAY, tension=True)
    plans = plan_days(CATALOGUE, routine, start=MONDAY, days=3, step_index=0)
    assert [plan.items[-1] for plan in plans] == [PlanItem(STRETCH, "stretch", "hip", DAILY)] * 3
    assert [item.slug for item in plans[1].items] == [
        "quads-roll",
        "hip-flexor-roll",
        "psoas-press",
        STRETCH,
    ]


def test_stretch_becomes_a_fourteen_day_assessment_once_the_target_is_reached():
    """After a tension-free 5 minutes on the roller the stretch comes every 14 days."""
    routine = RoutineSettings(regions=("calves",), tension=True)
    stretch_history = [StretchRecord(date(2025, 3, 1), "roller-6in", 5, tension=False)]
    plans = plan_days(
        CATALOGUE,
        routine,
        start=MONDAY,
        days=30,
        step_index=0,
        stretch_history=stretch_history,
    )
    assert [
        (plan.day.isoformat(), item.reason)
        for plan in plans
        for item in plan.items
        if item.role == "stretch"
    ] == [("2025-03-15", "14-day assessment"), ("2025-03-29", "14-day assessment")]


def test_missed_assessment_is_due_at_once_and_then_every_fourteen_days():
    """An assessment that is overdue comes on the first planned day."""
    stretch_history = [StretchRecord(date(2025, 1, 2), "roller-6in", 6.5, tension=False)]
    plans = plan_days(
        CATALOGUE,
        RoutineSettings(regions=("calves",)),
        start=MONDAY,
        days=20,
        step_index=0,
        stretch_history=stretch_history,
    )
    stretch_days = [p.day.isoformat() for p in plans for i in p.items if i.role == "stretch"]
    assert stretch_days == ["2025-03-03", "2025-03-17"]


def roller(day: int, minutes: float = 5, tension: bool = False) -> StretchRecord:
    """A March 2025 stretch record on the 6-inch roller."""
    return StretchRecord(date(2025, 3, day), "roller-6in", minutes, tension)


@pytest.mark.parametrize(
    ("tension", "records", "expected"),
    [
        (False, [], ("none", None, "book")),
        (True, [], ("daily", None, "book")),
        (False, [StretchRecord(date(2025, 3, 1), "book", 3, True)], ("daily", None, "book")),
        (True, [StretchRecord(date(2025, 3, 1), "book", 5, False)], ("daily", None, "yoga-block")),
        (
            True,
            [
                StretchRecord(date(2025, 3, 1), "book", 5, False),
                StretchRecord(date(2025, 3, 2), "yoga-block", 4, False),
            ],
            ("daily", None, "yoga-block"),
        ),
        (
            True,
            [
                StretchRecord(date(2025, 3, 1), "yoga-block", 5, False),
                StretchRecord(date(2025, 3, 2), "yoga-block", 5, True),
            ],
            ("daily", None, "yoga-block"),
        ),
        (True, [roller(1, tension=True)], ("daily", None, "roller-6in")),
        (True, [roller(1, minutes=4.5)], ("daily", None, "roller-6in")),
        (True, [roller(1)], ("assessment", date(2025, 3, 15), "roller-6in")),
        (False, [roller(1), roller(5, tension=True)], ("daily", None, "roller-6in")),
        (True, [roller(1, tension=True), roller(1)], ("daily", None, "roller-6in")),
        (
            True,
            [roller(1), roller(3, tension=True), roller(6)],
            ("assessment", date(2025, 3, 20), "roller-6in"),
        ),
        (True, [roller(10)], ("daily", None, "book")),
    ],
)
def test_stretch_status_follows_the_records(tension, records, expected):
    """The mode, next assessment and suggested prop follow the records before today."""
    status = stretch_status(RoutineSettings(tension=tension), records, date(2025, 3, 10))
    assert (status.mode, status.next_assessment, status.suggested_prop) == expected


def test_stretch_status_explains_an_assessment():
    """The assessment status says when the target was reached and when to check next."""
    assert stretch_status(RoutineSettings(), [roller(1)], date(2025, 3, 10)) == StretchStatus(
        "assessment",
        date(2025, 3, 15),
        "roller-6in",
        "target reached on 2025-03-01: check it as a 14-day assessment, next on 2025-03-15",
    )


@pytest.mark.parametrize(
    "routine",
    [
        RoutineSettings(tension=True, excluded=frozenset({STRETCH})),
        RoutineSettings(tension=True, stretch_slug="no-such-stretch"),
        RoutineSettings(tension=True, stretch_slug="calf-roll"),
    ],
)
def test_left_out_or_unknown_stretch_is_not_planned(routine):
    """A stretch the member left out, or one missing from the catalogue, is never planned."""
    routine = replace(routine, regions=("calves",))
    (plan,) = plan_days(CATALOGUE, routine, start=MONDAY, days=1, step_index=0)
    assert [item.role for item in plan.items] == ["technique", "technique"]


# --- Rule 7: listening to the body ----------------------------------------------------------


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        (LogRecord(MONDAY, "x", sensitivity="more", movement="same"), True),
        (LogRecord(MONDAY, "x", sensitivity="more", movement="worse"), True),
        (LogRecord(MONDAY, "x", sensitivity="more", movement=None), True),
        (LogRecord(MONDAY, "x", sensitivity="more", movement="better"), False),
        (LogRecord(MONDAY, "x", sensitivity="same", movement="worse"), False),
        (LogRecord(MONDAY, "x", sensitivity="less", movement="better"), False),
        (LogRecord(MONDAY, "x", done=False, sensitivity="more", movement="worse"), False),
    ],
)
def test_overuse_is_more_sensitive_without_better_movement(log, expected):
    """Only a done technique that got more sensitive and moved no better is overuse."""
    assert is_overuse(log) is expected


def test_overuse_backs_a_technique_off_with_the_reason():
    """Overuse records when the technique is out until, and why, for the UI to show."""
    assert backed_off([overuse(date(2025, 3, 1), "psoas-press")], date(2025, 3, 2)) == {
        "psoas-press": BackOff(
            "psoas-press",
            date(2025, 3, 1),
            date(2025, 3, 8),
            "backed off until 2025-03-08: it got more sensitive without moving better",
        )
    }


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 3, 1), set()),
        (date(2025, 3, 2), {"psoas-press"}),
        (date(2025, 3, 8), {"psoas-press"}),
        (date(2025, 3, 9), set()),
    ],
)
def test_overuse_backs_a_technique_off_for_a_week_from_the_next_day(day, expected):
    """Overuse leaves the technique out for the seven days after the log, then it returns."""
    assert set(backed_off([overuse(date(2025, 3, 1), "psoas-press")], day)) == expected


def test_latest_overuse_sets_the_back_off():
    """A second overuse extends the back-off to a week after the second one."""
    history = [overuse(date(2025, 3, 4), "tfl-ball"), overuse(date(2025, 3, 1), "tfl-ball")]
    assert backed_off(history, date(2025, 3, 9))["tfl-ball"].until == date(2025, 3, 11)


def test_backed_off_technique_leaves_the_plan_and_says_why():
    """A backed-off Psoas Press is held back, and so neither its lead-in nor its stretch comes."""
    history = [overuse(date(2025, 3, 1), "psoas-press")]
    (plan,) = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=1, step_index=1, history=history)
    assert [item.slug for item in plan.items] == ["hip-flexor-roll"]
    assert [(b.slug, b.reason) for b in plan.held_back] == [
        (
            "psoas-press",
            "backed off until 2025-03-08: it got more sensitive without moving better",
        )
    ]


def test_backed_off_lead_in_is_held_back_and_the_technique_stays():
    """A backed-off prerequisite is not added as a lead-in; its dependant is still planned."""
    history = [overuse(date(2025, 3, 2), "quads-roll")]
    (plan,) = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=1, step_index=1, history=history)
    assert [item.slug for item in plan.items] == ["hip-flexor-roll", "psoas-press", STRETCH]
    assert [b.slug for b in plan.held_back] == ["quads-roll"]


@pytest.mark.parametrize(
    ("history", "today", "expected"),
    [
        (
            [overuse(date(2025, 2, 1), "glute-ball"), overuse(date(2025, 2, 20), "tfl-ball")],
            date(2025, 3, 1),
            [("hip", 2)],
        ),
        (
            [overuse(date(2025, 2, 1), "glute-ball"), overuse(date(2025, 2, 20), "tfl-ball")],
            date(2025, 3, 2),
            [],
        ),
        (
            [overuse(date(2025, 2, 20), "glute-ball"), overuse(date(2025, 2, 20), "glute-ball")],
            date(2025, 3, 1),
            [],
        ),
        (
            [overuse(date(2025, 2, 20), "glute-ball"), overuse(date(2025, 2, 21), "calf-roll")],
            date(2025, 3, 1),
            [],
        ),
        (
            [overuse(date(2025, 2, 20), "glute-ball"), overuse(date(2025, 3, 1), "glute-ball")],
            date(2025, 3, 1),
            [],
        ),
        (
            [
                overuse(date(2025, 2, 20), "calf-roll"),
                overuse(date(2025, 2, 21), "calf-roll"),
                overuse(date(2025, 2, 22), "shin-roll"),
            ],
            date(2025, 3, 1),
            [("calves", 3)],
        ),
    ],
)
def test_repeated_overuse_in_a_region_suggests_a_professional(history, today, expected):
    """Two overuse days in one region within 28 days before today suggest a professional."""
    advice = professional_advice(CATALOGUE, history, today)
    assert [(a.region, a.overuse_count) for a in advice] == expected


def test_professional_advice_is_a_note_on_the_plan():
    """The plan carries the advice to see a professional in its notes."""
    history = [overuse(date(2025, 2, 20), "glute-ball"), overuse(date(2025, 2, 24), "tfl-ball")]
    (plan,) = plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=1, step_index=3, history=history)
    assert plan.notes == (
        "The hip region got more sensitive without moving better 2 times in 28 days: "
        "consider seeing a professional such as a massage therapist.",
    )


def test_pin_candidates_are_techniques_whose_last_two_logs_went_well():
    """A release whose last two done logs were less sensitive and moving better may be pinned."""
    good = {"sensitivity": "less", "movement": "better"}
    history = [
        LogRecord(date(2025, 3, 1), "calf-roll", **good),
        LogRecord(date(2025, 3, 2), "calf-roll", **good),
        LogRecord(date(2025, 3, 1), "shin-roll", **good),
        LogRecord(date(2025, 3, 2), "shin-roll", sensitivity="same", movement="better"),
        LogRecord(date(2025, 3, 3), "shin-roll", done=False),
        LogRecord(date(2025, 2, 1), "tfl-ball", sensitivity="more", movement="worse"),
        LogRecord(date(2025, 3, 1), "tfl-ball", **good),
        LogRecord(date(2025, 3, 2), "tfl-ball", done=False),
        LogRecord(date(2025, 3, 3), "tfl-ball", **good),
        LogRecord(date(2025, 3, 3), "lat-roll", **good),
        LogRecord(date(2025, 3, 1), STRETCH, **good),
        LogRecord(date(2025, 3, 2), STRETCH, **good),
        LogRecord(date(2025, 3, 1), "gone", **good),
        LogRecord(date(2025, 3, 2), "gone", **good),
    ]
    assert pin_candidates(CATALOGUE, history) == ("calf-roll", "tfl-ball")


def test_pinned_technique_comes_every_day_as_an_extra():
    """A pinned technique is on every day, as the rotation's own on its region's day."""
    routine = replace(TWO_A_DAY, pinned_daily=frozenset({"calf-roll", "no-such-slug", STRETCH}))
    plans = plan_days(CATALOGUE, routine, start=MONDAY, days=4, step_index=0)
    assert [
        (plan.day.isoformat(), item.reason, item.counts_for_rotation)
        for plan in plans
        for item in plan.items
        if item.slug == "calf-roll"
    ] == [
        ("2025-03-03", f"pinned daily {EXTRA}", False),
        ("2025-03-04", f"pinned daily {EXTRA}", False),
        ("2025-03-05", f"pinned daily {EXTRA}", False),
        ("2025-03-06", "calves rotation, day 1 of 1", True),
    ]
    assert all(item.role != "stretch" for item in plans[0].items)


# --- Rule 8: missing a day ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sessions", "today", "expected"),
    [
        ([], date(2025, 3, 5), 0),
        ([SessionRecord(date(2025, 3, 5), 4, False)], date(2025, 3, 5), 4),
        ([SessionRecord(date(2025, 3, 5), 4, True)], date(2025, 3, 5), 4),
        ([SessionRecord(date(2025, 3, 4), 4, True)], date(2025, 3, 5), 5),
        ([SessionRecord(date(2025, 3, 4), 4, False)], date(2025, 3, 5), 4),
        ([SessionRecord(date(2025, 2, 20), 4, True)], date(2025, 3, 5), 5),
        (
            [SessionRecord(date(2025, 3, 1), 2, True), SessionRecord(date(2025, 3, 2), 3, False)],
            date(2025, 3, 9),
            3,
        ),
        (
            [SessionRecord(date(2025, 3, 2), 3, True), SessionRecord(date(2025, 3, 1), 2, True)],
            date(2025, 3, 9),
            4,
        ),
        ([SessionRecord(date(2025, 3, 6), 9, True)], date(2025, 3, 5), 0),
    ],
)
def test_today_is_the_next_unfinished_step(sessions, today, expected):
    """Today's step follows the latest session up to today, however many days were missed."""
    assert current_step_index(sessions, today) == expected


def test_plan_today_picks_up_where_the_member_left_off():
    """After a week away the member gets the step they had not finished, not a backlog."""
    sessions = [
        SessionRecord(date(2025, 2, 23), 0, True),
        SessionRecord(date(2025, 2, 24), 1, False),
    ]
    plan = plan_today(CATALOGUE, TWO_A_DAY, today=MONDAY, sessions=sessions)
    assert (plan.day, plan.region, plan.step_index) == (MONDAY, "hip", 1)
    assert [item.slug for item in plan.items if item.counts_for_rotation] == [
        "hip-flexor-roll",
        "psoas-press",
    ]


# --- Rule 10: empty and odd input -----------------------------------------------------------


@pytest.mark.parametrize(
    ("catalogue", "routine"),
    [
        ((), RoutineSettings()),
        (CATALOGUE, RoutineSettings(regions=())),
        (CATALOGUE, RoutineSettings(regions=("back", "foot"))),
        (region_of("hip", 2), RoutineSettings(excluded=frozenset({"hip-1", "hip-2"}))),
    ],
)
def test_nothing_to_plan_gives_empty_days_and_a_clear_warning(catalogue, routine):
    """Without any usable technique the plan is empty days with a warning, never an error."""
    assert cycle_report(catalogue, routine).warnings == (PlanWarning("empty", MESSAGE_EMPTY),)
    plans = plan_days(catalogue, routine, start=MONDAY, days=2, step_index=5)
    assert plans == [
        DayPlan(MONDAY, None, 5, (), notes=(MESSAGE_EMPTY,)),
        DayPlan(date(2025, 3, 4), None, 6, (), notes=(MESSAGE_EMPTY,)),
    ]
    assert day_plan_as_dict(plans[0]) == {"date": "2025-03-03", "region": None, "items": []}


def test_empty_plan_still_holds_the_daily_stretch():
    """A member with tension keeps the daily stretch even with no techniques to rotate."""
    routine = RoutineSettings(regions=(), tension=True)
    (plan,) = plan_days(CATALOGUE, routine, start=MONDAY, days=1, step_index=0)
    assert plan.items == (PlanItem(STRETCH, "stretch", "hip", DAILY),)


def test_unknown_slugs_in_settings_are_ignored():
    """Slugs that are not in the catalogue change nothing when left out or pinned."""
    odd = replace(
        TWO_A_DAY,
        excluded=frozenset({"not-a-technique"}),
        pinned_daily=frozenset({"also-not-one"}),
    )
    assert plan_days(CATALOGUE, odd, start=MONDAY, days=9, step_index=0) == plan_days(
        CATALOGUE, TWO_A_DAY, start=MONDAY, days=9, step_index=0
    )


@pytest.mark.parametrize(("days", "step_index"), [(-1, 0), (1, -1)])
def test_negative_days_or_step_are_refused(days, step_index):
    """A negative number of days or step index raises ValueError."""
    with pytest.raises(ValueError, match="must not be negative"):
        plan_days(CATALOGUE, TWO_A_DAY, start=MONDAY, days=days, step_index=step_index)


# --- Properties -----------------------------------------------------------------------------

PROPERTIES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START = date(2025, 3, 3)


@st.composite
def routines(draw, overuse_allowed: bool = True):
    """A random catalogue without prerequisite loops, member settings and history."""
    regions = [f"r{n}" for n in range(draw(st.integers(1, 8)))]
    slugs = [
        (region, f"{region}-t{n}") for region in regions for n in range(draw(st.integers(0, 9)))
    ]
    # Prerequisites only point back along a random order, so they never form a loop.
    order = draw(st.permutations([slug for _, slug in slugs]))
    rank = {slug: n for n, slug in enumerate(order)}
    with_stretch = draw(st.booleans())
    catalogue = [
        TechniqueInfo(
            slug,
            region,
            draw(st.integers(0, 4)),
            min_frequency_days=draw(st.sampled_from([3, 7, 14, 14, 21])),
            after=(
                order[draw(st.integers(0, rank[slug] - 1))]
                if rank[slug] and draw(st.integers(0, 3)) == 0
                else None
            ),
            paired_stretch=STRETCH if with_stretch and draw(st.integers(0, 5)) == 0 else None,
        )
        for region, slug in slugs
    ]
    if with_stretch:
        catalogue.append(TechniqueInfo(STRETCH, regions[0], 99, kind="stretch"))
    all_slugs = [slug for _, slug in slugs]
    member_regions = draw(st.permutations([*regions, "unknown"]))
    member_regions = member_regions[: draw(st.integers(0, len(member_regions)))]
    routine = RoutineSettings(
        regions=tuple(member_regions),
        per_day=draw(st.sampled_from([2, 3])),
        excluded=frozenset(draw(st.sets(st.sampled_from([*all_slugs, "nope"]), max_size=4))),
        pinned_daily=frozenset(draw(st.sets(st.sampled_from([*all_slugs, "nope"]), max_size=2))),
        tension=draw(st.booleans()),
    )
    sensitivity = st.sampled_from([None, "less", "same", "more"])
    movement = st.sampled_from([None, "better", "same", "worse"])
    history = draw(
        st.lists(
            st.builds(
                LogRecord,
                day=st.integers(1, 40).map(lambda n: START - timedelta(days=n)),
                slug=st.sampled_from([*all_slugs, "nope"]),
                done=st.booleans(),
                sensitivity=sensitivity,
                movement=movement,
            ),
            max_size=12,
        )
    )
    if not overuse_allowed:
        history = [log for log in history if not is_overuse(log)]
    return tuple(catalogue), routine, history


def rotation_slugs(plan: DayPlan) -> list[str]:
    """The slugs that count for the rotation on a day, in order."""
    return [item.slug for item in plan.items if item.counts_for_rotation]


@PROPERTIES
@given(st.integers(0, 40), st.sampled_from([2, 3]))
def test_property_split_sizes_are_few_even_and_never_below_two(count, per_day):
    """Day sizes add up, differ by at most one, stay within 2-3 and use as few days as allowed."""
    sizes = split_sizes(count, per_day)
    assert sum(sizes) == count
    if count == 1:
        assert sizes == (1,)
    elif count:
        assert max(sizes) - min(sizes) <= 1
        assert min(sizes) >= 2
        assert max(sizes) <= max(per_day, 3 if count % 2 else 2)
        assert len(sizes) == min(-(-count // per_day), count // 2)


@PROPERTIES
@given(routines())
def test_property_each_day_is_one_step_of_two_or_three_techniques(case):
    """Each day's rotation techniques are its step's, 2-3 of one region, less any backed off."""
    catalogue, routine, history = case
    steps = build_rotation(catalogue, routine)
    region_sizes = {step.region: 0 for step in steps}
    for step in steps:
        region_sizes[step.region] += len(step.slugs)
        assert 2 <= len(step.slugs) <= 3 or (len(step.slugs) == 1 == region_sizes[step.region])
    plans = plan_days(
        catalogue, routine, start=START, days=len(steps) + 3, step_index=5, history=history
    )
    for plan in plans:
        if not steps:
            assert plan.region is None
            assert rotation_slugs(plan) == []
            continue
        step = steps[plan.step_index % len(steps)]
        held = {backoff.slug for backoff in plan.held_back}
        assert plan.region == step.region
        # Sorted: a prerequisite of a lead-in moves to the front, out of position order.
        assert sorted(rotation_slugs(plan)) == sorted(set(step.slugs) - held)


@PROPERTIES
@given(routines(overuse_allowed=False))
def test_property_regions_follow_the_member_order_and_are_exhausted_before_moving_on(case):
    """Over a cycle each region comes in the member's order and each technique exactly once."""
    catalogue, routine, _ = case
    usable = {
        info.slug: info.region
        for info in catalogue
        if info.kind == "release" and info.slug not in routine.excluded
    }
    expected_regions = [r for r in dict.fromkeys(routine.regions) if r in usable.values()]
    length = cycle_report(catalogue, routine).length
    plans = plan_days(catalogue, routine, start=START, days=2 * length, step_index=0)
    visited = [plan.region for plan in plans[:length]]
    assert list(dict.fromkeys(visited)) == expected_regions
    assert visited == sorted(visited, key=expected_regions.index)
    for region in expected_regions:
        done = [s for plan in plans[:length] if plan.region == region for s in rotation_slugs(plan)]
        assert sorted(done) == sorted(slug for slug, r in usable.items() if r == region)
    for first, again in zip(plans[:length], plans[length:], strict=True):
        assert (first.region, sorted(rotation_slugs(first))) == (
            again.region,
            sorted(rotation_slugs(again)),
        )


@PROPERTIES
@given(routines())
def test_property_prerequisites_come_first_each_once_and_stretches_last(case):
    """A planned prerequisite precedes its dependant, nothing repeats, stretches end the day."""
    catalogue, routine, history = case
    index = {info.slug: info for info in catalogue}
    for plan in plan_days(catalogue, routine, start=START, days=20, step_index=3, history=history):
        slugs = [item.slug for item in plan.items]
        assert len(slugs) == len(set(slugs))
        roles = [item.role for item in plan.items]
        assert roles == sorted(roles, key=lambda role: role == "stretch")
        held = {backoff.slug for backoff in plan.held_back}
        for n, item in enumerate(plan.items):
            before = index[item.slug].after
            if item.role == "stretch" or before is None:
                continue
            if before not in routine.excluded and before not in held:
                assert before in slugs[:n]


@PROPERTIES
@given(routines(overuse_allowed=False))
def test_property_every_technique_recurs_within_its_frequency(case):
    """Without overuse every rotation technique comes round within its frequency."""
    catalogue, routine, history = case
    steps = build_rotation(catalogue, routine)
    index = {info.slug: info for info in catalogue}
    report = cycle_report(catalogue, routine)
    days = 3 * max(report.length, 21)
    plans = plan_days(catalogue, routine, start=START, days=days, step_index=2, history=history)
    last = {log.slug: log.day for log in sorted(history, key=lambda log: log.day) if log.done}
    rotation = {slug for step in steps for slug in step.slugs}
    # Techniques that outran their frequency before START (a break) come back at most
    # a day's worth a day instead of all on START.
    missed = {
        slug
        for slug in rotation & last.keys()
        if last[slug] + timedelta(days=index[slug].min_frequency_days) < START
    }
    catch_up = timedelta(days=(len(missed) - 1) // routine.per_day) if missed else timedelta()
    for slug in rotation:
        frequency = index[slug].min_frequency_days
        seen = [plan.day for plan in plans if slug in {i.slug for i in plan.items}]
        if slug in missed:
            assert seen[0] <= START + catch_up
        elif slug in last:
            assert seen[0] <= last[slug] + timedelta(days=frequency)
        else:
            assert seen[0] < START + timedelta(days=len(steps))
        assert all((b - a).days <= frequency for a, b in itertools.pairwise(seen))
    too_long = {
        slug
        for step in steps
        for slug in step.slugs
        if index[slug].min_frequency_days < report.length
    }
    if too_long:
        (warning,) = report.warnings
        assert set(warning.slugs) == too_long
        for choice in warning.choices:
            assert choice.fixes == choice_fixes(catalogue, routine, choice)
    else:
        assert "cycle-too-long" not in {warning.code for warning in report.warnings}
        if not history:
            assert not any("brought forward" in i.reason for p in plans for i in p.items)


def choice_fixes(catalogue, routine: RoutineSettings, choice: Choice) -> bool:
    """Check a choice independently: apply it and see whether every technique then fits."""
    if choice.text == "do 3 a day instead of 2":
        changed = replace(routine, per_day=3)
    elif choice.text.startswith("leave out the "):
        region = choice.text.removeprefix("leave out the ").removesuffix(" region")
        changed = replace(routine, regions=tuple(r for r in routine.regions if r != region))
    else:
        # Leaving out techniques keeps the strictest frequency as the bar to clear.
        steps = build_rotation(catalogue, routine)
        index = {info.slug: info for info in catalogue}
        strictest = min(index[s].min_frequency_days for step in steps for s in step.slugs)
        return choice.cycle_length <= strictest
    trial = build_rotation(catalogue, changed)
    index = {info.slug: info for info in catalogue}
    assert choice.cycle_length == len(trial)
    return all(index[s].min_frequency_days >= len(trial) for step in trial for s in step.slugs)


@PROPERTIES
@given(routines(), st.randoms(use_true_random=False))
def test_property_planning_is_deterministic(case, rng: random.Random):
    """The same input, in any catalogue order, always gives the same plan and JSON."""
    catalogue, routine, history = case
    shuffled = list(catalogue)
    rng.shuffle(shuffled)
    first = plan_days(catalogue, routine, start=START, days=15, step_index=7, history=history)
    again = plan_days(shuffled, routine, start=START, days=15, step_index=7, history=history)
    assert first == again
    for plan in first:
        as_dict = day_plan_as_dict(plan)
        assert set(as_dict) == {"date", "region", "items"}
        assert all(set(item) == {"slug", "role", "region"} for item in as_dict["items"])


@PROPERTIES
@given(routines())
def test_property_pinned_techniques_are_on_every_day_unless_backed_off(case):
    """Every usable pinned technique is on every day that it is not backed off."""
    catalogue, routine, history = case
    releases = {info.slug for info in catalogue if info.kind == "release"}
    pinned = (routine.pinned_daily & releases) - routine.excluded
    for plan in plan_days(catalogue, routine, start=START, days=10, step_index=0, history=history):
        held = {backoff.slug for backoff in plan.held_back}
        assert pinned - held <= {item.slug for item in plan.items}


@PROPERTIES
@given(
    st.lists(
        st.builds(
            SessionRecord,
            day=st.integers(0, 30).map(lambda n: START + timedelta(days=n)),
            step_index=st.integers(0, 50),
            finished=st.booleans(),
        ),
        max_size=6,
    ),
    st.integers(1, 30),
)
def test_property_missed_days_do_not_pile_up(sessions, gap):
    """However many days pass after the last session, today's step stays the same."""
    last_day = max((s.day for s in sessions), default=START)
    assert current_step_index(sessions, last_day + timedelta(days=1)) == current_step_index(
        sessions, last_day + timedelta(days=gap)
    )
